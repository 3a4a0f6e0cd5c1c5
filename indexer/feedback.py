"""Pseudo-relevance feedback: long queries re-scored with words typical of their best matches.

A long query describes a topic in the asker's words, and the articles about it often use others
("coup", "junta", "generals"). The words that characterise the few best-scoring documents (a
relevance model, as in RM3) are added to the query for scoring only: they re-order the hits but
never make a document a hit. docs/relevance.md has the measurements.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from whoosh import query as wq

from .ranking import RankingConfig

__all__ = ["feedback_terms", "rescore_with_feedback"]

Hits = list[tuple[float, int]]


def feedback_terms(searcher: Any, top: Hits, count: int) -> list[tuple[str, float]]:
    """The ``count`` index words most typical of the ``top`` documents: each document's share of
    a word (its frequency over the document's length) weighted by the document's share of the
    scores, as a relevance model weighs them. Ties go alphabetically so results are stable."""
    total = sum(max(score, 0.0) for score, _ in top)
    if total <= 0:
        return []
    analyzer = searcher.schema["text"].analyzer
    weights: dict[str, float] = {}
    for score, docnum in top:
        text = searcher.stored_fields(docnum).get("text") or ""
        words = Counter(token.text for token in analyzer(text))
        length = sum(words.values())
        if not length or score <= 0:
            continue
        for word, n in words.items():
            weights[word] = weights.get(word, 0.0) + (score / total) * n / length
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:count]


def _scores_of(
    searcher: Any, terms: list[tuple[str, float]], docnums: list[int], weighting: Any
) -> dict[int, float]:
    """Sum over ``terms`` of weight times BM25 score, for each of ``docnums`` (sorted, global)."""
    context = searcher.context(weighting=weighting)
    out: dict[int, float] = {}
    for sub, offset in searcher.leaf_searchers():
        local = [d - offset for d in docnums if offset <= d < offset + sub.doc_count_all()]
        if not local:
            continue
        for text, weight in terms:
            matcher = wq.Term("text", text).matcher(sub, context)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    key = offset + docnum
                    out[key] = out.get(key, 0.0) + weight * float(matcher.score())
    return out


def rescore_with_feedback(searcher: Any, hits: Hits, clauses: int, ranking: RankingConfig) -> Hits:
    """``hits`` with the best ``ranking.feedback_depth`` re-scored by the feedback words (the
    rest keep their scores, which are no higher, so the order stays consistent)."""
    if not hits or not ranking.feeds_back(clauses):
        return hits
    ranked = sorted(hits, key=lambda h: (-h[0], h[1]))
    terms = feedback_terms(searcher, ranked[: ranking.feedback_docs], ranking.feedback_terms)
    mass = sum(weight for _, weight in terms)
    if not terms or mass <= 0:
        return hits
    # the feedback words together weigh feedback_weight of the query's own words
    scale = ranking.feedback_weight * clauses / mass
    depth = ranked[: ranking.feedback_depth]
    extra = _scores_of(
        searcher,
        [(text, weight * scale) for text, weight in terms],
        sorted(d for _, d in depth),
        ranking.weighting(),
    )
    return [(score + extra.get(d, 0.0), d) for score, d in depth] + ranked[ranking.feedback_depth :]
