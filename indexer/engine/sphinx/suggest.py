""" "Did you mean" from the shards' keyword statistics: the words one edit away from a rare
typed word are looked up in one ``CALL KEYWORDS(..., 1)`` per shard (Sphinx 2.2 has no CALL
SUGGEST), and the most common one wins when it is common enough. The thresholds are the
Whoosh engine's (``MIN_COMMON``, ``RATIO``, ``WELL_MATCHED``, ``MIN_LENGTH``).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from ...query.tree import Word

__all__ = ["DocCounts", "suggest", "variants"]

MIN_COMMON = 3
RATIO = 10
WELL_MATCHED = 5
MIN_LENGTH = 4
_CORE = re.compile(r"^(\W*)(\w+)\W*$")

#: words -> {word: documents holding it (its normal form), summed over the shards}
DocCounts = Callable[[Sequence[str]], dict[str, int]]


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def variants(word: str) -> set[str]:
    """Every word one edit (delete, swap, replace, insert of a-z) away from ``word``."""
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return {w for w in out if len(w) >= 2}


def _correction(word: str, have: int, counts: DocCounts) -> str | None:
    found = counts(sorted(variants(word)))
    need = max(MIN_COMMON, RATIO * have)
    best = [(-n, w) for w, n in found.items() if w != word and n >= need]
    return min(best)[1] if best else None


def suggest(words: Iterable[Word], query: str, counts: DocCounts) -> str | None:
    """``query`` with its misspelt plain words replaced (lower case), or None."""
    typed: list[tuple[str, int, int]] = []
    for w in words:
        m = _CORE.match(w.text)
        if not m or w.end <= w.start:
            continue
        word = _folded(m.group(2))
        if len(word) >= MIN_LENGTH and word.isascii() and word.isalpha():
            start = w.start + len(m.group(1))
            typed.append((word, start, start + len(m.group(2))))
    if not typed:
        return None
    # one look-up for the words as typed: a word found often enough costs nothing more
    have = counts(sorted({word for word, _, _ in typed}))
    edits: list[tuple[int, int, str]] = []
    for word, start, end in typed:
        if have.get(word, 0) >= WELL_MATCHED:
            continue
        better = _correction(word, have.get(word, 0), counts)
        if better is not None:
            edits.append((start, end, better))
    if not edits:
        return None
    out = query
    for start, end, better in sorted(edits, reverse=True):
        out = out[:start] + better + out[end:]
    return out
