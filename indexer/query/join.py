"""The article-level join of ``said:(...)`` and ``pictured:(...)``: where its parts may stand,
and the query each side runs as (engine-neutral; an engine declaring "join" runs the sides and
keeps the articles where every side present matches).

``said:`` searches what an article says (paragraphs, quotes and notes), ``pictured:`` what it
shows (captions: their text and their credit). Beside them only restrictions every side shares
may stand (``source:``, ``byline:``, ``dateline:``, ``published:``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import QueryError
from ..model import KINDS
from .tree import (
    JOIN_FIELDS,
    AllOf,
    AnyOf,
    Group,
    Near,
    Negated,
    Node,
    Phrase,
    Required,
    SameSentence,
    Side,
    Word,
)

__all__ = [
    "JoinPlan",
    "JoinSide",
    "SAID_KINDS",
    "PICTURED_KINDS",
    "SHARED_FIELDS",
    "check_join",
    "join_plan",
]

#: What ``said:`` searches: "quote" counts as soon as the model has it.
SAID_KINDS = tuple(k for k in ("paragraph", "quote", "note") if k in KINDS)
PICTURED_KINDS = ("caption",)
#: Restrictions that may stand beside a join: they hold for both sides of an article.
SHARED_FIELDS = ("source", "byline", "dateline", "published")


@dataclass(frozen=True)
class JoinSide:
    """One side of a join: its ``query`` (the shared restrictions included) holds for the
    side's documents of ``kinds``; ``restricted`` says both in one query."""

    name: str
    query: Group
    kinds: tuple[str, ...]

    def restricted(self) -> Group:
        """The side as one query: its kinds required beside the rest."""
        q = self.query
        return Group(q.optional, (_kinds(self.kinds), *q.required), q.excluded)


@dataclass(frozen=True)
class JoinPlan:
    """A join query taken apart: each present side as a query of its own, in JOIN_FIELDS
    order."""

    sides: tuple[JoinSide, ...]


def _nested_sides(node: Node) -> bool:
    """Whether a Side stands anywhere inside ``node``."""
    if isinstance(node, Side):
        return True
    if isinstance(node, Group):
        return any(_nested_sides(c) for c in node.optional + node.required + node.excluded)
    if isinstance(node, AllOf | AnyOf):
        return any(_nested_sides(c) for c in node.children)
    if isinstance(node, Negated | Required):
        return _nested_sides(node.child)
    if isinstance(node, Near | SameSentence):
        return _nested_sides(node.left) or _nested_sides(node.right)
    return False


def _field(node: Node) -> str | None:
    return getattr(node, "field", None)


def check_join(tree: Group) -> None:
    """QueryError unless every said:/pictured: part stands at the top, at most once each, with
    only shared restrictions beside them."""
    top = tree.optional + tree.required
    sides = [n for n in top if isinstance(n, Side)]
    if any(_nested_sides(n) for n in tree.excluded):
        raise QueryError(
            "said:(...) and pictured:(...) cannot be excluded with - or NOT; put the words to "
            "exclude inside them, as in said:(putin -xi)"
        )
    if any(_nested_sides(n) for n in top if not isinstance(n, Side)):
        raise QueryError(
            "said:(...) and pictured:(...) go at the top of the query, not inside OR, AND, NEAR "
            "or parentheses"
        )
    if not sides:
        return
    for name in JOIN_FIELDS:
        if sum(1 for s in sides if s.name == name) > 1:
            raise QueryError(f"the query has two {name}:(...) parts; put their words in one")
    for node in top:
        if isinstance(node, Side):
            continue
        field = _field(node)
        if field not in SHARED_FIELDS:
            what = f"{field}:" if field else "words"
            raise QueryError(
                f"beside said:(...) or pictured:(...) only {', '.join(SHARED_FIELDS)} may "
                f"stand; move the {what} inside one of them"
            )


def _with_credit(node: Node) -> Node:
    """A pictured: word or phrase also looks in the caption's credit."""
    if isinstance(node, Word | Phrase) and node.field is None:
        return AnyOf((node, type(node)(node.text, "credit")))
    if isinstance(node, Group):
        return Group(
            tuple(_with_credit(c) for c in node.optional),
            tuple(_with_credit(c) for c in node.required),
            tuple(_with_credit(c) for c in node.excluded),
        )
    if isinstance(node, AllOf):
        return AllOf(tuple(_with_credit(c) for c in node.children))
    if isinstance(node, AnyOf):
        return AnyOf(tuple(_with_credit(c) for c in node.children))
    if isinstance(node, Negated):
        return Negated(_with_credit(node.child))
    if isinstance(node, Required):
        return Required(_with_credit(node.child))
    return node


def _kinds(kinds: tuple[str, ...]) -> Node:
    words = tuple(Word(k, "kind") for k in kinds)
    return words[0] if len(words) == 1 else AnyOf(words)


def join_plan(tree: Group) -> JoinPlan | None:
    """The join's sides as queries, or None when ``tree`` has no said:/pictured: part."""
    found = {n.name: n for n in tree.optional + tree.required if isinstance(n, Side)}
    if not found:
        return None
    shared = tuple(n for n in tree.optional + tree.required if not isinstance(n, Side))
    sides = []
    for name in JOIN_FIELDS:
        side = found.get(name)
        if side is None:
            continue
        group = _with_credit(side.group) if name == "pictured" else side.group
        assert isinstance(group, Group)
        kinds = SAID_KINDS if name == "said" else PICTURED_KINDS
        query = Group(group.optional, (*shared, *group.required), group.excluded)
        sides.append(JoinSide(name, query, kinds))
    return JoinPlan(tuple(sides))
