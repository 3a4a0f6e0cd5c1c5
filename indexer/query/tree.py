"""The query language's syntax tree: what each piece of a query parses to.

Its own module so that the parser (query.py) and the compiler to Whoosh (query_compile.py) share
the node types without either depending on the other's machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "FIELDS",
    "DATE_FIELDS",
    "RESTRICTING_FIELDS",
    "Node",
    "Word",
    "Phrase",
    "Prefix",
    "Fuzzy",
    "DateSpan",
    "Group",
    "AllOf",
    "AnyOf",
    "Negated",
    "Required",
    "Sloppy",
    "Near",
    "SameSentence",
    "Side",
    "JOIN_FIELDS",
    "MAX_NEAR",
    "restricts",
]

#: Fields a query may name, with what they search (shown in the error for an unknown field).
FIELDS = (
    "headline", "kind", "credit", "source", "byline", "dateline", "published", "photo_date",
    "speaker", "crawled", "lang", "story",
)  # fmt: skip
#: ``crawled`` is when a web archive captured the page (any of its captures; WARC input)
DATE_FIELDS = ("published", "photo_date", "crawled")
#: Fields that narrow the results rather than describe the topic: beside words they must hold
#: (``kind:caption putin`` means captions about Putin), unless joined with OR.
RESTRICTING_FIELDS = (
    "kind", "source", "credit", "byline", "dateline", "speaker", "lang", "story",
) + DATE_FIELDS  # fmt: skip
#: ``said:(...)`` and ``pictured:(...)``: the two sides of an article-level join (query/join.py).
JOIN_FIELDS = ("said", "pictured")
#: The largest distance ``~N`` and ``NEAR/N`` take: a wider window is most of a long passage,
#: and the per-document check grows with it.
MAX_NEAR = 50


@dataclass(frozen=True)
class Word:
    """A plain word as typed; ``field`` None means the document text. ``start``/``end`` locate it
    in the query string (for "did you mean")."""

    text: str
    field: str | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Phrase:
    """A quoted phrase (words in order)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    """``infra*``: any word beginning with ``text``."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Fuzzy:
    """``Puttin~`` (distance 1) or ``Puttin~2``: words within ``distance`` edits."""

    text: str
    distance: int
    field: str | None = None


@dataclass(frozen=True)
class DateSpan:
    """``published:2023-10-01..2023-10-31``: ``start`` inclusive, ``end`` exclusive, either open."""

    field: str
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class Group:
    """Clauses side by side: ``required`` must all match, ``excluded`` must not, and ``optional``
    match any (more is better). A group always has a positive clause."""

    optional: tuple[Node, ...] = ()
    required: tuple[Node, ...] = ()
    excluded: tuple[Node, ...] = ()


@dataclass(frozen=True)
class AllOf:
    """``a AND b``."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """``a OR b`` (no coordination bonus: the user asked for either)."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Negated:
    """``NOT a`` or ``-a``."""

    child: Node


@dataclass(frozen=True)
class Required:
    """``+a``: required in a group; inside AND/OR it is just ``a``."""

    child: Node


@dataclass(frozen=True)
class Sloppy:
    """``"putin xi"~5``: the phrase's words in any order, each at its own position, within a
    window of (words + ``slop`` - 1) positions: ``slop`` other words at most among them."""

    text: str
    slop: int


@dataclass(frozen=True)
class Near:
    """``a NEAR/5 b``: a match of ``left`` and one of ``right`` (words, phrases, groups of
    alternatives) with at most ``distance`` words between them, in either order."""

    left: Node
    right: Node
    distance: int


@dataclass(frozen=True)
class SameSentence:
    """``a SENTENCE b``: a match of ``left`` and one of ``right`` inside one sentence."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Side:
    """``said:(...)`` or ``pictured:(...)``: one side of a join on the article (``name`` is one
    of JOIN_FIELDS); only at the top of a query."""

    name: str
    group: Group


Node = (
    Word
    | Phrase
    | Prefix
    | Fuzzy
    | DateSpan
    | Group
    | AllOf
    | AnyOf
    | Negated
    | Required
    | Sloppy
    | Near
    | SameSentence
    | Side
)


def restricts(node: Node) -> bool:
    """Whether ``node`` only names restricting fields (see RESTRICTING_FIELDS)."""
    if isinstance(node, Word | Phrase | Prefix | Fuzzy | DateSpan):
        return node.field in RESTRICTING_FIELDS
    if isinstance(node, AllOf | AnyOf):
        return all(restricts(c) for c in node.children)
    if isinstance(node, Group):
        return all(restricts(c) for c in node.required + node.optional)
    return False
