"""Scoring a query whose clauses are words and phrases, clause by clause over whole arrays.

search.py's general path scores a query document by document, asking every clause's matcher to
move to each document in turn; in pure Python that protocol (is_active, id, skip_to, score per
clause per document) costs more than the BM25 arithmetic itself. When every top-level clause is
a word or a phrase (with the same in the headline), each clause is scored for all its documents
at once (``term_scores``, ``phrases``) and the clauses are added up in the same order with the
same floating-point operations, so results are identical to the general path's
(tests/test_term_scores.py compares the two); wildcards and fuzzy words keep the general path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from whoosh import query as wq

from ..closeness import Proximate
from ..ranking import RankingConfig
from .phrases import phrase_scores
from .term_scores import Floats, Ids, locate, term_scores

__all__ = ["ArrayClause", "ClauseScores", "array_clauses", "score_clauses"]

#: (query on the text, the same on the headline or None) for one top-level clause, each query
#: a ``Term`` or a ``Phrase``.
ArrayClause = tuple[Any, Any]

_EMPTY = np.zeros(0, dtype=np.int64)


def _simple(q: Any, field: str) -> bool:
    if isinstance(q, Proximate):
        return _pairwise(q.child, field)
    if getattr(q, "fieldname", None) != field:
        return False
    return type(q) is wq.Term or (type(q) is wq.Phrase and len(q.words) > 1)


def _pairwise(q: Any, field: str) -> bool:
    """Whether ``q`` is words and phrases under ANDs of two: the sum of two scores does not
    depend on the order Whoosh's matcher tree adds them in, so arrays give its floats."""
    if type(q) is wq.And:
        return (
            len(q.subqueries) == 2
            and q.boost == 1.0
            and all(_pairwise(c, field) for c in q.subqueries)
        )
    return _simple(q, field)


def _and_scores(sub: Any, weighting: Any, q: Any) -> tuple[Ids, Floats]:
    """A pairwise AND's documents and summed scores (see ``_pairwise``)."""
    if type(q) is not wq.And:
        return _scores(sub, weighting, q)
    (a_ids, a_scores), (b_ids, b_scores) = (_and_scores(sub, weighting, c) for c in q.subqueries)
    ids, at_a, at_b = np.intersect1d(a_ids, b_ids, assume_unique=True, return_indices=True)
    return ids, a_scores[at_a] + b_scores[at_b]


def array_clauses(clauses: Sequence[Any]) -> list[ArrayClause] | None:
    """The clauses as (text query, headline query) when every one is a word or a phrase,
    else None."""
    out: list[ArrayClause] = []
    for clause in clauses:
        text, headline = clause.text, clause.headline
        if not _simple(text, "text"):
            return None
        if headline is not None and not _simple(headline, "headline"):
            return None
        out.append((text, headline))
    return out


def _scores(sub: Any, weighting: Any, q: Any, within: Ids | None = None) -> tuple[Ids, Floats]:
    if isinstance(q, Proximate):
        ids, scores = _and_scores(sub, weighting, q.child)
        keep = np.isin(ids, np.fromiter(q.kept(sub, ids), dtype=np.int64))
        return ids[keep], scores[keep]
    if type(q) is wq.Phrase:
        return phrase_scores(sub, weighting, q, within)
    ids, scores = term_scores(sub, weighting, q.fieldname, q.text)
    if q.boost != 1.0:
        scores = scores * q.boost
    return ids, scores


class ClauseScores:
    """One segment's candidates: the documents matching any clause's text query (ascending),
    each one's summed clause score and how many clauses it matched."""

    __slots__ = ("docnums", "totals", "matched")

    def __init__(self, docnums: Ids, totals: Floats, matched: Ids) -> None:
        self.docnums = docnums
        self.totals = totals
        self.matched = matched


def _unchecked() -> None:
    return None


def score_clauses(
    sub: Any,
    clauses: list[ArrayClause],
    ranking: RankingConfig,
    check: Callable[[], None] = _unchecked,
) -> ClauseScores:
    """For one segment: each matching document's summed clause score and how many clauses
    it matched, exactly as search.py's matcher loop computes them.

    A document is a candidate when its text matches any clause; a clause counts for it when
    its text or its article's headline matches (the headline weighted by ``headline_weight``).
    ``check`` is called after each clause's postings (it raises past the time budget).
    """
    weighting = ranking.weighting()
    text_scores = []
    for text, _ in clauses:
        text_scores.append(_scores(sub, weighting, text))
        check()
    candidates = np.unique(np.concatenate([ids for ids, _ in text_scores])) if clauses else _EMPTY
    n = len(candidates)
    totals = np.zeros(n, dtype=np.float64)
    matched = np.zeros(n, dtype=np.int64)
    hw = ranking.headline_weight
    for (_, head), (ids, scores) in zip(clauses, text_scores, strict=True):
        clause = np.zeros(n, dtype=np.float64)
        present = np.zeros(n, dtype=bool)
        at = np.searchsorted(candidates, ids)
        clause[at] = scores
        present[at] = True
        if head is not None and n:
            head_ids, head_scores = _scores(sub, weighting, head, candidates)
            check()
            where, inside = locate(candidates, head_ids)
            where = where[inside]
            clause[where] = clause[where] + hw * head_scores[inside]
            present[where] = True
        # adding 0.0 where a clause is absent leaves a sum unchanged, so the sums are the
        # matcher path's sums over the present clauses, in clause order
        totals += clause
        matched += present
    return ClauseScores(candidates, totals, matched)
