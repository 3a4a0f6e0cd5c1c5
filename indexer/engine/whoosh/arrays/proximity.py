"""Word positions at chosen documents, and a phrase's score there, without Whoosh's phrase matcher.

Whoosh's phrase matcher finds the next document where the words stand close together by
checking the positions of every document that has all of them, and it does that as soon as it
is created or moved; asking it about a few chosen documents (the ones that can reach the shown
page) still costs the positions of all the documents in between. Here each word's postings and
positions come from arrays decoded once (``term_scores``), a chosen document's positions are
looked up directly, and Whoosh's own span test decides (with a direct check for adjacent words,
the common case), so the answers are the phrase matcher's (tests/test_term_scores.py and
tests/test_phrases.py compare them).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TypeVar

import numpy as np
from whoosh import query as wq
from whoosh.query.spans import Span, SpanNear2

from .term_scores import posting_values, term_scores

__all__ = [
    "PhraseProbe",
    "WordAt",
    "adjacent",
    "phrase_found",
    "phrase_words",
    "span_test",
    "tree_sum",
]

_get_spans = SpanNear2.SpanNear2Matcher._get_spans

T = TypeVar("T")


def span_test(matchers: list[Any], slop: int) -> list[Span]:
    """Whoosh's phrase test (in order, at most ``slop`` apart) on the matchers' current spans."""
    return _get_spans(  # type: ignore[no-any-return]
        SimpleNamespace(ms=matchers, slop=slop, ordered=True, mindist=1)
    )


def tree_sum(scores: list[T]) -> T:
    """A sum in the order of Whoosh's binary tree of intersection matchers (floats or arrays)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return tree_sum(scores[:half]) + tree_sum(scores[half:])  # type: ignore[operator, no-any-return]


class WordAt:
    """One word of a phrase in one segment: its BM25 scores and positions by document."""

    __slots__ = ("ids", "scores", "_values", "_decode")

    def __init__(self, sub: Any, weighting: Any, field: str, word: str) -> None:
        self.ids, self.scores = term_scores(sub, weighting, field, word)
        self._values = posting_values(sub, field, word)
        self._decode = sub.schema[field].format.decode_positions

    def index(self, docnum: int) -> int:
        """Where ``docnum`` is among the word's postings, or -1."""
        i = int(np.searchsorted(self.ids, docnum))
        return i if i < len(self.ids) and self.ids[i] == docnum else -1

    def positions(self, i: int) -> list[int]:
        """The positions of the word in its ``i``-th posting."""
        return list(self._decode(self._values[i]))


class _Spans:
    """What the span test asks of a matcher: the spans of the current document."""

    __slots__ = ("_spans",)

    def __init__(self, positions: list[int]) -> None:
        self._spans = [Span(p) for p in positions]

    def spans(self) -> list[Span]:
        return self._spans


def adjacent(positions: list[list[int]]) -> bool:
    """The span test for slop 1: whether the words occur one right after another, in order."""
    rest = [set(p) for p in positions[1:]]
    return any(all(start + k in found for k, found in enumerate(rest, 1)) for start in positions[0])


def phrase_found(positions: list[list[int]], slop: int) -> bool:
    """Whether words at these positions satisfy a phrase with ``slop``, as Whoosh decides."""
    if slop == 1:
        return adjacent(positions)
    return bool(span_test([_Spans(p) for p in positions], slop))


def phrase_words(sub: Any, phrase: wq.Phrase, weighting: Any) -> list[WordAt] | None:
    """The phrase's words in one segment, or None when the segment lacks one (then, as for
    Whoosh's phrase matcher, nothing matches)."""
    field = sub.schema[phrase.fieldname]
    reader = sub.reader()
    for word in phrase.words:
        if (phrase.fieldname, field.to_bytes(word)) not in reader:
            return None
    return [WordAt(sub, weighting, phrase.fieldname, word) for word in phrase.words]


class PhraseProbe:
    """The score ``phrase`` gives chosen documents of one segment."""

    def __init__(self, sub: Any, phrase: wq.Phrase, weighting: Any) -> None:
        self._words = phrase_words(sub, phrase, weighting)
        self._slop = phrase.slop
        self._boost = phrase.boost

    def score(self, docnum: int) -> float | None:
        """The phrase's score at ``docnum``, None without a match."""
        if not self._words:
            return None
        where = [w.index(docnum) for w in self._words]
        if min(where) < 0:
            return None
        if not phrase_found(
            [w.positions(i) for w, i in zip(self._words, where, strict=True)], self._slop
        ):
            return None
        score = tree_sum([float(w.scores[i]) for w, i in zip(self._words, where, strict=True)])
        return score * self._boost if self._boost != 1.0 else score
