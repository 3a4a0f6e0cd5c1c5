"""Our query tree -> a SphinxQL full-text expression, date filters and what to mark.

Injection is impossible by construction: every word reaches the expression only as tokens of
letters, digits and ``_`` (what the index's charset keeps), and every operator, field name
and quote is ours; the expression is then passed to ``MATCH(%s)`` as an escaped literal.
Semantics follow the Whoosh engine (``indexer/engine/whoosh/compile.py``): ``headline:x`` is
``x`` in a headline document, ``kind:``/``source:`` are tokens of the ``meta`` field so they
work inside OR, and ``NOT`` inside AND/OR is the complement over every document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from ...errors import QueryError
from ...model import KINDS
from ...query.parser import MAX_TERMS
from ...query.tree import (
    AllOf,
    AnyOf,
    DateSpan,
    Fuzzy,
    Group,
    Negated,
    Node,
    Phrase,
    Prefix,
    Required,
    Word,
    restricts,
)
from .schema import ALL_TOKEN, STOP_WORDS, epoch, kind_token, source_token

__all__ = ["DateFilter", "Translated", "tokens", "translate"]

_STOP = frozenset(STOP_WORDS)
#: Fields named in a query that are full-text fields of the index (``headline`` is handled
#: apart: a headline document's text).
_TEXT_FIELDS = {None: "text", "credit": "credit", "byline": "byline", "dateline": "dateline"}


def kept_char(char: str) -> bool:
    """Whether the index's charset keeps ``char`` as part of a word (schema.charset_table)."""
    code = ord(char)
    return (
        (char.isascii() and (char.isalnum() or char == "_"))
        or (0xC0 <= code < 0x250 and char.isalpha())
        or (0x386 <= code < 0x3CF and char.isalpha())
        or (0x400 <= code < 0x460 and char.isalpha())
    )


def _word_pattern() -> re.Pattern[str]:
    """A regex of runs of kept characters (what ``kept_char`` says, as character ranges)."""
    kept = [c for c in range(0x460) if kept_char(chr(c))]
    ranges, start = [], kept[0]
    for prev, code in zip(kept, kept[1:] + [-1], strict=True):
        if code != prev + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
            start = code
    return re.compile("[" + "".join(ranges) + "]+")


#: a word as the index splits text (letters and digits of its charset, and ``_``)
WORD = _word_pattern()


def tokens(text: str) -> list[str]:
    """The words of ``text`` as the index splits them, lower-cased (stop words kept)."""
    return [m.group().lower() for m in WORD.finditer(text)]


def searchable(word: str) -> bool:
    """Whether a token is indexed at all (not a stop word, not too short)."""
    return len(word) >= 2 and word not in _STOP


@dataclass(frozen=True)
class DateFilter:
    """``published``/``photo_date`` in ``[start, end)`` (either open); ``negate`` excludes."""

    field: str
    start: int | None
    end: int | None
    negate: bool = False


@dataclass
class Translated:
    """A query made runnable: the MATCH expression, its date filters, what spans mark."""

    match: str
    #: the same documents without what only ranks them (the headline's ``MAYBE``): what a
    #: statement that only counts them matches (a third less work on long questions at 1M)
    matching: str = ""
    dates: list[DateFilter] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # single words (normalised by the server)
    phrases: list[list[str]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    plain: list[str] = field(default_factory=list)  # unfielded words (headline score)
    typed: list[Word] = field(default_factory=list)  # the same as typed (suggestions)


def _seconds(value: datetime | None) -> int | None:
    return None if value is None else epoch(value)


class _Translator:
    def __init__(self) -> None:
        self.out = Translated("")
        self.terms = 0
        self.negative = 0
        self.dropped: list[str] = []

    def words(self, fieldname: str, text: str, phrase: bool) -> str | None:
        found = tokens(text)
        kept = [t for t in found if searchable(t)]
        self.terms += len(kept)
        if self.terms > MAX_TERMS:
            raise QueryError(
                f"the query has more than {MAX_TERMS} search words; shorten it to the ones "
                "that matter"
            )
        if not kept:
            self.dropped.append(text)
            return None
        if fieldname == "text" and not self.negative:
            if len(kept) == 1:
                self.out.words.append(kept[0])
            else:
                self.out.phrases.append(kept)
        if len(kept) == 1:
            # quoted: a word such as "maybe" or "near" is then never read as an operator
            return f'(@{fieldname} "{kept[0]}")'
        # stop words stay in the phrase: the index counts their positions, so the gap matches
        inner = " ".join(t for t in found if len(t) >= 2)
        return f'(@{fieldname} "{inner}")'

    def prefix(self, fieldname: str, node: Prefix) -> str | None:
        found = tokens(node.text)
        self.terms += 1
        if len(found) != 1:
            raise QueryError(f"{node.text}*: a wildcard applies to one word")
        if fieldname == "text" and not self.negative:
            self.out.prefixes.append(found[0])
        return f'(@{fieldname} "{found[0]}*")'

    def leaf(self, node: Node, fieldname: str | None) -> str | None:
        if not isinstance(node, Word | Phrase | Prefix | Fuzzy):
            # near, sentence and join constructs: not declared, so the facade refuses them
            # first; translating one directly is the same clear error
            raise QueryError(f"the sphinx engine cannot run {type(node).__name__} queries")
        name = node.field or fieldname
        if isinstance(node, Fuzzy):
            raise QueryError("the sphinx engine cannot run fuzzy queries")
        if name == "headline":
            inner = self.leaf(type(node)(node.text), None)
            return None if inner is None else f"({inner} (@meta {kind_token('headline')}))"
        if name == "kind":
            value = node.text.strip().lower()
            if value not in KINDS:
                raise QueryError(f"kind: must be one of {', '.join(KINDS)}, not {node.text!r}")
            return f"(@meta {kind_token(value)})"
        if name == "source":
            if isinstance(node, Prefix):
                raise QueryError("source: takes a whole name, not a wildcard")
            return f"(@meta {source_token(node.text)})"
        target = _TEXT_FIELDS.get(name)
        if target is None:
            raise QueryError(f"the sphinx engine cannot search {name}: here")
        if isinstance(node, Prefix):
            return self.prefix(target, node)
        if isinstance(node, Word) and name is None and not self.negative:
            self.out.plain.append(node.text)
            self.out.typed.append(node)
        return self.words(target, node.text, isinstance(node, Phrase))

    def node(self, node: Node) -> str | None:
        if isinstance(node, Group):
            return self.group(node)
        if isinstance(node, DateSpan):
            raise QueryError(
                f"the sphinx engine cannot run a {node.field}: range inside OR, AND or "
                "brackets; put it beside the words"
            )
        if isinstance(node, AllOf | AnyOf):
            subs = [s for s in (self.node(c) for c in node.children) if s is not None]
            if not subs:
                return None
            joiner = " " if isinstance(node, AllOf) else " | "
            return "(" + joiner.join(subs) + ")"
        if isinstance(node, Negated):
            self.negative += 1
            inner = self.node(node.child)
            self.negative -= 1
            return None if inner is None else f"((@meta {ALL_TOKEN}) -{inner})"
        if isinstance(node, Required):
            return self.node(node.child)
        return self.leaf(node, None)

    def combine(
        self, required: list[str], optional: list[str], excluded: list[str], explicit: bool
    ) -> str:
        if required and optional and not explicit:
            base = "(" + " ".join(required + ["(" + " | ".join(optional) + ")"]) + ")"
        elif required and optional:
            base = f"(({' '.join(required)}) MAYBE ({' | '.join(optional)}))"
        elif required:
            base = "(" + " ".join(required) + ")"
        else:
            base = "(" + " | ".join(optional) + ")"
        if excluded:
            base = f"({base} -({' | '.join(excluded)}))"
        return base

    def parts(self, group: Group) -> tuple[list[str], list[str], list[str]]:
        required = [s for s in (self.node(n) for n in group.required) if s is not None]
        optional = [s for s in (self.node(n) for n in group.optional) if s is not None]
        self.negative += 1
        excluded = [s for s in (self.node(n) for n in group.excluded) if s is not None]
        self.negative -= 1
        return required, optional, excluded

    def group(self, group: Group) -> str | None:
        required, optional, excluded = self.parts(group)
        if not required and not optional:
            return None
        return self.combine(required, optional, excluded, _explicit(group))

    def top(self, tree: Group) -> Translated:
        """The whole query: date ranges beside the words become filters."""

        def dates(nodes: tuple[Node, ...], negate: bool) -> tuple[Node, ...]:
            for n in nodes:
                if isinstance(n, DateSpan):
                    self.out.dates.append(
                        DateFilter(n.field, _seconds(n.start), _seconds(n.end), negate)
                    )
            return tuple(n for n in nodes if not isinstance(n, DateSpan))

        required = dates(tree.required, False)
        excluded = dates(tree.excluded, True)
        rest = Group(optional=tree.optional, required=required, excluded=excluded)
        req, opt, exc = self.parts(rest)
        if not req and not opt:
            if not self.out.dates or self.dropped:
                words = ", ".join(repr(w) for w in self.dropped[:5]) or "the query"
                raise QueryError(
                    f"{words}: too short or too common to search for on its own; add a more "
                    "specific word"
                )
            req = [f"(@meta {ALL_TOKEN})"]
        match = self.combine(req, opt, exc, _explicit(rest))
        self.out.matching = match
        heads = [t for w in self.out.plain for t in tokens(w) if searchable(t)]
        if heads:
            either = " | ".join(f'"{t}"' for t in sorted(set(heads)))
            match = f"({match} MAYBE (@headline {either}))"
        self.out.match = match
        return self.out


def _explicit(group: Group) -> bool:
    return any(not restricts(n) for n in group.required)


def translate(tree: Group) -> Translated:
    """The SphinxQL form of a parsed query (QueryError when nothing searchable is left)."""
    return _Translator().top(tree)
