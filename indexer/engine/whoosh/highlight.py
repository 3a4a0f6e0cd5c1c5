"""Snippets: the part of a document around its matches, HTML-escaped, matches in ``<mark>``.

Matches are found by running the document through the field's own analyzer, so a stemmed query
word marks every inflection (``visit`` marks ``visiting``), and a phrase is marked as one span
only where its words occur in order. Everything here is stateless, so any number of searches may
highlight at once.
"""

from __future__ import annotations

import html
import weakref
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)

__all__ = [
    "make_snippet",
    "analysed_tokens",
    "SNIPPET_CHARS",
    "WHOLE_CAPTION_CHARS",
    "ELLIPSIS",
    "ANALYZE_CHARS",
]

#: About how long a snippet of a long paragraph is (cut at word boundaries).
SNIPPET_CHARS = 240
#: Captions up to this long are shown entire: a caption cut in half loses its who/where/when.
WHOLE_CAPTION_CHARS = 600
#: Analysing stops here; nothing after this many characters is marked (a pathological document
#: must not make one search slow).
ANALYZE_CHARS = 100_000
ELLIPSIS = "\u2026"


#: The per-token filters whose result depends on the token's own text alone (position aside).
_PER_TOKEN_FILTERS = (LowercaseFilter, CharsetFilter, StopFilter, StemFilter)
#: At most this many analysed words are remembered per analyzer.
_WORD_CACHE_SIZE = 200_000
# analyzers compare by value and cannot be hashed, so their caches are kept by identity
_word_caches: dict[int, tuple[weakref.ref[Any], dict[str, str | None]]] = {}


def _word_cache(analyzer: Any) -> dict[str, str | None] | None:
    """A cache of word -> analysed word (None: dropped) when ``analyzer`` is a regex tokenizer
    followed by filters that look at one token at a time, else None."""
    entry = _word_caches.get(id(analyzer))
    if entry is not None and entry[0]() is analyzer:
        return entry[1]
    items = getattr(analyzer, "items", None)
    if (
        not items
        or type(items[0]) is not RegexTokenizer
        or items[0].gaps
        or not all(type(f) in _PER_TOKEN_FILTERS for f in items[1:])
        or any(type(f) is StopFilter and not f.renumber for f in items[1:])
    ):
        return None
    key = id(analyzer)
    cache: dict[str, str | None] = {}
    _word_caches[key] = (weakref.ref(analyzer, lambda _: _word_caches.pop(key, None)), cache)
    return cache


def analysed_tokens(text: str, analyzer: Any) -> list[tuple[str, int, int, int]]:
    """(analysed word, position, start char, end char) per token, exactly as ``analyzer``
    gives them with positions and characters. Analysing each distinct word once and
    remembering it makes this several times faster than the filter chain per token (snippets
    re-analyse the same common words for every search)."""
    cache = _word_cache(analyzer)
    if cache is None:
        return [
            (t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, mode="index")
        ]
    out: list[tuple[str, int, int, int]] = []
    first = -1
    for raw, match in enumerate(analyzer.items[0].expression.finditer(text)):
        word = match.group(0)
        try:
            analysed = cache[word]
        except KeyError:
            analysed = next((t.text for t in analyzer(word, mode="index")), None)
            if len(cache) >= _WORD_CACHE_SIZE:
                cache.clear()
            cache[word] = analysed
        if analysed is None:
            continue
        # the stop filter keeps the first kept token's position and numbers the rest after it
        if first < 0:
            first = raw
        out.append((analysed, first + len(out), match.start(), match.end()))
    return out


def match_spans(
    text: str, analyzer: Any, terms: frozenset[str], phrases: Sequence[tuple[str, ...]]
) -> list[tuple[int, int]]:
    """Character spans of the matches in ``text``, sorted and merged."""
    tokens = analysed_tokens(text[:ANALYZE_CHARS], analyzer)
    spans = [(start, end) for word, _, start, end in tokens if word in terms]
    # where each word occurs, so a phrase is tried only where its first word is
    at: dict[str, list[int]] = {}
    if phrases:
        for i, token in enumerate(tokens):
            at.setdefault(token[0], []).append(i)
    for phrase in phrases:
        n = len(phrase)
        for i in at.get(phrase[0], ()):
            if i + n <= len(tokens) and all(tokens[i + k][0] == phrase[k] for k in range(n)):
                # consecutive tokens may still be far apart if stop words were removed between
                if tokens[i + n - 1][1] - tokens[i][1] <= 2 * (n - 1):
                    spans.append((tokens[i][2], tokens[i + n - 1][3]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
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


def make_snippet(
    text: str,
    *,
    analyzer: Any,
    terms: frozenset[str],
    phrases: Sequence[tuple[str, ...]] = (),
    whole: bool = False,
    size: int = SNIPPET_CHARS,
) -> str:
    """HTML for one hit: ``text`` escaped, matches in ``<mark>``; the whole text when ``whole``
    or short, otherwise about ``size`` characters around the matches with ellipses."""
    spans = match_spans(text, analyzer, terms, phrases)
    start, end = (0, len(text)) if whole or len(text) <= size else _window(text, spans, size)
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
