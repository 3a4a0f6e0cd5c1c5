"""Limits on one article, so that one huge input can neither hang a run nor balloon a result.

A 30 MB one-line text file became one 30 MB headline (a search then printed 61 MB), and an
article of a million paragraphs did not finish indexing in ten minutes. Here every article a
reader yields is brought within these limits, with a warning naming the file; no text is lost
where it can be kept: a long headline keeps its first MAX_HEADLINE_CHARS and the whole line
goes to the body, a long paragraph is split at spaces into pieces of at most
MAX_PARAGRAPH_CHARS; past MAX_PARAGRAPHS paragraphs the rest is dropped (index the article in
parts if it really is one article).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..model import Article

__all__ = [
    "MAX_HEADLINE_CHARS",
    "MAX_PARAGRAPH_CHARS",
    "MAX_PARAGRAPHS",
    "Warn",
    "within_bounds",
]

#: A headline longer than this is cut here (a whole line kept in the body instead).
MAX_HEADLINE_CHARS = 1_000
#: A paragraph longer than this is split into pieces of at most this length (a megabyte-long
#: paragraph is still indexed whole: tests/ingest/test_big_inputs.py).
MAX_PARAGRAPH_CHARS = 2_000_000
#: Paragraphs kept per article; the rest are dropped with a warning.
MAX_PARAGRAPHS = 10_000

#: ``warn(message)``: one line for the person running the index.
Warn = Callable[[str], None]


def _pieces(text: str) -> list[str]:
    """``text`` in pieces of at most MAX_PARAGRAPH_CHARS, cut at a space where there is one."""
    out = []
    while len(text) > MAX_PARAGRAPH_CHARS:
        cut = text.rfind(" ", MAX_PARAGRAPH_CHARS // 2, MAX_PARAGRAPH_CHARS)
        cut = cut if cut > 0 else MAX_PARAGRAPH_CHARS
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        out.append(text)
    return out


def within_bounds(article: Article, source: str, warn: Warn | None) -> Article:
    """``article`` within the limits above; ``warn`` hears what was changed, naming ``source``."""
    notes: list[str] = []
    headline = article.headline
    paragraphs = list(article.paragraphs)
    if headline is not None and len(headline) > MAX_HEADLINE_CHARS:
        notes.append(f"headline cut to {MAX_HEADLINE_CHARS:,} characters (was {len(headline):,})")
        paragraphs.insert(0, headline)
        headline = headline[:MAX_HEADLINE_CHARS].rstrip()
    if any(len(p) > MAX_PARAGRAPH_CHARS for p in paragraphs):
        long = sum(len(p) > MAX_PARAGRAPH_CHARS for p in paragraphs)
        paragraphs = [piece for p in paragraphs for piece in _pieces(p)]
        notes.append(f"{long:,} paragraphs over {MAX_PARAGRAPH_CHARS:,} characters split")
    if len(paragraphs) > MAX_PARAGRAPHS:
        notes.append(
            f"{len(paragraphs) - MAX_PARAGRAPHS:,} paragraphs past the first "
            f"{MAX_PARAGRAPHS:,} dropped"
        )
        paragraphs = paragraphs[:MAX_PARAGRAPHS]
    if not notes:
        return article
    if warn is not None:
        warn(f"{source}: article {article.id}: {'; '.join(notes)}")
    return dataclasses.replace(article, headline=headline, paragraphs=tuple(paragraphs))
