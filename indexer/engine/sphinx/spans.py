"""Where a query matches in texts: our own tokenizer finds the words and their offsets, the
server's ``CALL KEYWORDS`` says what each word is once normalised (stemmed, folded), so a
text's word is marked exactly when the index would match it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..base import Span
from .translate import WORD, Translated, searchable

__all__ = ["Normaliser", "find_spans", "word_offsets"]

#: folded token -> its normal form, for a batch of tokens (one server round trip)
Normaliser = Callable[[Iterable[str]], dict[str, str]]


def word_offsets(text: str) -> list[tuple[str, int, int]]:
    """(lower-cased word, start, end) for every word of ``text``, as the index splits it."""
    return [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(text)]


def find_spans(
    texts: Sequence[str], query: Translated, normalise: Normaliser
) -> list[tuple[Span, ...]]:
    """The match spans of each text: words and prefixes of the query, and its phrases whole."""
    words_of = [[w for w in word_offsets(t) if searchable(w[0])] for t in texts]
    wanted = set(query.words) | {t for p in query.phrases for t in p}
    forms = normalise({w for ws in words_of for w, _, _ in ws} | wanted)
    single = {forms.get(w, w) for w in query.words}
    phrases = [tuple(forms.get(t, t) for t in p) for p in query.phrases]
    out = []
    for words in words_of:
        normal = [forms.get(w, w) for w, _, _ in words]
        spans: set[Span] = set()
        for i, (word, start, end) in enumerate(words):
            if normal[i] in single or any(word.startswith(p) for p in query.prefixes):
                spans.add((start, end))
            for phrase in phrases:
                if tuple(normal[i : i + len(phrase)]) == phrase:
                    spans.add((start, words[i + len(phrase) - 1][2]))
        out.append(_merged(spans))
    return out


def _merged(spans: set[Span]) -> tuple[Span, ...]:
    """Overlapping spans as one (a phrase and one of its words)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)
