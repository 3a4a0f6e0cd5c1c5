"""The one place where text and match spans become HTML: the text escaped, matches in ``<mark>``.

Engines say where a query matches (character spans, ``indexer.engine.base.Span``); what to show
of a long text and how to mark it is decided here, the same for every engine: a hit's snippet
is the window of about SNIPPET_CHARS holding the most matches, cut at spaces, and the article
page marks whole texts.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Sequence

__all__ = [
    "ELLIPSIS",
    "SNIPPET_CHARS",
    "WHOLE_CAPTION_CHARS",
    "hit_snippet",
    "make_snippet",
    "mark_text",
]

#: About how long a snippet of a long paragraph is (cut at word boundaries).
SNIPPET_CHARS = 240
#: Captions up to this long are shown entire: a caption cut in half loses its who/where/when.
WHOLE_CAPTION_CHARS = 600
ELLIPSIS = "\u2026"

Spans = Sequence[tuple[int, int]]


def _window(text: str, spans: Spans, size: int) -> tuple[int, int]:
    """The ``[start, end)`` of about ``size`` characters holding the most matches, cut at
    spaces, never through a match."""
    n = len(text)
    # the spans are sorted and disjoint, so their ends ascend too: the spans from the i-th
    # that end within ``size`` of its start are found by bisection (a long text full of
    # matches has tens of thousands of spans, too many to count pairwise)
    ends = [e for _, e in spans]
    best_i, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = bisect_right(ends, start + size, lo=i) - i
        if count > best_count:
            best_i, best_count = i, count
    if spans:
        first = spans[best_i][0]
        last = ends[best_i + best_count - 1] if best_count else first
        lead = max(0, (size - (last - first)) // 3)
        start = max(0, first - lead)
    else:
        start = 0
    end = min(n, start + size)
    if end == n:
        start = max(0, n - size)
    if start > 0:
        space = text.find(" ", start)
        limit = spans[best_i][0] if spans else end
        start = space + 1 if 0 <= space < limit else start
    if end < n:
        space = text.rfind(" ", start, end + 1)
        if space > start:
            end = space
        for s, e in spans:
            if s < end < e:
                end = e
    return start, end


def _marked(text: str, spans: Spans, start: int, end: int) -> str:
    """``text[start:end]`` escaped, the parts of ``spans`` inside it in ``<mark>``, with an
    ellipsis on each side that was cut."""
    out = [ELLIPSIS] if start > 0 else []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end].rstrip() if end < len(text) else text[pos:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return "".join(out)


def make_snippet(text: str, spans: Spans, *, whole: bool = False, size: int = SNIPPET_CHARS) -> str:
    """HTML for one hit: ``text`` escaped, ``spans`` (sorted, disjoint) in ``<mark>``; the
    whole text when ``whole`` or short, otherwise about ``size`` characters around the
    matches with ellipses."""
    start, end = (0, len(text)) if whole or len(text) <= size else _window(text, spans, size)
    return _marked(text, spans, start, end)


def hit_snippet(kind: str, text: str, spans: Spans) -> str:
    """The snippet a search hit shows: a headline, and a caption short enough to keep its
    who/where/when, whole; anything else a window around its matches."""
    whole = kind == "headline" or (kind == "caption" and len(text) <= WHOLE_CAPTION_CHARS)
    return make_snippet(text, spans, whole=whole)


def mark_text(text: str, spans: Spans) -> str:
    """All of ``text`` escaped, ``spans`` (sorted, disjoint) in ``<mark>`` (the article page)."""
    return _marked(text, spans, 0, len(text))
