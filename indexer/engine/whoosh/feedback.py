"""Pseudo-relevance feedback: long queries re-scored with words typical of their best matches.

A long query describes a topic in the asker's words, and the articles about it often use others
("coup", "junta", "generals"). The words that characterise the few best-scoring documents (a
relevance model, as in RM3) are added to the query for scoring only: they re-order the hits but
never make a document a hit. docs/relevance.md has the measurements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .arrays.term_scores import Floats, Ids, locate, term_scores
from .ranking import RankingConfig

__all__ = ["feedback_terms", "rescore_with_feedback"]

Hits = list[tuple[float, int]]
Check = Callable[[], None]
#: How many tokens of a document are analysed between two looks at the clock.
_TOKENS_PER_CHECK = 1024


def _unchecked() -> None:
    return None


def _words(tokens: Iterable[Any], check: Check) -> Counter[str]:
    """How often each analysed word occurs, calling ``check`` every few thousand tokens (a
    paragraph can be a megabyte long)."""
    words: Counter[str] = Counter()
    for i, token in enumerate(tokens):
        if i % _TOKENS_PER_CHECK == 0:
            check()
        words[token.text] += 1
    return words


def feedback_terms(
    searcher: Any, top: Hits, count: int, check: Check = _unchecked
) -> list[tuple[str, float]]:
    """The ``count`` index words most typical of the ``top`` documents: each document's share of
    a word (its frequency over the document's length) weighted by the document's share of the
    scores, as a relevance model weighs them. Ties go alphabetically so results are stable.
    ``check`` raises to stop (the search's time budget)."""
    total = sum(max(score, 0.0) for score, _ in top)
    if total <= 0:
        return []
    analyzer = searcher.schema["text"].analyzer
    weights: dict[str, float] = {}
    for score, docnum in top:
        text = searcher.stored_fields(docnum).get("text") or ""
        words = _words(analyzer(text), check)
        length = sum(words.values())
        if not length or score <= 0:
            continue
        for word, n in words.items():
            weights[word] = weights.get(word, 0.0) + (score / total) * n / length
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:count]


def _scores_of(
    searcher: Any, terms: list[tuple[str, float]], docnums: Ids, weighting: Any, check: Check
) -> Floats:
    """Sum over ``terms`` of weight times BM25 score, for each of ``docnums`` (ascending,
    global), added term by term in order as a matcher walk would add them."""
    out = np.zeros(len(docnums), dtype=np.float64)
    for sub, offset in searcher.leaf_searchers():
        low, high = np.searchsorted(docnums, [offset, offset + sub.doc_count_all()])
        if low == high:
            continue
        local = docnums[low:high] - offset
        part = out[low:high]
        for text, weight in terms:
            check()
            ids, scores = term_scores(sub, weighting, "text", text)
            where, inside = locate(ids, local)
            part[inside] = part[inside] + weight * scores[where[inside]]
    return out


def rescore_with_feedback(
    searcher: Any,
    docs: Ids,
    scores: Floats,
    clauses: int,
    ranking: RankingConfig,
    check: Check = _unchecked,
) -> Floats:
    """The hits' scores (``docs`` ascending) with the best ``ranking.feedback_depth`` re-scored
    by the feedback words (the rest keep their scores, which are no higher, so the order stays
    consistent)."""
    if not len(docs) or not ranking.feeds_back(clauses):
        return scores
    ranked = np.lexsort((docs, -scores))
    top = [(float(scores[i]), int(docs[i])) for i in ranked[: ranking.feedback_docs].tolist()]
    terms = feedback_terms(searcher, top, ranking.feedback_terms, check)
    mass = sum(weight for _, weight in terms)
    if not terms or mass <= 0:
        return scores
    # the feedback words together weigh feedback_weight of the query's own words
    scale = ranking.feedback_weight * clauses / mass
    depth = np.sort(ranked[: ranking.feedback_depth])
    extra = _scores_of(
        searcher,
        [(text, weight * scale) for text, weight in terms],
        docs[depth],
        ranking.weighting(),
        check,
    )
    rescored = scores.copy()
    rescored[depth] = scores[depth] + extra
    return rescored
