"""Match spans: where a query matches in a text, as character offsets (``indexer.snippets``
turns them into HTML).

Matches are found by running the document through the field's own analyzer, so a stemmed query
word marks every inflection (``visit`` marks ``visiting``), and a phrase is marked as one span
only where its words occur in order. Everything here is stateless, so any number of searches may
look for spans at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)

__all__ = ["match_spans", "merge_spans", "analysed_tokens", "ANALYZE_CHARS"]

#: Analysing a hit stops here; nothing after this many characters is marked (a pathological document
#: must not make one search slow).
ANALYZE_CHARS = 100_000
#: Tokens analysed between two looks at the clock, when there is one.
_TOKENS_PER_CHECK = 4096


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


def analysed_tokens(
    text: str, analyzer: Any, check: Callable[[], None] | None = None
) -> list[tuple[str, int, int, int]]:
    """(analysed word, position, start char, end char) per token, exactly as ``analyzer``
    gives them with positions and characters. Analysing each distinct word once and
    remembering it makes this several times faster than the filter chain per token (snippets
    re-analyse the same common words for every search). ``check`` is called every few
    thousand tokens; it raises to stop (a time budget)."""
    cache = _word_cache(analyzer)
    if cache is None:
        tokens = []
        for i, t in enumerate(analyzer(text, positions=True, chars=True, mode="index")):
            if check is not None and i % _TOKENS_PER_CHECK == 0:
                check()
            tokens.append((t.text, t.pos, t.startchar, t.endchar))
        return tokens
    out: list[tuple[str, int, int, int]] = []
    first = -1
    for raw, match in enumerate(analyzer.items[0].expression.finditer(text)):
        if check is not None and raw % _TOKENS_PER_CHECK == 0:
            check()
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
    text: str,
    analyzer: Any,
    terms: frozenset[str],
    phrases: Sequence[tuple[str, ...]],
    *,
    limit: int | None = ANALYZE_CHARS,
    check: Callable[[], None] | None = None,
) -> list[tuple[int, int]]:
    """Character spans of the matches in the first ``limit`` characters of ``text`` (None:
    all of it), sorted and merged; ``check`` as for ``analysed_tokens``."""
    tokens = analysed_tokens(text if limit is None else text[:limit], analyzer, check)
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
    return merge_spans(spans)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` sorted, overlapping or touching ones joined: each marked run one ``<mark>``."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
