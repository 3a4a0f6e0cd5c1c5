"""Marking a query's words in a whole article, for the article page a result links to.

Search hits come with the library's own highlighted snippets; the article page shows full texts
the search did not highlight, so it marks them here. Matching is deliberately approximate (case
and accents folded, common English endings ignored, ``word*`` as a prefix): a missed or extra
mark on a reading page costs nothing, while the ranked results stay the library's exact ones.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

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

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefixes)

    def matches(self, word: str) -> bool:
        if stem(word) in self.stems:
            return True
        folded = fold(word)
        return any(folded.startswith(p) for p in self.prefixes)


def query_terms(query: str) -> QueryTerms:
    """The words of ``query`` worth marking: not excluded ones, operators or filter fields."""
    stems: set[str] = set()
    prefixes: list[str] = []
    previous = ""
    for token in _TOKEN.findall(query):
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
                    prefixes.append(fold(word[:-1]))
            elif fold(word) not in _STOP:
                stems.add(stem(word))
    return QueryTerms(frozenset(stems), tuple(prefixes))


def mark_terms(text: str, terms: QueryTerms) -> Markup:
    """``text`` escaped, with the words matching ``terms`` wrapped in ``<mark>``."""
    if not terms:
        return Markup(escape(text))
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group().rstrip("*")
        if terms.matches(word):
            out.append(str(escape(text[last : match.start()])))
            out.append(f"<mark>{escape(word)}</mark>")
            last = match.start() + len(word)
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
