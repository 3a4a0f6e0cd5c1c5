"""A search through the head's distributed index: one SELECT for every match's attributes
(exact totals, grouping and facets need them all), then the page's texts and articles.

Every article lives on one shard, so the agents' matches never overlap and their counts add
up exactly (no COUNT(DISTINCT) estimate). Scores come from Sphinx's expression ranker:
the longest run of query words in order (phrases and near words first), how many of the
words a field holds, and BM25F over the text and the article's headline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ...budget import Deadline
from ...limits import FACET_LIMIT, HITS_SHOWN
from ...model import KINDS, article_from_json
from ...results import SearchParams
from ..base import EngineArticle, EngineHit, EngineResults
from .schema import FIRST_TOKEN, decode, epoch, source_number
from .spans import Normaliser, find_spans
from .translate import DateFilter, Translated

__all__ = ["Answer", "Matches", "OPTIONS", "run_search"]

#: The ranker and field weights (text first, the headline helping, meta never scoring).
RANKER = "sum((4*lcs+word_count)*user_weight)*1000+bm25f(1.2,0.75,{text=3,headline=1})*1000"
OPTIONS = (
    f"ranker=expr('{RANKER}'), field_weights=(text=10, headline=3, credit=5, byline=5, "
    "dateline=5, meta=1)"
)
#: Matches asked for first; more when SHOW META says there are more.
FIRST_MATCHES = 1000
_COLUMNS = "id, article, position, kind, published, has_published, source_s, credit_s, WEIGHT()"


@dataclass(frozen=True)
class Answer:
    """A statement's rows and what SHOW META said (``missing``: agents that failed)."""

    rows: list[tuple[Any, ...]]
    total_found: int
    missing: tuple[str, ...]


#: runs (sql, args) on the head with SHOW META; strict or not is the caller's business
Matches = Callable[[str, list[Any], int], Answer]


def _where(query: Translated, params: SearchParams) -> tuple[str, list[Any], str]:
    """The WHERE clause, its arguments and the select expressions date exclusions need."""
    clauses = ["MATCH(%s)"]
    args: list[Any] = [query.match]
    extra = []
    if params.kind is not None:
        clauses.append(f"kind = {KINDS.index(params.kind)}")
    if params.source is not None:
        clauses.append(f"source_key = {source_number(params.source)}")
    start = epoch(params.date_from) if params.date_from else None
    end = epoch(params.date_to) + 86_400 if params.date_to else None
    dates = list(query.dates)
    if start is not None or end is not None:
        dates.append(DateFilter("published", start, end))
    for i, span in enumerate(dates):
        test = [f"has_{span.field} = 1"]
        if span.start is not None:
            test.append(f"{span.field} >= {int(span.start)}")
        if span.end is not None:
            test.append(f"{span.field} < {int(span.end)}")
        extra.append(f", IF({' AND '.join(test)}, 1, 0) AS d{i}")
        clauses.append(f"d{i} = {0 if span.negate else 1}")
    return " AND ".join(clauses), args, "".join(extra)


@dataclass
class _Article:
    key: int
    hits: list[tuple[float, int, int, int]]  # (score, position, id, kind)
    published: int | None

    @property
    def score(self) -> float:
        return self.hits[0][0]


def _group(rows: list[tuple[Any, ...]]) -> dict[int, _Article]:
    articles: dict[int, _Article] = {}
    for row in rows:
        doc, key, position, kind, published, has_published = row[:6]
        found = articles.get(key)
        if found is None:
            found = articles[key] = _Article(key, [], published if has_published else None)
        found.hits.append((row[8] / 1000.0, position, doc, kind))
    for article in articles.values():
        article.hits.sort(key=lambda h: (-h[0], h[1]))
    return articles


def _ranked(articles: dict[int, _Article], sort: str) -> list[_Article]:
    """Best first; for date sorts undated articles come last (newest) or first (oldest)."""
    items = list(articles.values())
    if sort == "newest":
        items.sort(key=lambda a: (a.published is None, -(a.published or 0), -a.score, a.key))
    elif sort == "oldest":
        items.sort(key=lambda a: (a.published is not None, a.published or 0, -a.score, a.key))
    else:
        items.sort(key=lambda a: (-a.score, -(a.published or -(2**62)), a.key))
    return items


def _facets(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {n: Counter() for n in ("kind", "source", "credit", "month")}
    for row in rows:
        counts["kind"][KINDS[row[3]]] += 1
        source, credit = decode(row[6]), decode(row[7])
        if source:
            counts["source"][source] += 1
        if credit and row[3] == KINDS.index("caption"):
            counts["credit"][credit] += 1
        if row[5]:
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=row[4])
            counts["month"][moment.strftime("%Y-%m")] += 1
    return {
        name: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_LIMIT])
        for name, c in counts.items()
    }


def _all_matches(select: Matches, sql: str, args: list[Any]) -> Answer:
    """Every match: a first look, then again with room for all of them."""
    answer = select(sql, args, FIRST_MATCHES)
    if answer.total_found > len(answer.rows) and len(answer.rows) >= FIRST_MATCHES:
        answer = select(sql, args, answer.total_found)
    return answer


def run_search(
    query: Translated,
    params: SearchParams,
    deadline: Deadline,
    select: Matches,
    fetch: Callable[[str, list[Any]], list[tuple[Any, ...]]],
    normalise: Normaliser,
) -> EngineResults:
    """The page of articles, exact totals and facets for a translated query."""
    where, args, extra = _where(query, params)
    sql = f"SELECT {_COLUMNS}{extra} FROM {{index}} WHERE {where} ORDER BY WEIGHT() DESC, id ASC"
    answer = _all_matches(select, sql, args)
    deadline.check()
    articles = _ranked(_group(answer.rows), params.sort)
    first = (params.page - 1) * params.per_page
    page = articles[first : first + params.per_page]
    shown = [_page_article(a, query, fetch, normalise) for a in _with_texts(page, query, fetch)]
    deadline.check()
    results = EngineResults(
        total_hits=len(answer.rows),
        total_articles=len(articles),
        articles=tuple(shown),
        facets=_facets(answer.rows),
        missing=answer.missing,
    )
    return results


def _in(values: list[int]) -> str:
    return ", ".join(str(int(v)) for v in values) or "0"


def _with_texts(
    page: list[_Article],
    query: Translated,
    fetch: Callable[[str, list[Any]], list[tuple[Any, ...]]],
) -> list[tuple[_Article, dict[int, tuple[str, str]], dict[str, Any]]]:
    """The page's articles with their shown hits' texts and credits, and the article JSON."""
    ids = [h[2] for a in page for h in a.hits[:HITS_SHOWN]]
    texts: dict[int, tuple[str, str]] = {}
    if ids:
        rows = fetch(
            f"SELECT id, body, credit_s FROM {{index}} WHERE MATCH(%s) AND id IN ({_in(ids)})",
            [query.match],
        )
        texts = {r[0]: (decode(r[1]), decode(r[2])) for r in rows}
    stored: dict[int, dict[str, Any]] = {}
    if page:
        rows = fetch(
            f"SELECT article, article_json FROM {{index}} WHERE MATCH(%s) "
            f"AND article IN ({_in([a.key for a in page])})",
            [f'@meta "{FIRST_TOKEN}"'],
        )
        stored = {r[0]: json.loads(r[1]) for r in rows}
    return [(a, texts, stored.get(a.key, {})) for a in page]


def _page_article(
    item: tuple[_Article, dict[int, tuple[str, str]], dict[str, Any]],
    query: Translated,
    fetch: Any,
    normalise: Normaliser,
) -> EngineArticle:
    found, texts, data = item
    article = article_from_json(data) if data else None
    headline = article.headline if article else None
    shown = found.hits[:HITS_SHOWN]
    bodies = [texts.get(h[2], ("", ""))[0] for h in shown]
    spans = find_spans(bodies + [headline or ""], query, normalise)
    captions = list(article.captions) if article else []
    first_caption = 1 if headline else 0
    hits = []
    for (score, position, _doc, kind), body, marks in zip(shown, bodies, spans, strict=False):
        name = KINDS[kind]
        caption = None
        if name == "caption" and 0 <= position - first_caption < len(captions):
            caption = captions[position - first_caption]
        hits.append(
            EngineHit(
                doc_id=f"{article.id if article else ''}#{position}",
                kind=name,
                position=position,
                text=body,
                spans=marks,
                score=score,
                credit=caption.credit if caption else None,
                date=caption.date if caption else None,
            )
        )
    return EngineArticle(
        article_id=article.id if article else "",
        headline=headline,
        headline_spans=spans[-1] if headline else (),
        url=article.url if article else None,
        published=article.published if article else None,
        source=article.source if article else None,
        score=found.score,
        hits=tuple(hits),
        more_hits=len(found.hits) - len(shown),
        dateline=article.dateline if article else None,
        byline=article.byline if article else None,
    )
