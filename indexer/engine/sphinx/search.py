"""A search through the head's distributed index, grouped, counted and faceted by the servers.

One multi-statement round trip asks for the page of articles (``GROUP BY article``, each
represented by its best hit), the number of articles (``SHOW META``'s ``total_found`` of that
grouping) and every facet from one grouping by the combinations of their values (their counts
sum to ``total_hits``); a second one fetches the page's best three hits per article (``GROUP 3
BY``) with their texts, and the page's articles (by document id). Every article lives on one
shard, so the agents' groups never overlap and their counts add up exactly (no
COUNT(DISTINCT) estimate across agents). Scores come from the expression ranker (``ranker``):
BM25 per field written out over a per-passage length attribute, the way the Whoosh engine
scores passages, then the longest run of query words in order (phrases and near words first).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ...budget import Deadline
from ...limits import FACET_LIMIT, HITS_SHOWN, UNDATED
from ...model import KINDS, article_from_json
from ...results import SearchParams
from ..base import EngineArticle, EngineHit, EngineResults
from .schema import decode, doc_key, epoch, source_number
from .spans import Normaliser, find_spans, word_offsets
from .translate import DateFilter, Translated

__all__ = ["Answer", "Batch", "DEFAULT_LENGTH", "options", "run_search", "stored_statement"]

#: BM25's term-frequency saturation and length normalisation in the ranker (k1 from 1.2, 2, 3
#: on TIME DEV, docs/scaling.md; a higher k1 than usual because the tf it saturates is the
#: idf-weighted mean of the matched words', not each word's own).
K1 = 3.0
B = 0.75
#: Field weights: a passage's own text first, its article's headline (ranking only) after.
FIELD_WEIGHTS = "text=10, headline=3, credit=5, byline=5, dateline=5, meta=1"
#: Length assumed when the index cannot say (empty, or its head does not answer).
DEFAULT_LENGTH = 50.0


def ranker(average_length: float) -> str:
    """The expression ranker: BM25 per field written out (Sphinx 2.2's own ``bm25a`` has no
    length normalisation without ``index_field_lengths``, and with it RT indexes give it no
    average length), over ``length`` (the passage's words, an attribute), with idf 'plain'
    (never negative); plus the longest run of query words in order beyond one (phrases and
    near words first among equal BM25)."""
    avg = max(float(average_length), 1.0)
    tf = "(tf_idf/sum_idf)"
    norm = f"{K1}*({1 - B}+{B}*length/{avg:.3f})"
    bm25 = f"sum(user_weight*sum_idf*{tf}*{K1 + 1}/({tf}+{norm}))*100"
    return f"{bm25}+sum((lcs-1)*user_weight)"


def options(average_length: float) -> str:
    """The OPTION clause every search statement carries."""
    return f"ranker=expr('{ranker(average_length)}'), idf='plain', field_weights=({FIELD_WEIGHTS})"


#: A statement that needs no scores says so (``Batch`` then adds no ranker).
UNRANKED = "ranker=none"
#: Groups asked for first (a facet, the page); a facet with more distinct values is asked
#: again with room for all of them (``total_found``), so every count is exact.
MIN_MATCHES = 1000
_ORDER = {
    "relevance": "w DESC, has_published DESC, published DESC, article ASC",
    "newest": "has_published DESC, published DESC, w DESC, article ASC",
    # undated articles last in both date orders (as on every engine)
    "oldest": "has_published DESC, published ASC, w DESC, article ASC",
}


@dataclass(frozen=True)
class Answer:
    """Each statement's rows, ``SHOW META`` of the first, the agents that failed."""

    rows: list[list[tuple[Any, ...]]]
    total_found: int
    missing: tuple[str, ...]
    #: each statement's total_found (for a grouping: how many groups)
    totals: list[int]


Statement = tuple[str, Sequence[Any] | None, int]
#: runs statements (``{index}`` for the distributed index; each gets its LIMIT/OPTION) on the
#: head in one round trip
Batch = Callable[[Sequence[Statement]], Answer]


def _where(
    query: Translated, params: SearchParams, ranked: bool = True
) -> tuple[str, list[Any], str]:
    """The WHERE clause, its arguments and the select expressions date filters need; a
    statement that is not ``ranked`` matches the same documents without the ranking parts."""
    clauses = ["MATCH(%s)"]
    args: list[Any] = [query.match if ranked else query.matching or query.match]
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


def _facet(pairs: list[tuple[Any, Any]], label: Callable[[Any], str]) -> dict[str, int]:
    """A facet's counts from (value, count) pairs: the same value in several combinations
    sums; empty values (no source, no credit) are not a facet value."""
    counts: dict[str, int] = {}
    for value, count in pairs:
        name = label(value)
        if name:
            counts[name] = counts.get(name, 0) + int(count)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(ordered[:FACET_LIMIT])


def _month(value: Any) -> str:
    """YYYY-MM, or the facet's own value for undated documents (so the counts add up)."""
    return f"{int(value) // 100:04d}-{int(value) % 100:02d}" if int(value) else UNDATED


#: The facet statement's grouping: one row per combination of the facets' values, whose
#: counts add up to each facet's (one match of the query for all four facets, not four), by
#: integer keys (grouping by the string attributes took twice as long at 1,000,000 passages);
#: each group's row also carries the source's and credit's text.
FACET_COLUMNS = ("kind", "source_key", "month", "credit_key")
FACET_LABELS = ("source_s", "credit_s")


def _first_batch(query: Translated, params: SearchParams) -> list[Statement]:
    """The page of articles (ranked and grouped by the servers), then the facets."""
    where, args, extra = _where(query, params)
    base = f"FROM {{index}} WHERE {where}"
    first = (params.page - 1) * params.per_page
    end = first + params.per_page
    columns = ", ".join(FACET_COLUMNS)
    labels = ", ".join(FACET_LABELS)
    # counts only: no ranking (the ranker runs per matched document). Every group comes back
    # (asked again with room for all when there are more): agents keep only LIMIT groups
    # each, and a group's count sums theirs.
    counted, count_args, _ = _where(query, params, ranked=False)
    facets = (
        f"SELECT {columns}, {labels}, COUNT(*) n{extra} FROM {{index}} WHERE {counted} "
        f"GROUP BY {columns} LIMIT 0, {MIN_MATCHES} OPTION {UNRANKED}"
    )
    page = (
        f"SELECT article, WEIGHT() w, COUNT(*) n, published, has_published, article_id{extra} "
        f"{base} GROUP BY article WITHIN GROUP ORDER BY w DESC, position ASC "
        f"ORDER BY {_ORDER[params.sort]} LIMIT {first}, {params.per_page}"
    )
    return [(page, args, max(MIN_MATCHES, end)), (facets, count_args, MIN_MATCHES)]


def _facets(rows: list[tuple[Any, ...]]) -> tuple[dict[str, dict[str, int]], int]:
    """Each facet's counts from the combinations' rows (credits of captions only), and the
    number of hits (every matched document is in exactly one combination)."""
    at = {name: i for i, name in enumerate((*FACET_COLUMNS, *FACET_LABELS, "n"))}
    kind, source, month, credit, n = (at[c] for c in ("kind", "source_s", "month", "credit_s", "n"))
    captions = [row for row in rows if int(row[kind]) == KINDS.index("caption")]
    facets = {
        "kind": _facet([(row[kind], row[n]) for row in rows], lambda v: KINDS[int(v)]),
        "source": _facet([(row[source], row[n]) for row in rows], decode),
        "credit": _facet([(row[credit], row[n]) for row in captions], decode),
        "month": _facet([(row[month], row[n]) for row in rows], _month),
    }
    return facets, sum(int(row[n]) for row in rows)


def run_search(
    query: Translated,
    params: SearchParams,
    deadline: Deadline,
    batch: Batch,
    normalise: Normaliser,
) -> EngineResults:
    """The page of articles, exact totals and facets for a translated query."""
    statements = _first_batch(query, params)
    answer = batch(statements)
    deadline.check()
    page, combinations = answer.rows
    combined = answer.totals[1]
    if combined > len(combinations):
        sql, args, _ = statements[1]
        sql = sql.replace(f"LIMIT 0, {MIN_MATCHES}", f"LIMIT 0, {combined}")
        combinations = batch([(sql, args, combined)]).rows[0]
    facets, total_hits = _facets(combinations)
    shown = _page(page, query, params, batch, normalise) if page else []
    return EngineResults(
        total_hits=total_hits,
        total_articles=answer.total_found if page or params.page > 1 else 0,
        articles=tuple(shown),
        facets=facets,
        missing=answer.missing,
    )


def _in(values: Sequence[int]) -> str:
    return ", ".join(str(int(v)) for v in values) or "0"


def _hits_statement(keys: Sequence[int], query: Translated, params: SearchParams) -> Statement:
    """The best HITS_SHOWN hits of each of these articles (texts for snippets)."""
    where, args, extra = _where(query, params)
    sql = (
        f"SELECT id, article, position, kind, WEIGHT() w, body{extra} FROM {{index}} "
        f"WHERE {where} AND article IN ({_in(keys)}) "
        f"GROUP {HITS_SHOWN} BY article WITHIN GROUP ORDER BY w DESC, position ASC"
    )
    return sql, args, len(keys) * HITS_SHOWN


def stored_statement(article_ids: Sequence[str]) -> Statement:
    """These articles' stored JSON, from each one's first document by its id (a look-up, where
    matching the first documents' token and filtering took 9 ms at 1,000,000 passages): rows
    of (article key, JSON). The page, ``article`` and ``articles`` all read them so."""
    ids = _in([doc_key(article_id, 0) for article_id in article_ids])
    count = len(article_ids)
    sql = f"SELECT article, article_json FROM {{index}} WHERE id IN ({ids}) LIMIT 0, {count}"
    return sql + f" OPTION {UNRANKED}", None, count


def _by_article(rows: list[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    hits: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        hits.setdefault(int(row[1]), []).append(row)
    return hits


def _page(
    page: list[tuple[Any, ...]],
    query: Translated,
    params: SearchParams,
    batch: Batch,
    normalise: Normaliser,
) -> list[EngineArticle]:
    """The page's articles, ranked by the servers: their best hits and their stored JSON."""
    keys = [int(row[0]) for row in page]
    ids = [decode(row[5]) for row in page]
    rows = batch([_hits_statement(keys, query, params), stored_statement(ids)]).rows
    ranked = [(int(r[0]), int(r[1]), int(r[2])) for r in page]
    return _articles(ranked, _by_article(rows[0]), _stored(rows[1]), query, normalise)


def _stored(rows: list[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
    return {int(r[0]): json.loads(r[1]) for r in rows}


def _articles(
    ranked: list[tuple[int, int, int]],
    hits: dict[int, list[tuple[Any, ...]]],
    stored: dict[int, dict[str, Any]],
    query: Translated,
    normalise: Normaliser,
) -> list[EngineArticle]:
    """EngineArticles for (article, weight, hit count) in page order."""
    best = {
        k: sorted(hits.get(k, []), key=lambda h: (-int(h[4]), int(h[2])))[:HITS_SHOWN]
        for k, _, _ in ranked
    }
    # one look-up of every shown word's normal form for the whole page
    texts = [decode(h[5]) for found in best.values() for h in found]
    texts += [str(data.get("headline") or "") for data in stored.values()]
    known = normalise(
        {w for t in texts for w, _, _ in word_offsets(t)}
        | set(query.words)
        | {t for p in query.phrases for t in p}
    )

    def cached(words: Iterable[str]) -> dict[str, str]:
        return {w: known.get(w, w) for w in words}

    return [
        _article(stored.get(key, {}), best[key], weight, count, query, cached)
        for key, weight, count in ranked
    ]


def _article(
    data: dict[str, Any],
    best: list[tuple[Any, ...]],
    weight: int,
    count: int,
    query: Translated,
    normalise: Normaliser,
) -> EngineArticle:
    article = article_from_json(data) if data else None
    headline = article.headline if article else None
    bodies = [decode(h[5]) for h in best]
    spans = find_spans(bodies + [headline or ""], query, normalise)
    captions = list(article.captions) if article else []
    first_caption = 1 if headline else 0
    hits = []
    for row, body, marks in zip(best, bodies, spans, strict=False):
        name, position, w = KINDS[int(row[3])], int(row[2]), int(row[4])
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
                score=w / 1000.0,
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
        score=weight / 1000.0,
        hits=tuple(hits),
        more_hits=count - len(hits),
        dateline=article.dateline if article else None,
        byline=article.byline if article else None,
    )
