"""Quotations on the article page: each shown inside its paragraph, with its speaker.

The index holds a quotation as a document of its own, but a reader wants it where it was said:
the paragraph is cut at its quotations, each piece is marked for the query like any passage,
and the quoted words are wrapped with the speaker after them (escaped like all document text).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from indexer import Article

__all__ = ["paragraph_html", "paragraph_texts", "quote_positions"]


def paragraph_texts(article: Article, index: int) -> list[str]:
    """The pieces of paragraph ``index`` to mark, in order (see ``Article.paragraph_pieces``)."""
    return [text for text, _ in article.paragraph_pieces(index)]


def quote_positions(article: Article) -> dict[int, int]:
    """The index document position of each quotation (by its place in ``article.quotes``):
    quotes come after every other passage, in order."""
    first = (1 if article.headline else 0) + len(article.captions)
    first += len(article.paragraphs) + len(article.notes)
    return {id(q): first + k for k, q in enumerate(article.quotes)}


def paragraph_html(article: Article, index: int, marked: list[str]) -> Markup:
    """Paragraph ``index`` as HTML from its ``marked`` pieces (escaped, with ``<mark>``)."""
    positions = quote_positions(article)
    out: list[Markup] = []
    pending: Markup | None = None
    for (text, quote), html in zip(article.paragraph_pieces(index), marked, strict=True):
        piece = Markup(html)
        if pending is not None:
            # the speaker goes after the closing mark and the quote's final punctuation
            close = len(text) - len(text.lstrip("\"\u201d\u2019'.,;:?!"))
            out.append(escape(text[:close]) + pending + _marked_rest(piece, text, close))
            pending = None
            continue
        if quote is None:
            out.append(piece)
            continue
        out.append(
            Markup('<span class="quote" id="doc-{}">{}</span>').format(positions[id(quote)], piece)
        )
        if quote.speaker:
            pending = Markup(' <cite class="speaker">{}</cite>').format(quote.speaker)
    if pending is not None:
        out.append(pending)
    return Markup("").join(out)


def _marked_rest(piece: Markup, text: str, close: int) -> Markup:
    """``piece`` (``text`` marked) without its first ``close`` characters of plain
    punctuation, which the caller has put before the speaker."""
    head = str(escape(text[:close]))
    html = str(piece)
    return Markup(html[len(head) :]) if html.startswith(head) else piece
