""" "Did you mean": a corrected query when a word is rare or absent and a close word is common.

Candidates are the index's own (stemmed) terms close to the typed word's stem; each is shown as
the word it most often stands for in the documents that have it (the stem ``jinp`` as
"jinping"). A word whose stem matches enough documents is never corrected. The index keeps no
separate unstemmed word list for this: Whoosh's ``spelling=True`` copy of every passage's words
was a quarter of all postings and of indexing time (docs/performance.md), for a look-up that
only rare words need.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from whoosh.support.charset import accent_map

from ...query.tree import Word
from .highlight import ANALYZE_CHARS, analysed_tokens

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
_CORE = re.compile(r"^(\W*)(\w+)\W*$")
#: How many index terms are compared between two looks at the clock.
_TERMS_PER_CHECK = 64
Check = Callable[[], None]


def _unchecked() -> None:
    return None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (the words are short)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


#: How many documents are read to learn which word a candidate stem stands for.
SURFACE_DOCS = 5
#: At most this many candidate stems are looked at (closest, then most frequent, first).
MAX_CANDIDATES = 10
#: A stem is at most this much shorter than its word ("government" -> "govern").
SUFFIX = 4


def _surface(searcher: Any, stem: str, check: Check) -> str | None:
    """The word (lower case, accents folded) that ``stem`` most often stands for, from the text
    of a few documents that have it."""
    analyzer = searcher.schema["text"].analyzer
    matcher = searcher.reader().postings("text", stem)
    seen: Counter[str] = Counter()
    for _ in range(SURFACE_DOCS):
        check()
        if not matcher.is_active():
            break
        text = searcher.stored_fields(matcher.id()).get("text") or ""
        for analysed, _, start, end in analysed_tokens(text[:ANALYZE_CHARS], analyzer):
            if analysed == stem:
                seen[text[start:end].lower().translate(accent_map)] += 1
        matcher.next()
    if not seen:
        return None
    return min(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _correction(searcher: Any, word: str, check: Check) -> str | None:
    reader = searcher.reader()
    stems = [t.text for t in searcher.schema["text"].analyzer(word, mode="query")]
    probe = stems[0] if len(stems) == 1 else word
    have = reader.doc_frequency("text", probe) if len(stems) == 1 else 0
    if have >= WELL_MATCHED:
        return None
    need = max(MIN_COMMON, RATIO * have)
    maxdist = 1 if len(word) <= 5 else 2
    found: list[tuple[int, int, str]] = []
    for i, raw in enumerate(reader.expand_prefix("text", word[:PREFIX])):
        if i % _TERMS_PER_CHECK == 0:
            check()
        stem = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if stem == probe or not stem.isalpha():
            continue
        # close to the typed word's stem, or the stem of a word the typed one misspells
        # further on ("governmnet" and "govern", the stem of "government")
        near = abs(len(stem) - len(probe)) <= maxdist and _distance(probe, stem) <= maxdist
        if not near and not (
            0 <= len(word) - len(stem) <= SUFFIX and _distance(word[: len(stem)], stem) <= maxdist
        ):
            continue
        freq = reader.doc_frequency("text", stem)
        if freq >= need:
            found.append((0 if near else 1, -freq, stem))
    candidates = []
    for _, minus_freq, stem in sorted(found)[:MAX_CANDIDATES]:
        better = _surface(searcher, stem, check)
        if better is None or better == word or not better.isalpha():
            continue
        distance = _distance(word, better)
        if distance <= maxdist:
            candidates.append((distance, minus_freq, better))
    return min(candidates)[2] if candidates else None


def suggest(
    searcher: Any, words: Sequence[Word], query: str, check: Check = _unchecked
) -> str | None:
    """``query`` with its misspelt plain words replaced (lower case), or None. ``check`` is
    called while candidates are looked up; it raises to stop (the search's time budget)."""
    edits: list[tuple[int, int, str]] = []
    for w in words:
        m = _CORE.match(w.text)
        if not m or w.end <= w.start:
            continue
        word = m.group(2).lower().translate(accent_map)
        if len(word) < MIN_LENGTH or not word.isalpha():
            continue
        better = _correction(searcher, word, check)
        if better is not None:
            start = w.start + len(m.group(1))
            edits.append((start, start + len(m.group(2)), better))
    if not edits:
        return None
    typed = [m.group(2) for w in words if (m := _CORE.match(w.text)) and w.end > w.start]
    fixed = {start: better for start, _, better in edits}
    corrected = [fixed.get(w.start + len(m.group(1)), m.group(2)) for w in words
                 if (m := _CORE.match(w.text)) and w.end > w.start]  # fmt: skip
    if not _clearly_better(searcher, typed, corrected, check):
        return None
    out = query
    for start, end, better in sorted(edits, reverse=True):
        out = out[:start] + better + out[end:]
    return out


#: A suggestion must find at least this many times as many documents with all its words as
#: the query typed (and at least MIN_COMMON): beside good results it is noise (issue 18).
BETTER_RATIO = 2


def _clearly_better(searcher: Any, typed: list[str], corrected: list[str], check: Check) -> bool:
    """Whether the corrected words find clearly more documents holding every one of them than
    the words typed: "zanzibar clove" finds what it asks for, so "zanzibar clive" is no help."""
    have = _with_every_word(searcher, typed, check)
    if have >= WELL_MATCHED:
        return False
    return _with_every_word(searcher, corrected, check) >= max(MIN_COMMON, BETTER_RATIO * have)


def _with_every_word(searcher: Any, words: list[str], check: Check) -> int:
    """How many documents hold every word (as the index analyses it) in their text."""
    reader = searcher.reader()
    analyzer = searcher.schema["text"].analyzer
    common: set[int] | None = None
    for word in words:
        for token in analyzer(word, mode="query"):
            check()
            if ("text", token.text) not in reader:
                return 0
            ids = set(reader.postings("text", token.text).all_ids())
            common = ids if common is None else common & ids
            if not common:
                return 0
    return len(common or ())
