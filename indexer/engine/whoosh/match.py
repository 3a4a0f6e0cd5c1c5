"""Finding and scoring every hit of a compiled query, segment by segment, in one of two strategies.

Exact totals and facets need every matching document, so each segment is matched whole:

- the array strategy (``arrays/``): when every top-level clause of an OR query is a word or a
  phrase, each clause is scored for all its documents at once and the filters are a mask;
- the matcher strategy: otherwise Whoosh's matchers walk the documents one at a time (the union
  of the clauses for OR, an unscored driver with the filters as clauses for AND), each document
  tested against the filters and scored clause by clause.

Both give the same hits and the same scores, to the last bit (tests/engine/whoosh/
test_term_scores.py compares them). The proximity bonus of plain words is left pending by the
array strategy (an upper bound of it is returned instead) and added at once by the matcher one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq

from ...budget import Deadline
from .arrays.clause_scores import ArrayClause, array_clauses, score_clauses
from .arrays.term_scores import Floats, Ids, locate, term_scores
from .compile import CompiledQuery
from .filters import Filters
from .ranking import RankingConfig

__all__ = ["SegmentHits", "match_segments"]

#: How many documents the match loop scores between two looks at the clock: a document costs
#: 20 microseconds to a few hundred in this loop, and a heavy search steps aside for ordinary
#: ones at each look, so the fewer the documents in between, the less they wait (against 128:
#: ordinary p95 beside four attackers 1.32-1.37x alone instead of 1.55-1.69x).
_CHECK_EVERY = 32

_NO_IDS: Ids = np.zeros(0, dtype=np.int64)
_NO_FLOATS: Floats = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class SegmentHits:
    """One segment's hits: global document numbers, scores, and the upper bound of each hit's
    proximity bonus not yet added (0 where the score is final)."""

    docs: Ids
    scores: Floats
    pending: Floats


@dataclass(frozen=True)
class _Scoring:
    """What both strategies need to score a document the same way: the ranking constants and
    the coordination factor per number of matched clauses (None: no coordination)."""

    ranking: RankingConfig
    n_clauses: int
    factors: Floats | None

    @classmethod
    def of(cls, compiled: CompiledQuery, ranking: RankingConfig) -> _Scoring:
        n = len(compiled.clauses)
        if not ranking.coordinates(n):
            return cls(ranking, n, None)
        # one factor per count, computed as the per-document path would: the same floats
        factors = np.array([(m / n) ** ranking.coord_power if n else 1.0 for m in range(n + 1)])
        return cls(ranking, n, factors)


def match_segments(
    searcher: Any,
    compiled: CompiledQuery,
    filters: Filters,
    ranking: RankingConfig,
    deadline: Deadline,
) -> SegmentHits:
    """Every hit of ``compiled`` over all of ``searcher``'s segments, filters applied, in global
    document order. The strategy is chosen once for the whole query, so every segment is
    scored alike."""
    scoring = _Scoring.of(compiled, ranking)
    simple = array_clauses(compiled.clauses) if compiled.union else None
    strategy: _ArrayStrategy | _MatcherStrategy
    if simple is not None:
        strategy = _ArrayStrategy(simple, compiled.proximity, filters, scoring)
    else:
        strategy = _MatcherStrategy.of(searcher, compiled, filters, scoring)
    parts = [strategy.segment(sub, offset, deadline) for sub, offset in searcher.leaf_searchers()]
    return _joined(parts)


def _joined(parts: list[SegmentHits]) -> SegmentHits:
    """The segments' hits as one set of arrays (segments come in document-number order)."""
    if not parts:
        return SegmentHits(_NO_IDS, _NO_FLOATS, _NO_FLOATS)
    return SegmentHits(
        np.concatenate([p.docs for p in parts]),
        np.concatenate([p.scores for p in parts]),
        np.concatenate([p.pending for p in parts]),
    )


# -- the array strategy --------------------------------------------------------------------------


@dataclass(frozen=True)
class _ArrayStrategy:
    """Words and phrases under OR, scored clause by clause over whole arrays (``arrays/``)."""

    clauses: list[ArrayClause]
    proximity: wq.Phrase | None
    filters: Filters
    scoring: _Scoring

    def segment(self, sub: Any, offset: int, deadline: Deadline) -> SegmentHits:
        """One segment at once: every clause scored over all its documents, the filters as a
        mask, coordination as a lookup. The proximity bonus would need each hit's word
        positions, so only its upper bound is computed here, and only where two or more
        clauses match (the bonus is zero otherwise)."""
        found = score_clauses(sub, self.clauses, self.scoring.ranking, deadline.check)
        deadline.check()
        local, totals, matched = found.docnums, found.totals, found.matched
        mask = self.filters.mask(local + offset)
        if mask is not None:
            local, totals, matched = local[mask], totals[mask], matched[mask]
        if self.scoring.factors is not None:
            totals = totals * self.scoring.factors[matched]
        pending = np.zeros(len(local), dtype=np.float64)
        if self.proximity is not None and len(local):
            bound = _proximity_bound(sub, self.proximity, local, self.scoring.ranking)
            deadline.check()
            pending = np.where(matched > 1, bound, 0.0)
        return SegmentHits(local + offset, totals, pending)


def _proximity_bound(
    sub: Any, proximity: wq.Phrase, candidates: Ids, ranking: RankingConfig
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


# -- the matcher strategy ------------------------------------------------------------------------

#: Per top-level clause, its matcher on the text and on the headline (None: no headline twin).
_ClauseMatchers = list[tuple[Any, Any]]


@dataclass(frozen=True)
class _MatcherStrategy:
    """Any query, document by document through Whoosh's matchers.

    The candidates of an OR query are the union of its clauses' matchers; those of an AND query
    come from ``driver``, the query unscored and narrowed by the filters' index terms, so that
    Whoosh skips what kind and source exclude and only ``rest`` is left to test per document.
    Scores use contexts of the whole searcher: BM25 statistics are the index's, not a segment's.
    """

    compiled: CompiledQuery
    scoring: _Scoring
    scored: Any
    unscored: Any
    driver: wq.Query | None
    rest: Filters

    @classmethod
    def of(
        cls, searcher: Any, compiled: CompiledQuery, filters: Filters, scoring: _Scoring
    ) -> _MatcherStrategy:
        union = compiled.union
        return cls(
            compiled=compiled,
            scoring=scoring,
            scored=searcher.context(weighting=scoring.ranking.weighting()),
            unscored=searcher.boolean_context(),
            driver=None if union else _driver(compiled, filters),
            rest=filters if union else filters.without_clauses(),
        )

    def segment(self, sub: Any, offset: int, deadline: Deadline) -> SegmentHits:
        """One segment: each candidate passing ``rest`` is scored, proximity bonus included;
        the clock is read every ``_CHECK_EVERY`` candidates, passing or not."""
        compiled, scored = self.compiled, self.scored
        proximity = compiled.proximity.matcher(sub, scored) if compiled.proximity else None
        clauses: _ClauseMatchers = [
            (c.text.matcher(sub, scored), c.headline.matcher(sub, scored) if c.headline else None)
            for c in compiled.clauses
        ]
        ids = self._candidates(sub, clauses)
        keeps = self.rest.keeps if self.rest.active else None
        hit_docs: list[int] = []
        hit_scores: list[float] = []
        for i, docnum in enumerate(ids):
            if i % _CHECK_EVERY == 0:
                deadline.check()
            d = offset + docnum
            if keeps is not None and not keeps(d):
                continue
            hit_docs.append(d)
            hit_scores.append(_document_score(clauses, proximity, docnum, self.scoring))
        return SegmentHits(
            np.array(hit_docs, dtype=np.int64),
            np.array(hit_scores, dtype=np.float64),
            np.zeros(len(hit_docs), dtype=np.float64),
        )

    def _candidates(self, sub: Any, clauses: _ClauseMatchers) -> Iterable[int]:
        """The segment's document numbers to consider, in order."""
        if self.driver is None:
            return _union_ids([m for m, _ in clauses])
        driver = self.driver.matcher(sub, self.unscored)
        return driver.all_ids() if driver.is_active() else ()


def _driver(compiled: CompiledQuery, filters: Filters) -> wq.Query:
    """The unscored query whose matches are an AND query's hits: the query itself, narrowed by
    the filters' index terms."""
    parts = [compiled.match, *filters.clauses()]
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _document_score(
    clauses: _ClauseMatchers, proximity: Any, docnum: int, scoring: _Scoring
) -> float:
    """One document's score: each clause's BM25 on the text plus ``headline_weight`` times the
    same on the headline, summed, scaled for coordination, plus the proximity bonus when two or
    more clauses match. The operations and their order are the array strategy's, so the two
    strategies give the same floats."""
    ranking = scoring.ranking
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
    if scoring.factors is not None:
        total *= (matched_n / scoring.n_clauses) ** ranking.coord_power
    if proximity is not None and matched_n > 1:
        total += ranking.proximity_weight * (_score_at(proximity, docnum) or 0.0)
    return total


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
