"""Running a search: matching, scoring, grouping hits by article, facets, snippets, suggestion.

Exact totals and facets need every matching document, so the match loop is kept lean: one
unscored driver decides which documents are hits, the clauses are scored only on those, and
everything per document (article, kind, source, date) comes from columns read once per searcher
rather than from stored fields. Stored fields and snippets are loaded for the shown page only.

Scoring (the constants are a ``RankingConfig``, see ``ranking`` and docs/relevance.md): each
clause scores BM25 over the document's text plus (``headline_weight``) the same words in its
article's headline; for short queries the sum is scaled by ``(matched / clauses) ** coord_power``
so documents matching more of the words come first under the default OR, and unquoted words that
occur close together earn a phrase bonus. Long queries are re-scored with pseudo-relevance
feedback (``feedback``) instead. An article scores as its best hit plus a little for its next
best ones; ties go to the newer article.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from whoosh import query as wq

from .documents import to_utc
from .errors import QueryTooSlow
from .feedback import rescore_with_feedback
from .highlight import WHOLE_CAPTION_CHARS, make_snippet
from .query import parse_query
from .query_compile import CompiledQuery, compile_query
from .ranking import DEFAULT, RankingConfig
from .results import ArticleResult, Hit, SearchParams, SearchResults
from .suggest import suggest
from .term_scores import score_words, word_clauses

__all__ = [
    "run_search",
    "HITS_SHOWN",
    "FACET_LIMIT",
]

HITS_SHOWN = 3
#: Facets list at most this many values each (most frequent first).
FACET_LIMIT = 25
_NO_DATE = float("-inf")


@dataclass(frozen=True)
class _Columns:
    """Per-document values for a whole searcher, indexed by global document number."""

    article_id: list[str]
    kind: list[str]
    source: list[str]
    source_folded: list[str]
    credit: list[str]
    month: list[str]
    published: list[float]
    position: list[int]


_columns_cache: weakref.WeakKeyDictionary[Any, _Columns] = weakref.WeakKeyDictionary()
_columns_lock = threading.Lock()


#: Whoosh stores DATETIME columns as microseconds since ``datetime.min``.
_EPOCH_USECS = (datetime(1970, 1, 1) - datetime.min) // timedelta(microseconds=1)
#: Dates past this are the column's "no value" default, not a real date.
_MAX_USECS = (datetime.max - datetime.min) // timedelta(microseconds=1)


def _raw_timestamp(value: Any) -> float:
    """A POSIX timestamp from a raw DATETIME column value; _NO_DATE for an undated document."""
    if not isinstance(value, int) or value < 0 or value > _MAX_USECS:
        return _NO_DATE
    return (value - _EPOCH_USECS) / 1_000_000


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).timestamp() if value.tzinfo is None else value.timestamp()
    return _NO_DATE


def _columns(searcher: Any) -> _Columns:
    """The columns of ``searcher``'s index generation, read once and shared by all threads."""
    cols = _columns_cache.get(searcher)
    if cols is not None:
        return cols
    with _columns_lock:
        cols = _columns_cache.get(searcher)
        if cols is None:
            leaves = [sub.reader() for sub, _ in searcher.leaf_searchers()]

            def read(name: str, translate: bool = True) -> list[Any]:
                # per segment: a segment where no document has the field has no column at all,
                # and a multi-segment column reader would then come out short
                values: list[Any] = []
                for reader in leaves:
                    n = reader.doc_count_all()
                    part = (
                        list(reader.column_reader(name, translate=translate))
                        if reader.has_column(name)
                        else []
                    )
                    values += part[:n] + [None] * (n - len(part))
                return values

            source = [s or "" for s in read("source")]
            cols = _Columns(
                article_id=[a or "" for a in read("article_id")],
                kind=[k or "" for k in read("kind")],
                source=source,
                source_folded=[s.lower() for s in source],
                credit=[c or "" for c in read("credit_exact")],
                month=[m or "" for m in read("month")],
                # raw values: an undated document's column default is no representable date
                published=[_raw_timestamp(p) for p in read("published", translate=False)],
                position=[int(p or 0) for p in read("position")],
            )
            _columns_cache[searcher] = cols
    return cols


def _date_bounds(params: SearchParams) -> tuple[float, float] | None:
    if params.date_from is None and params.date_to is None:
        return None
    low = _NO_DATE
    high = float("inf")
    if params.date_from is not None:
        low = _timestamp(datetime(*params.date_from.timetuple()[:3]))
    if params.date_to is not None:
        # the whole of the last day is included
        high = _timestamp(datetime(*(params.date_to + timedelta(days=1)).timetuple()[:3]))
    return low, high


def _driver(compiled: CompiledQuery, params: SearchParams) -> wq.Query:
    parts = [compiled.match]
    if params.kind:
        parts.append(wq.Term("kind", params.kind))
    if params.source:
        parts.append(wq.Term("source", params.source.lower()))
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _score_at(m: Any, docnum: int) -> float | None:
    """The matcher's score at ``docnum`` (moving it there), or None when it does not match."""
    if m.is_active() and m.id() < docnum:
        m.skip_to(docnum)
    if m.is_active() and m.id() == docnum:
        return float(m.score())
    return None


def _union_ids(matchers: list[Any]) -> Iterator[int]:
    """Document numbers matched by any of ``matchers``, in order. The caller scores each one
    before asking for the next (the matchers still stand on it)."""
    while True:
        current = [m for m in matchers if m.is_active()]
        if not current:
            return
        docnum = min(m.id() for m in current)
        yield docnum
        for m in current:
            if m.is_active() and m.id() == docnum:
                m.next()


class _Deadline:
    """A search's time budget, checked between units of work (cheap: a clock read)."""

    def __init__(self, started: float, budget: float | None) -> None:
        self.budget = budget
        self.at = None if budget is None else started + budget

    def check(self) -> None:
        if self.at is not None and time.perf_counter() > self.at:
            assert self.budget is not None
            raise QueryTooSlow(self.budget)


#: How many documents the match loops score between two looks at the clock.
_CHECK_EVERY = 2048


def _match(
    searcher: Any,
    compiled: CompiledQuery,
    params: SearchParams,
    ranking: RankingConfig,
    deadline: _Deadline | None = None,
) -> list[tuple[float, int]]:
    """Every hit as ``(score, global docnum)``, filters applied."""
    deadline = deadline or _Deadline(0.0, None)
    cols = _columns(searcher)
    bounds = _date_bounds(params)
    published = cols.published
    driver_q = _driver(compiled, params)
    scored = searcher.context(weighting=ranking.weighting())
    unscored = searcher.boolean_context()
    n_clauses = len(compiled.clauses)
    coordinate = ranking.coordinates(n_clauses)
    hits: list[tuple[float, int]] = []
    kind = params.kind
    source = params.source.lower() if params.source else None
    words = word_clauses(compiled.clauses) if compiled.union else None
    for sub, offset in searcher.leaf_searchers():
        proximity = compiled.proximity.matcher(sub, scored) if compiled.proximity else None
        if words is not None:
            # plain words: the same scores, read postings list by postings list
            totals, matched_of = score_words(sub, words, ranking)
            deadline.check()
            for i, docnum in enumerate(sorted(totals)):
                if i % _CHECK_EVERY == 0:
                    deadline.check()
                d = offset + docnum
                if bounds is not None and not bounds[0] <= published[d] < bounds[1]:
                    continue
                if (kind and cols.kind[d] != kind) or (source and cols.source_folded[d] != source):
                    continue
                total = totals[docnum]
                matched = matched_of[docnum]
                if coordinate:
                    total *= (matched / n_clauses) ** ranking.coord_power
                if proximity is not None and matched > 1:
                    total += ranking.proximity_weight * (_score_at(proximity, docnum) or 0.0)
                hits.append((total, d))
            continue
        clauses = [
            (c.text.matcher(sub, scored), c.headline.matcher(sub, scored) if c.headline else None)
            for c in compiled.clauses
        ]
        if compiled.union:
            ids = _union_ids([m for m, _ in clauses])
        else:
            driver = driver_q.matcher(sub, unscored)
            if not driver.is_active():
                continue
            ids = driver.all_ids()
        for i, docnum in enumerate(ids):
            if i % _CHECK_EVERY == 0:
                deadline.check()
            d = offset + docnum
            if bounds is not None and not bounds[0] <= published[d] < bounds[1]:
                continue
            if compiled.union and (
                (kind and cols.kind[d] != kind) or (source and cols.source_folded[d] != source)
            ):
                continue
            total = 0.0
            matched = 0
            for text_m, head_m in clauses:
                score = _score_at(text_m, docnum)
                if head_m is not None:
                    extra = _score_at(head_m, docnum)
                    if extra is not None:
                        score = (score or 0.0) + ranking.headline_weight * extra
                if score is not None:
                    total += score
                    matched += 1
            if coordinate:
                total *= (matched / n_clauses) ** ranking.coord_power
            if proximity is not None and matched > 1:
                total += ranking.proximity_weight * (_score_at(proximity, docnum) or 0.0)
            hits.append((total, offset + docnum))
    return hits


def _facets(cols: _Columns, docnums: list[int]) -> dict[str, dict[str, int]]:
    def count(values: list[str]) -> dict[str, int]:
        counts = Counter(values[d] for d in docnums)
        counts.pop("", None)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return dict(ranked[:FACET_LIMIT])

    return {
        "kind": count(cols.kind),
        "source": count(cols.source),
        "credit": count(cols.credit),
        "month": count(cols.month),
    }


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _article_result(
    searcher: Any, compiled: CompiledQuery, score: float, hits: list[tuple[float, int]]
) -> ArticleResult:
    analyzer = searcher.schema["text"].analyzer
    shown: list[Hit] = []
    first: dict[str, Any] = {}
    for hit_score, docnum in hits[:HITS_SHOWN]:
        stored = searcher.stored_fields(docnum)
        first = first or stored
        text = stored.get("text") or ""
        kind = stored.get("kind") or ""
        whole = kind == "headline" or (kind == "caption" and len(text) <= WHOLE_CAPTION_CHARS)
        snippet = make_snippet(
            text, analyzer=analyzer, terms=compiled.marks, phrases=compiled.phrases, whole=whole
        )
        caption = kind == "caption"
        shown.append(
            Hit(
                doc_id=stored.get("doc_id") or "",
                kind=kind,
                position=int(stored.get("position") or 0),
                snippet=snippet,
                score=hit_score,
                credit=stored.get("credit") if caption else None,
                date=_as_date(stored.get("photo_date")) if caption else None,
            )
        )
    published = first.get("published")
    return ArticleResult(
        article_id=first.get("article_id") or "",
        headline=first.get("headline"),
        url=first.get("url"),
        published=to_utc(published) if isinstance(published, datetime) else None,
        source=first.get("source"),
        score=score,
        hits=tuple(shown),
        more_hits=len(hits) - len(shown),
        dateline=first.get("dateline"),
        byline=first.get("byline"),
    )


def run_search(
    searcher: Any,
    params: SearchParams,
    ranking: RankingConfig = DEFAULT,
    *,
    time_budget: float | None = None,
) -> SearchResults:
    """One page of results for validated ``params`` (QueryError for a query that cannot run).
    ``ranking`` is for the relevance benchmark, which compares named settings on one index.
    With ``time_budget`` (seconds), a search still matching after that long stops with
    QueryTooSlow instead of holding a server thread."""
    started = time.perf_counter()
    deadline = _Deadline(started, time_budget)
    tree = parse_query(params.query)
    compiled = compile_query(tree, searcher)
    cols = _columns(searcher)
    hits = _match(searcher, compiled, params, ranking, deadline)
    deadline.check()
    hits = rescore_with_feedback(searcher, hits, len(compiled.clauses), ranking)

    position = cols.position
    by_article: dict[str, list[tuple[float, int]]] = defaultdict(list)
    article_of = cols.article_id
    for hit in hits:
        by_article[article_of[hit[1]]].append(hit)
    ranked: list[tuple[float, float, str, list[tuple[float, int]]]] = []
    for article_id, group in by_article.items():
        group.sort(key=lambda h: (-h[0], position[h[1]]))
        score = group[0][0] + ranking.extra_hit_weight * sum(h[0] for h in group[1:HITS_SHOWN])
        ranked.append((score, cols.published[group[0][1]], article_id, group))
    if params.sort == "newest":
        ranked.sort(key=lambda a: (-a[1], -a[0], a[2]))
    elif params.sort == "oldest":
        ranked.sort(key=lambda a: (a[1], -a[0], a[2]))
    else:
        ranked.sort(key=lambda a: (-a[0], -a[1], a[2]))

    first = (params.page - 1) * params.per_page
    page = ranked[first : first + params.per_page]
    results = tuple(_article_result(searcher, compiled, a[0], a[3]) for a in page)
    suggestion = suggest(searcher, compiled.words, params.query)
    return SearchResults(
        params=params,
        total_hits=len(hits),
        total_articles=len(ranked),
        results=results,
        facets=_facets(cols, [d for _, d in hits]),
        suggestion=suggestion,
        took_ms=(time.perf_counter() - started) * 1000,
    )
