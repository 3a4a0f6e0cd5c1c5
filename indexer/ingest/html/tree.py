"""Small helpers over bs4 shared by the HTML modules: attributes as text, text, ancestry."""

from __future__ import annotations

from bs4.element import NavigableString, Tag

from indexer.model import clean_text

__all__ = ["attr", "chain_to", "node_text"]


def attr(tag: Tag, name: str) -> str:
    """An attribute as one string: bs4 gives multi-valued ones (``class``) as lists."""
    value = tag.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ".join(value)


def node_text(node: Tag | NavigableString) -> str:
    """A node's text with whitespace normalised, as the Article fields hold it."""
    return clean_text(node.get_text())


def chain_to(node: Tag, root: Tag) -> list[Tag]:
    """``node`` and its ancestors up to and including ``root``."""
    out = [node]
    parent = node.parent
    while parent is not None and out[-1] is not root:
        out.append(parent)
        parent = parent.parent
    return out
