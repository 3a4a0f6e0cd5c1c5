"""Proximity in the Whoosh engine: ``"a b"~N``, ``a NEAR/N b`` and ``a SENTENCE b`` as Whoosh
queries, and the spans of the words that made them match.

A proximity clause is its words' AND (which Whoosh finds and scores from the postings) narrowed
to the documents where the pattern occurs: each candidate's stored text is analysed as the
index analysed it and matched by ``indexer.text.near`` (sentences by ``indexer.text
.sentences``). The same analysis gives the marks, so a snippet marks exactly the words that
matched, not every occurrence of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from whoosh import query as wq
from whoosh.matching import FilterMatcher, NullMatcher

from ...text.near import Occurrence, Pattern, Token, needs_sentences, occurrences
from ...text.sentences import sentence_of, sentence_starts
from .highlight import analysed_tokens, match_spans

__all__ = ["Proximate", "pattern_occurrences", "pattern_spans", "all_spans"]

#: Candidates checked between two looks at the clock.
_DOCS_PER_CHECK = 32


def _never() -> None:
    return None


def pattern_occurrences(
    pattern: Pattern, text: str, analyzer: Any, tokens: Sequence[Token] | None = None
) -> list[Occurrence]:
    """The occurrences of ``pattern`` in ``text`` as ``analyzer`` reads it."""
    if tokens is None:
        tokens = analysed_tokens(text, analyzer)
    sentence: list[int] = []
    if needs_sentences(pattern):
        starts = sentence_starts(text)
        sentence = [sentence_of(starts, t[2]) for t in tokens]
    return occurrences(pattern, tokens, sentence)


class Proximate(wq.WrappingQuery):  # type: ignore[misc]
    """``child`` (the AND of a pattern's words) where ``pattern`` occurs in the text; scores
    are ``child``'s."""

    def __init__(self, child: Any, pattern: Pattern, check: Callable[[], None] = _never) -> None:
        super().__init__(child)
        self.pattern = pattern
        self.check = check

    def _rewrap(self, child: Any) -> Proximate:
        return Proximate(child, self.pattern, self.check)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Proximate)
            and self.child == other.child
            and self.pattern == other.pattern
        )

    def __hash__(self) -> int:
        return hash((self.child, self.pattern))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        probe = self.child.matcher(searcher, searcher.boolean_context())
        analyzer = searcher.schema["text"].analyzer
        keep = []
        for i, docnum in enumerate(probe.all_ids() if probe.is_active() else ()):
            if i % _DOCS_PER_CHECK == 0:
                self.check()
            text = searcher.stored_fields(docnum).get("text") or ""
            if pattern_occurrences(self.pattern, text, analyzer):
                keep.append(docnum)
        if not keep:
            return NullMatcher
        return FilterMatcher(self.child.matcher(searcher, context), frozenset(keep))


def pattern_spans(
    text: str, analyzer: Any, patterns: Sequence[Pattern], limit: int | None = None
) -> list[tuple[int, int]]:
    """Character spans of the words that made each pattern match in ``text``."""
    if not patterns:
        return []
    tokens = analysed_tokens(text if limit is None else text[:limit], analyzer)
    marked: set[int] = set()
    for pattern in patterns:
        for occ in pattern_occurrences(pattern, text, analyzer, tokens):
            marked |= occ.words
    return [(tokens[i][2], tokens[i][3]) for i in sorted(marked)]


def all_spans(
    text: str,
    analyzer: Any,
    compiled: Any,
    *,
    limit: int | None,
    check: Callable[[], None] | None = None,
) -> list[tuple[int, int]]:
    """A compiled query's spans in ``text``: its words and phrases (``match_spans``) and its
    proximity patterns' words, sorted and merged."""
    spans = match_spans(text, analyzer, compiled.marks, compiled.phrases, limit=limit, check=check)
    if not compiled.patterns:
        return spans
    spans = sorted(spans + pattern_spans(text, analyzer, compiled.patterns, limit))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
