"""Why a document matched a watch: which clause of its query matched which field.

Engine-neutral: each positive clause of the parsed query is asked on its own for its match
spans in the document's text (or headline), through the engine's ``spans``; a clause naming a
restricting field (kind, source, credit, ...) is checked against the document's value.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.base import EngineMatch
from ..index import NewsIndex
from ..query.tree import (
    AllOf,
    AnyOf,
    DateSpan,
    Fuzzy,
    Group,
    Node,
    Phrase,
    Prefix,
    Required,
    Word,
)

__all__ = ["explain"]

Leaf = Word | Phrase | Prefix | Fuzzy


def _leaves(node: Node) -> Iterator[Leaf | DateSpan]:
    """The positive leaf clauses (excluded ones cannot be why something matched)."""
    if isinstance(node, Word | Phrase | Prefix | Fuzzy | DateSpan):
        yield node
    elif isinstance(node, Group):
        for child in node.required + node.optional:
            yield from _leaves(child)
    elif isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from _leaves(child)
    elif isinstance(node, Required):
        yield from _leaves(node.child)


def _shown(leaf: Leaf) -> str:
    body = f'"{leaf.text}"' if isinstance(leaf, Phrase) else leaf.text
    if isinstance(leaf, Prefix):
        body += "*"
    if isinstance(leaf, Fuzzy):
        body += f"~{leaf.distance}"
    return f"{leaf.field}:{body}" if leaf.field else body


def _field_value(match: EngineMatch, field: str) -> str | None:
    if field == "kind":
        return match.kind
    value = getattr(match, field, None)
    return None if value is None else str(value)


def explain(index: NewsIndex, tree: Group, match: EngineMatch) -> str:
    """One line: ``"putin" matched paragraph text (Putin); kind:caption matched kind``."""
    reasons: list[str] = []
    for leaf in _leaves(tree):
        if isinstance(leaf, DateSpan):
            reasons.append(f"{leaf.field} within the dates asked")
            continue
        field = leaf.field
        if field in (None, "headline"):
            text = match.text if field is None else (match.headline or "")
            spans = index.spans([text], Group(optional=(leaf,)))[0]
            if spans:
                words = sorted({text[a:b] for a, b in spans}, key=str.lower)
                where = f"{match.kind} text" if field is None else "the headline"
                reasons.append(f"{_shown(leaf)} matched {where} ({', '.join(words[:5])})")
            continue
        value = _field_value(match, field)
        if value is not None and leaf.text.lower() in value.lower():
            reasons.append(f"{_shown(leaf)} matched {field} ({value})")
        elif value is not None:
            reasons.append(f"{_shown(leaf)} matched {field}")
    return "; ".join(reasons) or "the query matched"
