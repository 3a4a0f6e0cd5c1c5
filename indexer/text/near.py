"""Where a proximity pattern (``"a b"~N``, ``a NEAR/N b``, ``a SENTENCE b``) occurs in a
passage's analysed words, and which words made each occurrence (for marking).

Engine-neutral: an engine turns the query's words into index terms and the passage into
``Token`` s (from the text, or only the pattern's words from the postings); the same tokens
give both the answer and the marks, so what is marked is what matched. Distances are in the
analyzer's positions, which number kept words one after another, so stop words do not count.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Seq",
    "Alt",
    "Window",
    "Pair",
    "Pattern",
    "Token",
    "Occurrence",
    "occurrences",
    "needs_sentences",
    "pattern_terms",
]

#: (analysed word, position, start character, end character), as the analyzer gives them
Token = tuple[str, int, int, int]
Terms = frozenset[str]


@dataclass(frozen=True)
class Seq:
    """Words one right after another (a phrase; a single word is a Seq of one); each place
    holds any of its terms (a wildcard's expansions)."""

    terms: tuple[Terms, ...]


@dataclass(frozen=True)
class Alt:
    """Any of ``options`` (a group of alternatives)."""

    options: tuple[Pattern, ...]


@dataclass(frozen=True)
class Window:
    """``"a b c"~slop``: every place's word at a position of its own, in any order, all within
    ``len(terms) + slop`` consecutive positions."""

    terms: tuple[Terms, ...]
    slop: int


@dataclass(frozen=True)
class Pair:
    """An occurrence of ``left`` and one of ``right`` that do not overlap, with at most
    ``distance`` positions between them, or (``distance`` None) inside one sentence."""

    left: Pattern
    right: Pattern
    distance: int | None


Pattern = Seq | Alt | Window | Pair


@dataclass(frozen=True)
class Occurrence:
    """Positions ``first`` to ``last`` hold a match; ``words`` are the indexes (in the token
    list) of the tokens that made it."""

    first: int
    last: int
    words: frozenset[int]


def pattern_terms(pattern: Pattern) -> frozenset[str]:
    """Every term the pattern may match."""
    if isinstance(pattern, Seq | Window):
        return frozenset().union(*pattern.terms)
    if isinstance(pattern, Alt):
        return frozenset().union(*(pattern_terms(p) for p in pattern.options))
    return pattern_terms(pattern.left) | pattern_terms(pattern.right)


def needs_sentences(pattern: Pattern) -> bool:
    """Whether matching ``pattern`` needs the sentence of each token."""
    if isinstance(pattern, Pair):
        return (
            pattern.distance is None
            or needs_sentences(pattern.left)
            or needs_sentences(pattern.right)
        )
    if isinstance(pattern, Alt):
        return any(needs_sentences(p) for p in pattern.options)
    return False


def occurrences(
    pattern: Pattern, tokens: Sequence[Token], sentence: Mapping[int, int] | None = None
) -> list[Occurrence]:
    """Every occurrence of ``pattern`` in ``tokens`` (in position order), one per extent;
    ``sentence[p]`` is the sentence number of position p, needed when ``needs_sentences``."""
    if isinstance(pattern, Seq):
        return _seq(pattern, tokens)
    if isinstance(pattern, Window):
        return _window(pattern, tokens)
    if isinstance(pattern, Alt):
        found: dict[tuple[int, int], Occurrence] = {}
        for option in pattern.options:
            for occ in occurrences(option, tokens, sentence):
                _keep(found, occ)
        return sorted(found.values(), key=lambda o: (o.first, o.last))
    return _pair(pattern, tokens, sentence)


def _keep(found: dict[tuple[int, int], Occurrence], occ: Occurrence) -> None:
    """Keep one occurrence per extent, with every word any of them marks."""
    key = (occ.first, occ.last)
    old = found.get(key)
    found[key] = occ if old is None else Occurrence(occ.first, occ.last, old.words | occ.words)


def _seq(pattern: Seq, tokens: Sequence[Token]) -> list[Occurrence]:
    n = len(pattern.terms)
    at = {t[1]: i for i, t in enumerate(tokens)} if n > 1 else {}
    out = []
    for i, token in enumerate(tokens):
        if token[0] not in pattern.terms[0]:
            continue
        words = [i]
        for k in range(1, n):
            j = at.get(token[1] + k)
            if j is None or tokens[j][0] not in pattern.terms[k]:
                break
            words.append(j)
        else:
            out.append(Occurrence(token[1], token[1] + n - 1, frozenset(words)))
    return out


def _window(pattern: Window, tokens: Sequence[Token]) -> list[Occurrence]:
    """Each start position that some place's word holds, tried as the window's first word;
    the places are assigned distinct positions by a small search (places are few)."""
    places = pattern.terms
    width = len(places) + pattern.slop
    at = [[t[1] for t in tokens if t[0] in terms] for terms in places]
    index = {t[1]: i for i, t in enumerate(tokens)}
    starts = sorted({p for positions in at for p in positions})
    found: dict[tuple[int, int], Occurrence] = {}
    for start in starts:
        inside = [[p for p in positions if start <= p < start + width] for positions in at]
        chosen = _assign(inside, 0, set(), start)
        if chosen is not None:
            words = frozenset(index[p] for p in chosen)
            _keep(found, Occurrence(min(chosen), max(chosen), words))
    return sorted(found.values(), key=lambda o: (o.first, o.last))


def _assign(inside: list[list[int]], place: int, used: set[int], start: int) -> list[int] | None:
    """Distinct positions, one per place from ``inside[place:]``, with ``start`` among them
    by the end (so each window is counted from its first word)."""
    if place == len(inside):
        return [] if start in used else None
    for i in inside[place]:
        if i in used:
            continue
        used.add(i)
        rest = _assign(inside, place + 1, used, start)
        used.discard(i)
        if rest is not None:
            return [i, *rest]
    return None


def _pair(
    pattern: Pair, tokens: Sequence[Token], sentence: Mapping[int, int] | None
) -> list[Occurrence]:
    lefts = occurrences(pattern.left, tokens, sentence)
    if not lefts:
        return []
    rights = occurrences(pattern.right, tokens, sentence)
    found: dict[tuple[int, int], Occurrence] = {}
    if pattern.distance is None:
        assert sentence is not None, "a SENTENCE pattern needs the sentences"
        for a, b in _same_sentence(lefts, rights, sentence):
            _joined(found, a, b)
        return sorted(found.values(), key=lambda o: (o.first, o.last))
    by_first = sorted(rights, key=lambda o: o.first)
    firsts = [o.first for o in by_first]
    by_last = sorted(rights, key=lambda o: o.last)
    lasts = [o.last for o in by_last]
    d = pattern.distance
    for a in lefts:
        # b after a: a.last < b.first <= a.last + 1 + d; b before a: a.first - 1 - d <= b.last
        for b in by_first[bisect_right(firsts, a.last) : bisect_right(firsts, a.last + 1 + d)]:
            _joined(found, a, b)
        for b in by_last[bisect_left(lasts, a.first - 1 - d) : bisect_left(lasts, a.first)]:
            _joined(found, a, b)
    return sorted(found.values(), key=lambda o: (o.first, o.last))


def _same_sentence(
    lefts: list[Occurrence], rights: list[Occurrence], sentence: Mapping[int, int]
) -> list[tuple[Occurrence, Occurrence]]:
    """Pairs that do not overlap and lie inside one sentence (each grouped by its sentence)."""
    groups: dict[int, list[Occurrence]] = {}
    for b in rights:
        if sentence[b.first] == sentence[b.last]:
            groups.setdefault(sentence[b.first], []).append(b)
    pairs = []
    for a in lefts:
        if sentence[a.first] != sentence[a.last]:
            continue
        for b in groups.get(sentence[a.first], ()):
            if b.first > a.last or b.last < a.first:
                pairs.append((a, b))
    return pairs


def _joined(found: dict[tuple[int, int], Occurrence], a: Occurrence, b: Occurrence) -> None:
    _keep(found, Occurrence(min(a.first, b.first), max(a.last, b.last), a.words | b.words))
