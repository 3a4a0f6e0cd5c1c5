"""Ranking metrics with trec_eval's definitions, for binary relevance judgments.

Written out here rather than taken from a package so the definitions the relevance report quotes
are the ones that ran: the measures follow trec_eval's ``ndcg_cut_10``, ``map``, ``P_10`` and
``recall_100``, averaged over every judged query (trec_eval ``-c``: a query the system answers
with nothing scores 0 rather than being left out).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "MEASURES",
    "QueryScores",
    "average_precision",
    "mean_scores",
    "ndcg_at",
    "precision_at",
    "recall_at",
    "score_query",
    "score_run",
]

#: The reported measures, in table order.
MEASURES = ("ndcg@10", "map", "p@10", "recall@100")


def _dedupe(ranked: Iterable[str]) -> list[str]:
    """A run lists each document once; a repeat would be counted twice by the sums below."""
    seen: set[str] = set()
    out = []
    for doc in ranked:
        if doc not in seen:
            seen.add(doc)
            out.append(doc)
    return out


def precision_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Relevant documents among the first ``k``, divided by ``k`` (a short list is not padded
    out of the denominator, as in trec_eval's ``P_k``)."""
    return sum(1 for doc in _dedupe(ranked)[:k] if doc in relevant) / k


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of all relevant documents found in the first ``k``."""
    if not relevant:
        return 0.0
    return sum(1 for doc in _dedupe(ranked)[:k] if doc in relevant) / len(relevant)


def average_precision(ranked: Sequence[str], relevant: set[str]) -> float:
    """Mean of the precision at each relevant document's rank, over *all* relevant documents:
    one never retrieved contributes 0 (trec_eval ``map``)."""
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc in enumerate(_dedupe(ranked), start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """DCG of the first ``k`` (gain 1 per relevant document, discount log2(rank + 1)) over the
    DCG of an ideal ranking of the judged relevant documents (trec_eval ``ndcg_cut_k``)."""
    if not relevant:
        return 0.0
    dcg = sum(
        1.0 / math.log2(rank + 1)
        for rank, doc in enumerate(_dedupe(ranked)[:k], start=1)
        if doc in relevant
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


@dataclass(frozen=True)
class QueryScores:
    """One query's measures, keyed as in :data:`MEASURES`."""

    qid: str
    relevant: int
    retrieved: int
    scores: dict[str, float]


def score_query(qid: str, ranked: Sequence[str], relevant: set[str]) -> QueryScores:
    return QueryScores(
        qid=qid,
        relevant=len(relevant),
        retrieved=len(_dedupe(ranked)),
        scores={
            "ndcg@10": ndcg_at(ranked, relevant, 10),
            "map": average_precision(ranked, relevant),
            "p@10": precision_at(ranked, relevant, 10),
            "recall@100": recall_at(ranked, relevant, 100),
        },
    )


def score_run(run: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> list[QueryScores]:
    """Per-query measures for every judged query (missing from ``run`` = nothing retrieved)."""
    return [score_query(qid, run.get(qid, ()), rel) for qid, rel in qrels.items() if rel]


def mean_scores(per_query: Sequence[QueryScores]) -> dict[str, float]:
    """Each measure averaged over the queries (0 for all when there are none)."""
    n = len(per_query)
    return {m: (sum(q.scores[m] for q in per_query) / n if n else 0.0) for m in MEASURES}
