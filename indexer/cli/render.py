"""Plain-text rendering for the terminal: articles for ``show``, results for ``search``.

Article text comes from anyone's input, so every piece of it passes :func:`terminal_text` before
it is printed: an ESC in a headline must be shown, not obeyed by the terminal.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable, Mapping

import click

from ..checking import CheckReport
from ..model import Article
from ..results import SearchResults
from .render_story import story_lines

__all__ = ["render_article", "render_check", "render_results", "terminal_text"]

#: C0 controls, DEL and C1 controls: ESC (and its one-byte C1 form CSI, U+009B) starts terminal
#: commands (colours, cursor moves, window titles, OSC 8 links, clipboard writes), CR and BS
#: overwrite what was printed, BEL rings. Tab and newline are only layout.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in (0x09, 0x0A):
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC is shown as "␛"
    return "\u2421" if code == 0x7F else "\ufffd"


def terminal_text(text: str) -> str:
    """``text`` safe to print: tabs and newlines as spaces, other control characters as
    visible symbols (``␛``, ``␍``, ``␇``; U+FFFD for C1), so none reaches the terminal."""
    return _CONTROL.sub(_visible, text)


def _wrap(text: str, width: int = 88, indent: str = "") -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def render_article(article: Article, *, color: bool = False) -> str:
    """The article in reading order: headline, metadata, photo captions, body, notes."""

    def style(text: str, **kw: bool) -> str:
        return click.style(text, **kw) if color else text

    safe = terminal_text
    out: list[str] = []
    if article.headline:
        out.append(style(safe(article.headline), bold=True))
    meta = [
        safe(part)
        for part in (
            article.dateline,
            article.byline,
            article.published.date().isoformat() if article.published else None,
            f"updated {article.modified.date().isoformat()}" if article.modified else None,
            article.source,
            f"language: {article.language}" if article.language else None,
        )
        if part
    ]
    if meta:
        out.append(" · ".join(meta))
    if article.url:
        out.append(safe(article.url))
    out.append(f"id: {safe(article.id)}")
    if article.captures:
        first, last = article.captures[0].isoformat(), article.captures[-1].isoformat()
        span = first if first == last else f"{first} to {last}"
        out.append(f"captured {_plural(len(article.captures), 'time')}: {span}")
    for cap in article.captions:
        credit = f" ({safe(cap.credit)})" if cap.credit else ""
        times = f" [shown {cap.occurrences}x]" if cap.occurrences > 1 else ""
        out.append("")
        out.append(_wrap(f"[photo] {safe(cap.text)}{credit}{times}", indent="  "))
    for index in range(len(article.paragraphs)):
        out.append("")
        out.append(_wrap(_with_speakers(article, index, style)))
    if article.notes:
        out.append("")
        out.append("___")
        out.extend(_wrap(safe(note)) for note in article.notes)
    return "\n".join(out)


def _with_speakers(article: Article, index: int, style: Callable[..., str]) -> str:
    """Paragraph ``index`` with each quotation's speaker after its closing mark, the quoted
    words in colour on a terminal: the quote shown where it was said, once."""
    out: list[str] = []
    tag: str | None = None
    for text, quote in article.paragraph_pieces(index):
        if tag is not None:
            close = len(text) - len(text.lstrip("\"\u201d\u2019'.,;:?!"))
            out.append(terminal_text(text[:close]) + tag + terminal_text(text[close:]))
            tag = None
            continue
        if quote is None:
            out.append(terminal_text(text))
            continue
        out.append(style(terminal_text(text), fg="cyan"))
        if quote.speaker:
            tag = " " + style(f"[{terminal_text(quote.speaker)}]", fg="cyan", bold=True)
    if tag is not None:
        out.append(tag)
    return "".join(out)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def snippet_to_text(snippet: str, *, color: bool = False) -> str:
    """A result snippet (HTML with ``<mark>``) as terminal text: matches in bold yellow, or
    ``*between stars*`` without colour; entities unescaped, then made safe to print."""
    out: list[str] = []
    pos = 0
    for m in _MARK.finditer(snippet):
        out.append(terminal_text(html.unescape(snippet[pos : m.start()])))
        word = terminal_text(html.unescape(m.group(1)))
        out.append(click.style(word, bold=True, fg="yellow") if color else f"*{word}*")
        pos = m.end()
    out.append(terminal_text(html.unescape(snippet[pos:])))
    return "".join(out)


def render_results(
    results: SearchResults, *, color: bool = False, opened_ms: float | None = None
) -> str:
    """Search results for the terminal: per article its headline, date, source and id, then each
    hit's snippet with the matches emphasised (a caption with its credit). The time is the
    search's own; ``opened_ms``, the time opening the index took, is shown apart."""

    def style(text: str, **kw: bool | str) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    safe = terminal_text
    out: list[str] = []
    if results.suggestion:
        out.append(f"Did you mean: {style(safe(results.suggestion), bold=True)}?")
        out.append("")
    first = (results.page - 1) * results.per_page
    for n, article in enumerate(results.results, first + 1):
        title = safe(article.headline or "(no headline)")
        if color and article.headline_hit and article.headline_html:
            # the headline hit would repeat the title: mark the title instead (in plain text
            # the title stays as written, for scripts that read it)
            title = snippet_to_text(article.headline_html, color=color)
        out.append(style(f"{n}. {title}", bold=True))
        meta = [
            article.published.date().isoformat() if article.published else None,
            safe(article.source) if article.source else None,
            f"id {safe(article.article_id)}",
        ]
        out.append("   " + " · ".join(m for m in meta if m))
        for hit in article.passages:
            text = snippet_to_text(hit.snippet, color=color)
            if hit.kind == "caption" and hit.credit:
                text += f" ({safe(hit.credit)})"
            label = f"{hit.side}: {hit.kind}" if hit.side else hit.kind  # a join's side
            out.append(_wrap(f"[{label}] {text}", indent="   "))
        if article.more_hits:
            out.append(f"   … and {_plural(article.more_hits, 'more hit')} in this article")
        out.extend(story_lines(article, safe))
        out.append("")
    articles = _plural(results.total_articles, "article")
    hits = _plural(results.total_hits, "hit")
    if results.total_stories is not None:
        n = results.total_stories
        hits += f", {n:,} stor{'y' if n == 1 else 'ies'}"
    took = f"search {results.took_ms:.0f} ms"
    if opened_ms is not None:
        took += f", opening the index {opened_ms:.0f} ms"
    out.append(f"{articles}, {hits}; page {results.page} of {results.reachable_pages} ({took})")
    if results.pages_beyond_reach:
        out.append(
            f"only the first {results.reachable_pages:,} pages can be shown "
            f"({results.pages:,} in all): add words or a --kind, --source, --from or --to "
            "filter to narrow the search, or use newsfind export for every article"
        )
    if results.partial:
        out.append("partial results: " + "; ".join(results.missing) + " did not answer")
    return "\n".join(out)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def skip_lines(tally: Mapping[str, int]) -> list[str]:
    """The index summary's lines for what archives and feeds held besides articles: what was
    skipped, by kind, and feed items indexed from their headline and summary alone."""
    from ..ingest.feeds import SUMMARY_ONLY

    skipped = sorted(((n, k) for k, n in tally.items() if n and k != SUMMARY_ONLY), reverse=True)
    lines = []
    if skipped:
        lines.append("skipped: " + ", ".join(f"{n:,} {kind}" for n, kind in skipped))
    if tally.get(SUMMARY_ONLY):
        lines.append(f"note: {tally[SUMMARY_ONLY]:,} {SUMMARY_ONLY}")
    return lines


def render_check(report: CheckReport) -> str:
    """``newsfind check``: each damaged file on a line, then what was done."""
    lines = [f"damaged: {terminal_text(f)}: {terminal_text(p)}" for f, p in report.damage]
    if not report.damage:
        how = (
            "readable (no checksums recorded)"
            if report.unverified
            else "as their commits wrote them"
        )
        lines.append(f"{report.location}: {_plural(report.files_checked, 'file')} checked, {how}")
    elif report.repaired:
        done = f"{report.location}: repaired"
        if report.articles_kept is not None:
            done += (
                f": rebuilt from {_plural(report.articles_kept, 'whole article')}; "
                f"{_plural(len(report.articles_lost), 'article')} lost (index their sources "
                f"again); the damaged files are in {report.moved_to}"
            )
        lines.append(done)
        lines.extend(f"lost: {terminal_text(a)}" for a in report.articles_lost[:20])
    else:
        lines.extend(report.notes)
        lines.append(
            f"{report.location} is damaged: repair it with newsfind check --repair --index "
            f"{report.location}, rebuild it with newsfind index, or restore it"
        )
    return "\n".join(lines)
