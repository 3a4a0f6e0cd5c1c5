"""Figure captions and their credits, from ``<figcaption>`` or caption-classed elements."""

from __future__ import annotations

import re

from bs4.element import Tag

from indexer.ingest.html.tree import attr, chain_to, node_text
from indexer.ingest.text import caption_date, split_credit
from indexer.model import Caption, clean_text

__all__ = ["find_captions"]

_CREDIT_CLASS = re.compile(r"credit|copyright|byline|source", re.I)
_HIDDEN_CLASS = re.compile(r"visually-?hidden|sr-only|screen-?reader|offscreen", re.I)
_LABELLED_CREDIT = re.compile(
    r"\s*(?:Photograph|Photo|Photos|Picture|Image|Credit|Foto)s?\s*(?:credit)?\s*:\s*(.{2,150})$"
)
_CREDIT_LABEL = re.compile(
    r"^(?:(?:photo|image|picture)?\s*credit|photograph|photo|image)\s*:\s*", re.I
)


def _split_credit(text: str) -> tuple[str, str | None]:
    """A trailing "(AP Photo/Name)" or "Photograph: Name/Agency" credit, split off the text."""
    found = split_credit(text)
    if found:
        return found
    labelled = _LABELLED_CREDIT.search(text)
    if labelled:
        return text[: labelled.start()].strip(), clean_text(labelled.group(1))
    return text, None


def find_captions(root: Tag, excluded: set[int]) -> tuple[Caption, ...]:
    """Captions under ``root`` outside ``excluded`` (boilerplate) elements, merged by text."""
    found: list[tuple[Tag, Tag]] = []
    for figcaption in root.find_all("figcaption"):
        figure = figcaption.find_parent("figure")
        found.append((figcaption, figure if isinstance(figure, Tag) else figcaption))
    for figure in root.find_all("figure"):
        if figure.find("figcaption") is None:
            other = figure.find(class_=re.compile("caption", re.I))
            if isinstance(other, Tag):
                found.append((other, figure))
    merged: dict[str, Caption] = {}
    for caption, figure in found:
        if any(id(t) in excluded for t in chain_to(figure, root)):
            continue
        credit_nodes = [
            n
            for n in figure.find_all(True)
            if n is not caption and _CREDIT_CLASS.search(attr(n, "class"))
        ]
        skip = {id(n) for n in credit_nodes}
        skip |= {id(n) for n in caption.find_all(True) if _HIDDEN_CLASS.search(attr(n, "class"))}
        strings = [
            str(s)
            for s in caption.find_all(string=True)
            if s.parent is None or not any(id(p) in skip for p in chain_to(s.parent, caption))
        ]
        text = clean_text("".join(strings))
        credit = next((c for c in (node_text(n) for n in credit_nodes) if c), None)
        if credit is None:
            text, credit = _split_credit(text)
        if credit:
            if credit.startswith("(") and credit.endswith(")"):
                credit = credit[1:-1]
            credit = _CREDIT_LABEL.sub("", credit).strip(" ©") or None
        if not text:
            continue
        cap = Caption(text, credit, caption_date(text))
        if text in merged:
            prev = merged[text]
            cap = Caption(text, prev.credit or credit, prev.date or cap.date, prev.occurrences + 1)
        merged[text] = cap
    return tuple(merged.values())
