"""Article pages (HTML) to Articles: the entry point that runs the HTML modules in order.

Bytes are decoded (``decode``), metadata read (``meta``, its dates by ``dates``), the page
cleaned and flattened (``blocks``), the body chosen (``body``), captions gathered
(``captions``), the dates the page states only in its text or URL read (``dates``), and the
language detected (``ingest.language``).
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup
from bs4.element import Tag

from indexer.errors import ParseError
from indexer.ingest.html.blocks import remove_junk, text_blocks
from indexer.ingest.html.body import select_body
from indexer.ingest.html.captions import find_captions
from indexer.ingest.html.dates import first_dates, text_dates
from indexer.ingest.html.decode import decode_html, looks_like_html
from indexer.ingest.html.meta import read_meta
from indexer.ingest.language import detect_language
from indexer.ingest.text import split_dateline
from indexer.model import Article

__all__ = ["parse_html", "looks_like_html"]

# The largest real page we know is ~1.4 MiB, most of it script; past this we parse a prefix,
# which keeps a hostile or broken multi-GB "page" from costing more than a second or two.
MAX_BYTES = 8 * 1024 * 1024


def parse_html(data: bytes, source: str) -> Article:
    """One article from one HTML page; ``ParseError`` (one line, naming ``source``) otherwise."""
    if not data.strip():
        raise ParseError(source, "empty file")
    text = decode_html(data[:MAX_BYTES], source)
    if not re.search(r"<[A-Za-z!?/]", text):
        raise ParseError(source, "no HTML markup found")
    try:
        return _extract(text, source)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001
        # Callers index many files in one run; a page that trips the tree code must cost one
        # error line naming it, never the run.
        raise ParseError(source, f"could not read as HTML ({type(exc).__name__})") from None


def _extract(text: str, source: str) -> Article:
    with warnings.catch_warnings():
        # bs4 warns about markup that looks like a file name or XML; we have already decided.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(text, "lxml")
    meta = read_meta(soup)
    remove_junk(soup)
    root = soup.body if isinstance(soup.body, Tag) else soup
    blocks = text_blocks(root)
    body = select_body(blocks, root, meta.headline)
    dates = text_dates(meta.url, (b.text for b in blocks))
    meta.published, meta.modified = first_dates([(meta.published, meta.modified), dates])
    if not body.paragraphs:
        raise ParseError(source, "no article text found")
    dateline = None
    wire = split_dateline(body.paragraphs[0])
    if wire:
        dateline = wire[0]
        meta.site = meta.site or wire[1]
    return Article(
        id=Article.derive_id(
            url=meta.url,
            headline=meta.headline,
            published=meta.published,
            source=meta.site,
            paragraphs=body.paragraphs,
        ),
        headline=meta.headline,
        paragraphs=body.paragraphs,
        captions=find_captions(root, body.excluded),
        url=meta.url,
        published=meta.published,
        source=meta.site,
        byline=meta.byline,
        dateline=dateline,
        modified=meta.modified,
        language=detect_language(((meta.headline or ""), *body.paragraphs)),
    )
