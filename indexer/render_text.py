"""Plain-text rendering for the terminal: articles for ``show``, results for ``search``."""

from __future__ import annotations

import textwrap

import click

from .articles import Article

__all__ = ["render_article"]


def _wrap(text: str, width: int = 88, indent: str = "") -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def render_article(article: Article, *, color: bool = False) -> str:
    """The article in reading order: headline, metadata, photo captions, body, notes."""

    def style(text: str, **kw: bool) -> str:
        return click.style(text, **kw) if color else text

    out: list[str] = []
    if article.headline:
        out.append(style(article.headline, bold=True))
    meta = [
        part
        for part in (
            article.dateline,
            article.byline,
            article.published.date().isoformat() if article.published else None,
            article.source,
        )
        if part
    ]
    if meta:
        out.append(" · ".join(meta))
    if article.url:
        out.append(article.url)
    out.append(f"id: {article.id}")
    for cap in article.captions:
        credit = f" ({cap.credit})" if cap.credit else ""
        times = f" [shown {cap.occurrences}x]" if cap.occurrences > 1 else ""
        out.append("")
        out.append(_wrap(f"[photo] {cap.text}{credit}{times}", indent="  "))
    for paragraph in article.paragraphs:
        out.append("")
        out.append(_wrap(paragraph))
    if article.notes:
        out.append("")
        out.append("___")
        out.extend(_wrap(note) for note in article.notes)
    return "\n".join(out)
