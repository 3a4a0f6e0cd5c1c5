"""What a copy changed against its story's lead: paragraphs added, removed, reworded (with the
changed words located) and captions whose text or credit changed.

Paragraphs are paired in order (``difflib`` over the two lists, a pair kept when at least half
its words agree), so a reordered paragraph shows as removed at its old place and added at its
new one, as a reader comparing the two would see it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Caption
from ..snippets import mark_text

__all__ = ["ParagraphChange", "CaptionChange", "diff_paragraphs", "diff_captions"]

Span = tuple[int, int]

#: Word agreement (difflib ratio) from which two paragraphs are one reworded paragraph.
REWORDED = 0.5
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class ParagraphChange:
    """One step of the comparison: ``change`` is "same", "reworded", "added" (in the copy
    only) or "removed" (in the lead only); ``*_changed`` are the spans of changed words."""

    change: str
    lead: str | None
    copy: str | None
    lead_changed: tuple[Span, ...] = ()
    copy_changed: tuple[Span, ...] = ()

    def lead_html(self) -> str:
        """The lead's paragraph as escaped HTML, the words the copy changed in ``<mark>``."""
        return mark_text(self.lead or "", self.lead_changed)

    def copy_html(self) -> str:
        """The copy's paragraph as escaped HTML, its changed words in ``<mark>``."""
        return mark_text(self.copy or "", self.copy_changed)

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "lead": self.lead,
            "copy": self.copy,
            "lead_changed": [list(s) for s in self.lead_changed],
            "copy_changed": [list(s) for s in self.copy_changed],
        }


@dataclass(frozen=True)
class CaptionChange:
    """A caption compared: "same", "credit" (text kept, credit changed), "text", "added" or
    "removed"."""

    change: str
    lead: Caption | None
    copy: Caption | None

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "lead": self.lead.to_json() if self.lead else None,
            "copy": self.copy.to_json() if self.copy else None,
        }


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _word_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower().split(), b.lower().split()).ratio()


def changed_words(lead: str, copy: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """The spans of the words of ``lead`` and of ``copy`` that the other does not have."""
    a, b = _tokens(lead), _tokens(copy)
    matcher = difflib.SequenceMatcher(None, [m.group() for m in a], [m.group() for m in b])
    lead_spans: list[Span] = []
    copy_spans: list[Span] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if i2 > i1:
            lead_spans.append((a[i1].start(), a[i2 - 1].end()))
        if j2 > j1:
            copy_spans.append((b[j1].start(), b[j2 - 1].end()))
    return tuple(lead_spans), tuple(copy_spans)


def _pair(lead: str, copy: str) -> ParagraphChange:
    if lead == copy:
        return ParagraphChange("same", lead, copy)
    spans = changed_words(lead, copy)
    return ParagraphChange("reworded", lead, copy, *spans)


def _block(lead: Sequence[str], copy: Sequence[str]) -> list[ParagraphChange]:
    """A replaced run of paragraphs: each copy paragraph paired with the next lead paragraph
    it resembles, the rest added or removed, in reading order."""
    out: list[ParagraphChange] = []
    i = 0
    for text in copy:
        match = next(
            (k for k in range(i, len(lead)) if _word_ratio(lead[k], text) >= REWORDED), None
        )
        if match is None:
            out.append(ParagraphChange("added", None, text))
            continue
        out.extend(ParagraphChange("removed", p, None) for p in lead[i:match])
        out.append(_pair(lead[match], text))
        i = match + 1
    out.extend(ParagraphChange("removed", p, None) for p in lead[i:])
    return out


def diff_paragraphs(lead: Sequence[str], copy: Sequence[str]) -> list[ParagraphChange]:
    """The copy's body against the lead's, paragraph by paragraph, in reading order."""
    matcher = difflib.SequenceMatcher(None, list(lead), list(copy), autojunk=False)
    out: list[ParagraphChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(ParagraphChange("same", p, p) for p in lead[i1:i2])
        else:
            out.extend(_block(lead[i1:i2], copy[j1:j2]))
    return out


def diff_captions(lead: Sequence[Caption], copy: Sequence[Caption]) -> list[CaptionChange]:
    """The copy's captions against the lead's: paired by text (exact, else resembling)."""
    left = list(lead)
    out: list[CaptionChange] = []
    for cap in copy:
        match = next((c for c in left if c.text == cap.text), None)
        if match is None:
            match = next((c for c in left if _word_ratio(c.text, cap.text) >= REWORDED), None)
        if match is None:
            out.append(CaptionChange("added", None, cap))
            continue
        left.remove(match)
        if match.text != cap.text:
            change = "text"
        elif (match.credit or "") != (cap.credit or ""):
            change = "credit"
        else:
            change = "same"
        out.append(CaptionChange(change, match, cap))
    out.extend(CaptionChange("removed", c, None) for c in left)
    return out
