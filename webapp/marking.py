"""Marking a query's words in a whole article, for the article page a result links to.

Search hits come with the library's own highlighted snippets; the article page shows full texts
the search did not highlight, so it marks them here. Matching is deliberately approximate (case
and accents folded, common English endings ignored, ``word*`` as a prefix): a missed or extra
mark on a reading page costs nothing, while the ranked results stay the library's exact ones.
So marking is bounded rather than refused: only the first MAX_QUERY_CHARS of ``?q=`` count (the
page's address can be far longer than a search may be), each distinct word of the article is
judged once, and past the time budget the rest of the article is shown unmarked.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from markupsafe import Markup, escape

from indexer.params import MAX_QUERY_CHARS

__all__ = ["QueryTerms", "mark_terms", "query_terms"]

_TOKEN = re.compile(r'-?(?:\w+:)?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+(?:[.'’]\w+)*\*?")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
#: Fields whose words are not article text: marking ``kind:caption`` as a word would be noise.
_SKIPPED_FIELDS = {"kind", "source", "published", "photo_date"}
_SUFFIXES = ("ing", "ies", "ied", "ed", "es", "ly", "s")
_STOP = {"a", "an", "and", "are", "as", "at", "be", "by", "for", "in", "is", "it", "of", "on"}
_STOP |= {"or", "that", "the", "this", "to", "was", "with"}


def fold(word: str) -> str:
    """Lower-case without accents, so ``António`` and ``antonio`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def stem(word: str) -> str:
    word = fold(word)
    for possessive in ("'s", "'"):
        if word.endswith(possessive):
            word = word[: -len(possessive)]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class QueryTerms:
    stems: frozenset[str]
    prefixes: tuple[str, ...]
    #: ``time.perf_counter()`` past which marking stops (None: no limit)
    until: float | None = None

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes)

    def matches(self, word: str) -> bool:
        if stem(word) in self.stems:
            return True
        folded = fold(word)
        return any(folded[:length] in same for length, same in self._by_length)

    @cached_property
    def _by_length(self) -> tuple[tuple[int, frozenset[str]], ...]:
        """The prefixes grouped by length, so a word is tested once per length, not once per
        prefix."""
        groups: dict[int, set[str]] = {}
        for p in self.prefixes:
            groups.setdefault(len(p), set()).add(p)
        return tuple((length, frozenset(g)) for length, g in groups.items())


def query_terms(query: str, time_budget: float | None = None) -> QueryTerms:
    """The words of ``query`` worth marking: not excluded ones, operators or filter fields.
    With ``time_budget`` (seconds from now), marking stops when it runs out."""
    until = None if time_budget is None else time.perf_counter() + time_budget
    stems: set[str] = set()
    prefixes: dict[str, None] = {}
    previous = ""
    for token in _TOKEN.findall(query[:MAX_QUERY_CHARS]):
        excluded = token.startswith("-") or previous == "NOT"
        previous = token
        if excluded or token in _OPERATORS:
            continue
        field, sep, rest = token.partition(":")
        if sep and not field.startswith('"') and re.fullmatch(r"\w+", field):
            if field.lower() in _SKIPPED_FIELDS:
                continue
            token = rest
        for word in _WORD.findall(token):
            if word.endswith("*"):
                if len(word) > 2:
                    prefixes[fold(word[:-1])] = None
            elif fold(word) not in _STOP:
                stems.add(stem(word))
    return QueryTerms(frozenset(stems), tuple(prefixes), until)


#: Words marked between two looks at the clock.
_WORDS_PER_CHECK = 4096


def mark_terms(text: str, terms: QueryTerms) -> Markup:
    """``text`` escaped, with the words matching ``terms`` wrapped in ``<mark>`` (up to the
    time ``terms`` allows; the rest escaped unmarked)."""
    if not terms or (terms.until is not None and time.perf_counter() > terms.until):
        return Markup(escape(text))
    out: list[str] = []
    last = 0
    judged: dict[str, bool] = {}
    for i, match in enumerate(_WORD.finditer(text)):
        if i % _WORDS_PER_CHECK == 0 and terms.until is not None:
            if time.perf_counter() > terms.until:
                break
        word = match.group().rstrip("*")
        marked = judged.get(word)
        if marked is None:
            marked = judged[word] = terms.matches(word)
        if marked:
            out.append(str(escape(text[last : match.start()])))
            out.append(f"<mark>{escape(word)}</mark>")
            last = match.start() + len(word)
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
