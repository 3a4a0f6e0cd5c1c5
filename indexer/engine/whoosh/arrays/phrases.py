"""Phrase clauses scored as whole arrays, with positions read only where all the words meet.

Whoosh's phrase matcher walks the documents that have every word of a phrase one at a time
through a tree of matchers, which in pure Python costs more than the position test itself. Here
the documents that have every word come from intersecting the words' postings arrays (the same
cached arrays plain words use), and only those documents' positions are decoded. The position
test is Whoosh's own span test (``proximity.phrase_found``), and a match scores as the phrase
matcher scores it: the sum of its words' BM25 scores in the matcher tree's order
(tests/test_term_scores.py compares the two paths).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as wq

from .proximity import phrase_found, phrase_words, tree_sum
from .term_scores import Floats, Ids

__all__ = ["phrase_scores"]

_NONE: tuple[Ids, Floats] = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def phrase_scores(
    sub: Any, weighting: Any, phrase: wq.Phrase, within: Ids | None = None
) -> tuple[Ids, Floats]:
    """The phrase matcher's score for every document of the segment it matches (limited to
    ``within`` when given), as (ascending document numbers, scores)."""
    words = phrase_words(sub, phrase, weighting)
    if not words:
        return _NONE
    candidates = words[0].ids if within is None else within
    for word in words[int(within is None) :]:
        candidates = np.intersect1d(candidates, word.ids, assume_unique=True)
    if not len(candidates):
        return _NONE
    where = [np.searchsorted(word.ids, candidates).tolist() for word in words]
    found = [
        phrase_found(
            [word.positions(at[k]) for word, at in zip(words, where, strict=True)], phrase.slop
        )
        for k in range(len(candidates))
    ]
    keep = np.array(found, dtype=bool)
    if not keep.any():
        return _NONE
    docs = candidates[keep]
    total = tree_sum(
        [word.scores[np.array(at)[keep]] for word, at in zip(words, where, strict=True)]
    )
    return docs, total * phrase.boost if phrase.boost != 1.0 else total
