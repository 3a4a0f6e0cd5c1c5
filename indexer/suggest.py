""" "Did you mean": a corrected query when a word is rare or absent and a close word is common.

Candidates come from the unstemmed ``spell_text`` field (a stemmed field would suggest stems such
as ``jinp``); a word whose stem matches enough documents is never corrected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from whoosh.support.charset import accent_map

from .query_tree import Word

__all__ = ["suggest", "MIN_COMMON", "RATIO", "MIN_LENGTH", "WELL_MATCHED", "PREFIX"]

#: A correction must occur in at least this many documents ...
MIN_COMMON = 3
#: ... and this many times as many as the word typed (so a rare but real name is left alone).
RATIO = 10
#: A word found in this many documents is never corrected (and costs no look-up).
WELL_MATCHED = 5
#: Candidates share this many first letters with the word typed: typos rarely hit the start of
#: a word, and scanning the whole vocabulary for edit-distance neighbours is slow.
PREFIX = 2
#: Shorter words have too many neighbours one edit away to correct sensibly.
MIN_LENGTH = 4
SPELL_FIELD = "spell_text"
_CORE = re.compile(r"^(\W*)(\w+)\W*$")


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (the words are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _correction(searcher: Any, word: str) -> str | None:
    reader = searcher.reader()
    stems = [t.text for t in searcher.schema["text"].analyzer(word, mode="query")]
    have = max(
        reader.doc_frequency("text", stems[0]) if len(stems) == 1 else 0,
        reader.doc_frequency(SPELL_FIELD, word),
    )
    if have >= WELL_MATCHED:
        return None
    need = max(MIN_COMMON, RATIO * have)
    maxdist = 1 if len(word) <= 5 else 2
    candidates = []
    for cand in reader.terms_within(SPELL_FIELD, word, maxdist, prefix=PREFIX):
        if cand == word:
            continue
        freq = reader.doc_frequency(SPELL_FIELD, cand)
        if freq >= need:
            candidates.append((_distance(word, cand), -freq, cand))
    return min(candidates)[2] if candidates else None


def suggest(searcher: Any, words: Sequence[Word], query: str) -> str | None:
    """``query`` with its misspelt plain words replaced (lower case), or None."""
    edits: list[tuple[int, int, str]] = []
    for w in words:
        m = _CORE.match(w.text)
        if not m or w.end <= w.start:
            continue
        word = m.group(2).lower().translate(accent_map)
        if len(word) < MIN_LENGTH or not word.isalpha():
            continue
        better = _correction(searcher, word)
        if better is not None:
            start = w.start + len(m.group(1))
            edits.append((start, start + len(m.group(2)), better))
    if not edits:
        return None
    out = query
    for start, end, better in sorted(edits, reverse=True):
        out = out[:start] + better + out[end:]
    return out
