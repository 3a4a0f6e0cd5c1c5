"""Proximity in the Whoosh engine: ``"a b"~N``, ``a NEAR/N b`` and ``a SENTENCE b`` as Whoosh
queries, and the spans of the words that made them match.

A proximity clause is its words' AND (which Whoosh finds and scores from the postings) narrowed
to the documents where the pattern occurs: each candidate's stored text is analysed as the
index analysed it and matched by ``indexer.text.near`` (sentences by ``indexer.text
.sentences``). The same analysis gives the marks, so a snippet marks exactly the words that
matched, not every occurrence of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.matching import FilterMatcher, NullMatcher

from ...text.near import Occurrence, Pattern, Token, needs_sentences, occurrences, pattern_terms
from ...text.sentences import sentence_of, sentence_starts
from .arrays.term_scores import posting_values, postings_arrays
from .highlight import analysed_tokens, match_spans, merge_spans

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
    sentence = None
    if needs_sentences(pattern):
        starts = sentence_starts(text)
        sentence = {t[1]: sentence_of(starts, t[2]) for t in tokens}
    return occurrences(pattern, tokens, sentence)


class Proximate(wq.WrappingQuery):  # type: ignore[misc]
    """``child`` (the AND of a pattern's words) where ``pattern`` occurs in the text; scores
    are ``child``'s."""

    def __init__(self, child: Any, pattern: Pattern, check: Callable[[], None] = _never) -> None:
        super().__init__(child)
        self.pattern = pattern
        self.check = check
        self._found: dict[int, tuple[Any, frozenset[int]]] = {}

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
        keep = self.kept(searcher)
        if not keep:
            return NullMatcher
        return FilterMatcher(self.child.matcher(searcher, context), keep)

    def kept(self, searcher: Any, candidates: Iterable[int] | None = None) -> frozenset[int]:
        """The documents of ``child`` (or of ``candidates``, the same ones when given) where
        the pattern occurs, found once per reader: a search asks for a clause's matcher more
        than once (to find the hits and to score them)."""
        reader = searcher.reader()
        cached = self._found.get(id(reader))
        if cached is not None and cached[0] is reader:
            return cached[1]
        if candidates is None:
            probe = self.child.matcher(searcher, searcher.boolean_context())
            candidates = probe.all_ids() if probe.is_active() else ()
        holds = _by_text(searcher, self.pattern)
        if searcher.is_atomic() and not needs_sentences(self.pattern):
            holds = _by_postings(searcher, self.pattern)
        keep = []
        for i, docnum in enumerate(candidates):
            if i % _DOCS_PER_CHECK == 0:
                self.check()
            if holds(docnum):
                keep.append(docnum)
        found = frozenset(keep)
        self._found[id(reader)] = (reader, found)  # the reader kept: its id stays its own
        return found


def _by_text(searcher: Any, pattern: Pattern) -> Callable[[int], bool]:
    """Whether the pattern occurs in a document, from its stored text analysed again (what
    SENTENCE needs: sentence boundaries are in the text, not the postings)."""
    analyzer = searcher.schema["text"].analyzer

    def holds(docnum: int) -> bool:
        text = searcher.stored_fields(docnum).get("text") or ""
        return bool(pattern_occurrences(pattern, text, analyzer))

    return holds


def _by_postings(sub: Any, pattern: Pattern) -> Callable[[int], bool]:
    """Whether the pattern occurs in a document of one segment, from its words' positions in
    the decoded postings (``arrays``): no stored text is read or analysed."""
    decode = sub.schema["text"].format.decode_positions
    words = [
        (term, postings_arrays(sub, "text", term)[0], posting_values(sub, "text", term))
        for term in sorted(pattern_terms(pattern))
    ]

    def holds(docnum: int) -> bool:
        tokens: list[Token] = []
        for term, ids, values in words:
            i = int(np.searchsorted(ids, docnum))
            if i < len(ids) and ids[i] == docnum:
                tokens.extend((term, p, -1, -1) for p in decode(values[i]))
        tokens.sort(key=lambda t: t[1])
        return bool(occurrences(pattern, tokens))

    return holds


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
    return merge_spans(spans + pattern_spans(text, analyzer, compiled.patterns, limit))
