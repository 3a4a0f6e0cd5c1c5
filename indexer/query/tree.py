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


Node = Word | Phrase | Prefix | Fuzzy | DateSpan | Group | AllOf | AnyOf | Negated | Required


def restricts(node: Node) -> bool:
    """Whether ``node`` only names restricting fields (see RESTRICTING_FIELDS)."""
    if isinstance(node, Word | Phrase | Prefix | Fuzzy | DateSpan):
        return node.field in RESTRICTING_FIELDS
    if isinstance(node, AllOf | AnyOf):
        return all(restricts(c) for c in node.children)
    if isinstance(node, Group):
        return all(restricts(c) for c in node.required + node.optional)
    return False
