"""An HTML page cleaned of what is never content and flattened into text blocks.

Blocks are what the body selection scores: leaf block elements, and runs of inline content
between block elements (pages without ``<p>`` put their paragraphs in such runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from indexer.ingest.html.tree import attr
from indexer.model import clean_text

__all__ = ["Block", "remove_junk", "text_blocks"]

_JUNK_TAGS = [
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
    "button", "input", "select", "textarea", "option", "head", "video", "audio", "map", "dialog",
]  # fmt: skip
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section table tbody thead "
    "tfoot tr td th ul html caption summary".split()
)


@dataclass
class Block:
    """A paragraph-like run of text: a leaf block element, or inline content between blocks."""

    text: str
    link_chars: int
    node: Tag  # the block element itself, or (for a run) the element the run sits in
    is_run: bool
    links: int = 0  # how many links the text holds (a sentence has one or two, a list many)


def remove_junk(soup: BeautifulSoup) -> None:
    """Drop scripts, form controls, comments and hidden elements; ``<br>`` becomes a newline."""
    for node in soup.find_all(string=True):
        if isinstance(node, Comment | Declaration | Doctype | ProcessingInstruction):
            node.extract()
    for tag in soup.find_all(_JUNK_TAGS):
        tag.extract()
    # One pass in document order, so a parent is seen before its children; bs4's own
    # ``decomposed`` check searches the tree, which is quadratic on deeply nested soup.
    hidden: list[Tag] = []
    dead: set[int] = set()
    for tag in soup.find_all(True):
        if tag.parent is not None and id(tag.parent) in dead:
            dead.add(id(tag))
            continue
        style = attr(tag, "style").replace(" ", "").lower()
        if tag.has_attr("hidden") or "display:none" in style or "visibility:hidden" in style:
            dead.add(id(tag))
            hidden.append(tag)
        elif tag.name == "br":
            tag.insert_before("\n")
    for tag in hidden:
        tag.extract()


class _Page:
    """The page flattened into text blocks in reading order."""

    def __init__(self, root: Tag) -> None:
        # Elements with a block element somewhere inside: these are containers, not paragraphs.
        self.has_block: set[int] = set()
        for tag in root.find_all(_BLOCK_TAGS):
            parent = tag.parent
            while parent is not None and id(parent) not in self.has_block:
                self.has_block.add(id(parent))
                parent = parent.parent
        self.blocks: list[Block] = []
        self._walk(root)

    def _walk(self, root: Tag) -> None:
        if id(root) not in self.has_block:
            self._emit(root, [root], is_run=False)
            return
        # An explicit stack rather than recursion: tag soup can nest very deep.
        stack: list[tuple[Tag, Iterator[Any], list[Tag | NavigableString]]] = [
            (root, iter(list(root.children)), [])
        ]
        while stack:
            el, children, run = stack[-1]
            child = next(children, None)
            if child is None:
                self._emit(el, run, is_run=True)
                stack.pop()
            elif isinstance(child, Tag):
                if child.name in _BLOCK_TAGS or id(child) in self.has_block:
                    self._emit(el, run, is_run=True)
                    run.clear()
                    if id(child) in self.has_block:
                        stack.append((child, iter(list(child.children)), []))
                    else:
                        self._emit(child, [child], is_run=False)
                elif child.name == "br" and _ends_with_br(run):
                    # Two <br> in a row: how pages without <p> separate paragraphs.
                    self._emit(el, run, is_run=True)
                    run.clear()
                else:
                    run.append(child)
            elif isinstance(child, NavigableString):
                run.append(child)

    def _emit(self, node: Tag, items: list[Tag | NavigableString], *, is_run: bool) -> None:
        parts: list[str] = []
        link_chars = links = 0
        for item in items:
            if isinstance(item, Tag):
                parts.append(item.get_text())
                anchors = [item] if item.name == "a" else item.find_all("a")
                link_chars += sum(len(clean_text(a.get_text())) for a in anchors)
                links += len(anchors)
            else:
                parts.append(str(item))
        text = clean_text("".join(parts))
        if text:
            self.blocks.append(Block(text, link_chars, node, is_run, links))


def _ends_with_br(run: list[Tag | NavigableString]) -> bool:
    for item in reversed(run):
        if isinstance(item, Tag):
            return item.name == "br"
        if str(item).strip():
            return False
    return False


def text_blocks(root: Tag) -> list[Block]:
    """The text blocks under ``root`` in reading order."""
    return _Page(root).blocks
