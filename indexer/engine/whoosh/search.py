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

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

from ...budget import Deadline
from ...limits import FACET_LIMIT, FACETS, HITS_SHOWN
from ...query.parser import parse_query
from ...results import ArticleResult, Hit, SearchParams, SearchResults
from .arrays.clause_scores import array_clauses, score_clauses
from .arrays.proximity import PhraseProbe
from .arrays.term_scores import Floats, Ids, locate, term_scores
from .columns import Columns, columns
from .compile import CompiledQuery, compile_query
from .documents import stored_headline, to_utc
from .feedback import rescore_with_feedback
from .highlight import WHOLE_CAPTION_CHARS, make_snippet
from .ranking import DEFAULT, RankingConfig
from .suggest import suggest

__all__ = [
    "run_search",
    "HITS_SHOWN",
    "FACET_LIMIT",
]

_NO_IDS: Ids = np.zeros(0, dtype=np.int64)
_NO_FLOATS: Floats = np.zeros(0, dtype=np.float64)


def _timestamp(value: datetime) -> float:
    return value.replace(tzinfo=UTC).timestamp() if value.tzinfo is None else value.timestamp()


def _date_bounds(params: SearchParams) -> tuple[float, float] | None:
    """``[low, high)`` as timestamps for the ``from``/``to`` days; ``to`` 9999-12-31 is an open
    end (the next day, which would bound it, is past what a date can hold)."""
    if params.date_from is None and params.date_to is None:
        return None
    # the first day there is, not -inf: an undated document (NO_DATE, -inf) passes no date filter
    low = _timestamp(datetime.min)
    high = float("inf")
    if params.date_from is not None:
        low = _timestamp(datetime(*params.date_from.timetuple()[:3]))
    if params.date_to is not None and params.date_to < date.max:
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


#: How many documents the match loop scores between two looks at the clock: a document costs
#: 20 microseconds to a few hundred in this loop, and a heavy search steps aside for ordinary
#: ones at each look, so the fewer the documents in between, the less they wait (against 128:
#: ordinary p95 beside four attackers 1.32-1.37x alone instead of 1.55-1.69x).
_CHECK_EVERY = 32
#: How many proximity probes run between two looks at the clock.
_PROBES_PER_CHECK = 64


class _Matches:
    """Every hit of a query as arrays in global document order: ``docs``, ``scores`` and
    ``pending``, an upper bound of the proximity bonus not yet added to a hit's score (0 when
    the score is final).

    The proximity bonus needs the words' positions, the one per-document cost left for plain
    words, and it matters only for articles that can reach the shown page; ``rank`` computes
    it for those alone, and ``resolve_all`` for every hit (feedback and date sorts need all).
    """

    def __init__(
        self,
        searcher: Any,
        proximity: wq.Phrase | None,
        ranking: RankingConfig,
        docs: Ids,
        scores: Floats,
        pending: Floats,
    ) -> None:
        self.searcher = searcher
        self.proximity = proximity
        self.ranking = ranking
        self.docs = docs
        self.scores = scores
        self.pending = pending

    def __len__(self) -> int:
        return len(self.docs)

    def resolve(self, which: Ids, deadline: Deadline | None = None) -> None:
        """Add the exact proximity bonus to the hits at indexes ``which`` that still lack it."""
        which = which[self.pending[which] > 0]
        if not len(which) or self.proximity is None:
            return
        which = np.sort(which)
        docs = self.docs[which]
        weighting = self.ranking.weighting()
        weight = self.ranking.proximity_weight
        scores = self.scores
        for sub, offset in self.searcher.leaf_searchers():
            low, high = np.searchsorted(docs, [offset, offset + sub.doc_count_all()])
            if low == high:
                continue
            probe = PhraseProbe(sub, self.proximity, weighting)
            for i, (at, docnum) in enumerate(
                zip(which[low:high].tolist(), docs[low:high].tolist(), strict=True)
            ):
                if deadline is not None and i % _PROBES_PER_CHECK == 0:
                    deadline.check()
                scores[at] = scores[at] + weight * (probe.score(docnum - offset) or 0.0)
        self.pending[which] = 0.0

    def resolve_all(self, deadline: Deadline | None = None) -> None:
        self.resolve(np.flatnonzero(self.pending > 0), deadline)

    def pairs(self) -> list[tuple[float, int]]:
        """``(score, docnum)`` per hit, every bonus included."""
        self.resolve_all()
        return list(zip(self.scores.tolist(), self.docs.tolist(), strict=True))


def _filter_mask(cols: Columns, docs: Ids, params: SearchParams) -> npt.NDArray[np.bool_] | None:
    """Which of ``docs`` pass the date, kind and source filters (None: no filter)."""
    mask: npt.NDArray[np.bool_] | None = None
    bounds = _date_bounds(params)
    if bounds is not None:
        published = cols.published[docs]
        mask = (published >= bounds[0]) & (published < bounds[1])
    if params.kind:
        codes = [i for i, v in enumerate(cols.kind.values) if v == params.kind]
        keep = np.isin(cols.kind.codes[docs], codes)
        mask = keep if mask is None else mask & keep
    if params.source:
        keep = np.isin(cols.source.codes[docs], cols.source_codes(params.source.lower()))
        mask = keep if mask is None else mask & keep
    return mask


def _proximity_bound(
    sub: Any, proximity: wq.Query, candidates: Ids, ranking: RankingConfig
) -> Floats:
    """Per candidate, an upper bound of the proximity bonus: the phrase's score is the sum of its
    words' BM25 scores in the text, and it is zero unless the text has every word."""
    weighting = ranking.weighting()
    total = np.zeros(len(candidates), dtype=np.float64)
    has_all = np.ones(len(candidates), dtype=bool)
    for word in proximity.words:
        ids, scores = term_scores(sub, weighting, "text", word)
        where, inside = locate(ids, candidates)
        has_all &= inside
        total[inside] += scores[where[inside]]
    # a little over the exact sum, which adds the same numbers in another order
    return np.where(has_all, ranking.proximity_weight * total * (1 + 1e-9) + 1e-12, 0.0)


def _match(
    searcher: Any,
    compiled: CompiledQuery,
    params: SearchParams,
    ranking: RankingConfig,
    deadline: Deadline | None = None,
) -> _Matches:
    """Every hit, filters applied, scored (the proximity bonus of plain words left pending)."""
    deadline = deadline or Deadline(0.0, None, lane=None)
    cols = columns(searcher)
    bounds = _date_bounds(params)
    published = cols.published.tolist() if bounds is not None else []
    driver_q = _driver(compiled, params)
    scored = searcher.context(weighting=ranking.weighting())
    unscored = searcher.boolean_context()
    n_clauses = len(compiled.clauses)
    coordinate = ranking.coordinates(n_clauses)
    # the coordination factor for each number of matched clauses, computed as the general path
    factors = np.array(
        [(m / n_clauses) ** ranking.coord_power if n_clauses else 1.0 for m in range(n_clauses + 1)]
    )
    kind = params.kind
    source = params.source.lower() if params.source else None
    simple = array_clauses(compiled.clauses) if compiled.union else None
    parts: list[tuple[Ids, Floats, Floats]] = []
    for sub, offset in searcher.leaf_searchers():
        if simple is not None:
            # words and phrases: the same scores, clause by clause over whole arrays
            found = score_clauses(sub, simple, ranking, deadline.check)
            deadline.check()
            docs = found.docnums + offset
            totals = found.totals
            matched = found.matched
            mask = _filter_mask(cols, docs, params)
            local = found.docnums
            if mask is not None:
                docs, totals, matched, local = docs[mask], totals[mask], matched[mask], local[mask]
            if coordinate:
                totals = totals * factors[matched]
            pending = np.zeros(len(docs), dtype=np.float64)
            if compiled.proximity is not None and len(docs):
                bound = _proximity_bound(sub, compiled.proximity, local, ranking)
                deadline.check()
                pending = np.where(matched > 1, bound, 0.0)
            parts.append((docs, totals, pending))
            continue
        proximity = compiled.proximity.matcher(sub, scored) if compiled.proximity else None
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
        kinds = cols.kind
        sources = cols.source
        hit_docs: list[int] = []
        hit_scores: list[float] = []
        for i, docnum in enumerate(ids):
            if i % _CHECK_EVERY == 0:
                deadline.check()
            d = offset + docnum
            if bounds is not None and not bounds[0] <= published[d] < bounds[1]:
                continue
            if compiled.union and (
                (kind and kinds.values[kinds.codes[d]] != kind)
                or (source and sources.values[sources.codes[d]].lower() != source)
            ):
                continue
            total = 0.0
            matched_n = 0
            for text_m, head_m in clauses:
                score = _score_at(text_m, docnum)
                if head_m is not None:
                    extra = _score_at(head_m, docnum)
                    if extra is not None:
                        score = (score or 0.0) + ranking.headline_weight * extra
                if score is not None:
                    total += score
                    matched_n += 1
            if coordinate:
                total *= (matched_n / n_clauses) ** ranking.coord_power
            if proximity is not None and matched_n > 1:
                total += ranking.proximity_weight * (_score_at(proximity, docnum) or 0.0)
            hit_docs.append(d)
            hit_scores.append(total)
        parts.append(
            (
                np.array(hit_docs, dtype=np.int64),
                np.array(hit_scores, dtype=np.float64),
                np.zeros(len(hit_docs), dtype=np.float64),
            )
        )
    if parts:
        docs_all = np.concatenate([p[0] for p in parts])
        scores_all = np.concatenate([p[1] for p in parts])
        pending_all = np.concatenate([p[2] for p in parts])
    else:
        docs_all, scores_all, pending_all = _NO_IDS, _NO_FLOATS, _NO_FLOATS
    return _Matches(searcher, compiled.proximity, ranking, docs_all, scores_all, pending_all)


@dataclass(frozen=True)
class _Ranking:
    """Hits grouped by article, articles in result order (only the first ``settled`` of
    ``order`` are in their final order; the rest are only counted)."""

    hit_order: Ids  # hit indexes sorted by article, then best first
    starts: Ids  # where each article's hits begin in hit_order
    counts: Ids  # how many hits each article has
    scores: Floats  # article scores
    order: Ids  # article indexes, best first


def _group(
    matches: _Matches, cols: Columns, ranking: RankingConfig, sort: str, upper: bool
) -> _Ranking:
    """Articles from hits: an article scores as its best hit plus ``extra_hit_weight`` times its
    next best ones (up to HITS_SHOWN); ties go to the newer article, then the article id.
    With ``upper``, hit scores include their pending bonus bound."""
    docs = matches.docs
    scores = matches.scores + matches.pending if upper else matches.scores
    art = cols.article.codes[docs]
    hit_order = np.lexsort((cols.position[docs], -scores, art))
    art_sorted = art[hit_order]
    n = len(hit_order)
    starts = np.flatnonzero(np.r_[True, art_sorted[1:] != art_sorted[:-1]]) if n else _NO_IDS
    counts = np.diff(np.r_[starts, n])
    sorted_scores = scores[hit_order]
    extra = np.zeros(len(starts), dtype=np.float64)
    for rank in range(1, HITS_SHOWN):
        has = counts > rank
        extra = extra + np.where(has, sorted_scores[np.minimum(starts + rank, max(n - 1, 0))], 0.0)
    article_scores = sorted_scores[starts] + ranking.extra_hit_weight * extra
    published = cols.published[docs[hit_order[starts]]]
    codes = art_sorted[starts]
    if sort == "newest":
        order = np.lexsort((codes, -article_scores, -published))
    elif sort == "oldest":
        order = np.lexsort((codes, -article_scores, published))
    else:
        order = np.lexsort((codes, -published, -article_scores))
    return _Ranking(hit_order, starts, counts, article_scores, order)


def _rank(
    matches: _Matches,
    cols: Columns,
    ranking: RankingConfig,
    params: SearchParams,
    deadline: Deadline,
) -> _Ranking:
    """The articles in result order, exact at least up to the end of the requested page.

    For relevance order, hits whose proximity bonus is pending are resolved only while their
    article could still reach the page: an article's score computed with every bonus at its
    upper bound is at least its true score, so once every article that ranks on the page by
    those bounds (ties included) is exact, no other article can overtake one of them."""
    if params.sort != "relevance":
        matches.resolve_all(deadline)
    needed = params.page * params.per_page
    # each round resolves more articles than the page needs, so that it rarely takes more than
    # one or two (every round re-ranks all hits), but not many more (positions are dear)
    reach = max(needed * 2, 20)
    while True:
        ranked = _group(matches, cols, ranking, params.sort, upper=True)
        if not _pending_hits(ranked, matches, needed).size:
            return ranked
        deadline.check()
        matches.resolve(_pending_hits(ranked, matches, reach), deadline)
        reach *= 2


def _pending_hits(ranked: _Ranking, matches: _Matches, count: int) -> Ids:
    """The hits still lacking their bonus among the first ``count`` articles (and any tied
    with the last of them)."""
    top = ranked.order[:count]
    if not len(top):
        return _NO_IDS
    top = np.flatnonzero(ranked.scores >= ranked.scores[top[-1]])
    hits: Ids = np.concatenate(
        [
            ranked.hit_order[s : s + c]
            for s, c in zip(ranked.starts[top].tolist(), ranked.counts[top].tolist(), strict=True)
        ]
    )
    open_hits: Ids = hits[matches.pending[hits] > 0]
    return open_hits


def _facets(cols: Columns, docs: Ids) -> dict[str, dict[str, int]]:
    return {name: dict(getattr(cols, name).count(docs)[:FACET_LIMIT]) for name in FACETS}


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
    first_docnum = 0
    for hit_score, docnum in hits[:HITS_SHOWN]:
        stored = searcher.stored_fields(docnum)
        if not first:
            first, first_docnum = stored, docnum
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
        headline=stored_headline(searcher, first_docnum, first) if first else None,
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
    started: float | None = None,
) -> SearchResults:
    """One page of results for validated ``params`` (QueryError for a query that cannot run).
    ``ranking`` is for the relevance benchmark, which compares named settings on one index.
    With ``time_budget`` (seconds, counted from ``started``, a ``time.perf_counter()``
    reading, or from now), a search still working after that long stops with QueryTooSlow
    instead of holding a server thread; every step looks at the clock (``budget``)."""
    started = time.perf_counter() if started is None else started
    with Deadline(started, time_budget) as deadline:
        return _search(searcher, params, ranking, deadline, started)


def _search(
    searcher: Any,
    params: SearchParams,
    ranking: RankingConfig,
    deadline: Deadline,
    started: float,
) -> SearchResults:
    tree = parse_query(params.query)
    compiled = compile_query(tree, searcher, deadline.check)
    cols = columns(searcher)
    matches = _match(searcher, compiled, params, ranking, deadline)
    deadline.check()
    if ranking.feeds_back(len(compiled.clauses)) and len(matches):
        matches.resolve_all(deadline)
        scores = rescore_with_feedback(
            searcher, matches.docs, matches.scores, len(compiled.clauses), ranking, deadline.check
        )
        matches = _Matches(
            searcher, None, ranking, matches.docs, scores, np.zeros(len(scores), dtype=np.float64)
        )
    ranked = _rank(matches, cols, ranking, params, deadline)

    first = (params.page - 1) * params.per_page
    results = []
    for a in ranked.order[first : first + params.per_page].tolist():
        deadline.check()
        start, count = int(ranked.starts[a]), int(ranked.counts[a])
        hits = ranked.hit_order[start : start + count]
        group = list(zip(matches.scores[hits].tolist(), matches.docs[hits].tolist(), strict=True))
        results.append(_article_result(searcher, compiled, float(ranked.scores[a]), group))
    suggestion = suggest(searcher, compiled.words, params.query, deadline.check)
    return SearchResults(
        params=params,
        total_hits=len(matches),
        total_articles=len(ranked.starts),
        results=tuple(results),
        facets=_facets(cols, matches.docs),
        suggestion=suggestion,
        took_ms=(time.perf_counter() - started) * 1000,
    )
