"""Word shingles of an article's body, hashed to 32-bit integers (the input of MinHash).

Only the body counts: headlines are rewritten and captions swapped from one copy of a wire story
to the next, while its paragraphs survive (trimmed, reordered, a few words changed).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = ["SHINGLE_WORDS", "MIN_WORDS", "words", "shingle_hashes"]

#: Words per shingle. Each changed word spoils this many shingles, so fewer words keep copies
#: with edits closer; more words keep unrelated articles with stock phrases apart. 3 was chosen
#: on the planted copies of benchmarks.lineage (docs/lineage.md).
SHINGLE_WORDS = 3

#: Bodies shorter than this get no fingerprint (each is a story of its own): a two-word body
#: ("Shr loss") says nothing about which story it belongs to.
MIN_WORDS = 8

_WORD = re.compile(r"\w+")
_MASK = np.uint64(0xFFFFFFFF)


def words(paragraphs: Iterable[str]) -> list[str]:
    """The body's words, lower-cased, in reading order."""
    return _WORD.findall(" ".join(paragraphs).lower())


def shingle_hashes(tokens: list[str]) -> npt.NDArray[np.uint32]:
    """The distinct hashes of every run of SHINGLE_WORDS consecutive words (one shingle of all
    the words when there are fewer). crc32 is stable across processes, unlike ``hash``, which
    matters because fingerprints are stored."""
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    word_hashes = np.fromiter(
        (zlib.crc32(t.encode()) for t in tokens), dtype=np.uint64, count=len(tokens)
    )
    k = min(SHINGLE_WORDS, len(tokens))
    n = len(tokens) - k + 1
    combined = np.zeros(n, dtype=np.uint64)
    for i in range(k):
        # a polynomial over the word hashes, kept to 32 bits: order matters within a shingle
        combined = (combined * np.uint64(0x01000193) + word_hashes[i : i + n]) & _MASK
    return np.unique(combined.astype(np.uint32))
