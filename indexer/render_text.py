"""Plain-text rendering for the terminal: articles for ``show``, results for ``search``."""

from __future__ import annotations

import html
import re
import textwrap

import click

from .articles import Article
from .results import SearchResults

__all__ = ["render_article", "render_results"]


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


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def snippet_to_text(snippet: str, *, color: bool = False) -> str:
    """A result snippet (HTML with ``<mark>``) as terminal text: matches in bold yellow, or
    ``*between stars*`` without colour; entities unescaped."""
    out: list[str] = []
    pos = 0
    for m in _MARK.finditer(snippet):
        out.append(html.unescape(snippet[pos : m.start()]))
        word = html.unescape(m.group(1))
        out.append(click.style(word, bold=True, fg="yellow") if color else f"*{word}*")
        pos = m.end()
    out.append(html.unescape(snippet[pos:]))
    return "".join(out)


def render_results(results: SearchResults, *, color: bool = False) -> str:
    """Search results for the terminal: per article its headline, date, source and id, then each
    hit's snippet with the matches emphasised (a caption with its credit)."""

    def style(text: str, **kw: bool | str) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    out: list[str] = []
    if results.suggestion:
        out.append(f"Did you mean: {style(results.suggestion, bold=True)}?")
        out.append("")
    first = (results.page - 1) * results.per_page
    for n, article in enumerate(results.results, first + 1):
        out.append(style(f"{n}. {article.headline or '(no headline)'}", bold=True))
        meta = [
            article.published.date().isoformat() if article.published else None,
            article.source,
            f"id {article.article_id}",
        ]
        out.append("   " + " · ".join(m for m in meta if m))
        for hit in article.hits:
            text = snippet_to_text(hit.snippet, color=color)
            if hit.kind == "caption" and hit.credit:
                text += f" ({hit.credit})"
            out.append(_wrap(f"[{hit.kind}] {text}", indent="   "))
        if article.more_hits:
            out.append(f"   … and {_plural(article.more_hits, 'more hit')} in this article")
        out.append("")
    articles = _plural(results.total_articles, "article")
    hits = _plural(results.total_hits, "hit")
    out.append(
        f"{articles}, {hits}; page {results.page} of {results.pages} ({results.took_ms:.0f} ms)"
    )
    return "\n".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
