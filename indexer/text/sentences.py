"""Where sentences begin in a passage, for ``a SENTENCE b``.

A sentence ends at ``.``, ``!`` or ``?`` (and the closing quotes or brackets right after it)
when the next word starts with a capital letter or an opening quote. A full stop does not end
one after a known abbreviation (``Oct.``, ``Gen.``, ``Mr.``), an initial (``J.``) or a dotted
acronym (``U.S.``): in news text those are followed by capitals far more often than they end a
sentence, so "in the U.S. The ..." stays one sentence (the cheaper mistake for a proximity
search: it finds a little more, never less).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

__all__ = ["ABBREVIATIONS", "sentence_starts", "sentence_spans", "sentence_of"]

#: Words that take a full stop without ending a sentence (lower case, without the stop).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt rev fr hon
    gen lt col maj capt cpt sgt cmdr adm brig cpl pvt gov sen rep pres supt insp det
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    no nos vs v approx dept est fig vol ft ave blvd rd
    """.split()
)

# a terminator, the closing marks after it, the spaces, and what the next sentence begins with
_END = re.compile(r"[.!?]+[\"'”’)\]]*(\s+)(?=[\"'“‘(\[]*[A-Z\u00C0-\u00DE])")
_WORD_BEFORE = re.compile(r"(\S+)$")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")


def _abbreviation(before: str) -> bool:
    """Whether the text just before a full stop (ending in it) is an abbreviation."""
    found = _WORD_BEFORE.search(before)
    if found is None:
        return False
    word = found.group(1).lstrip("\"'“‘([")
    if _ACRONYM.match(word):
        return True
    bare = word[:-1]
    if len(bare) == 1 and bare.isalpha():
        return True  # an initial: "George W. Bush"
    return bare.lower() in ABBREVIATIONS


def sentence_starts(text: str) -> list[int]:
    """The character offset where each sentence of ``text`` begins (the first is 0)."""
    starts = [0]
    for found in _END.finditer(text):
        stop = found.start()
        if text[stop] == "." and _abbreviation(text[: stop + 1]):
            continue
        starts.append(found.end(1))
    return starts


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, trailing spaces left out."""
    starts = sentence_starts(text)
    ends = starts[1:] + [len(text)]
    return [(s, s + len(text[s:e].rstrip())) for s, e in zip(starts, ends, strict=True)]


def sentence_of(starts: Sequence[int], offset: int) -> int:
    """The number of the sentence holding character ``offset`` (``starts`` as above)."""
    return bisect_right(starts, offset) - 1
