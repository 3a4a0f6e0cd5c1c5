"""RSS 0.9x, 1.0, 2.0 and Atom feeds to Articles, one per item, read with feedparser.

An item's HTML content (or, lacking it, its summary) goes through the HTML reader's paragraph
extraction, so a feed body reads like the same article's page. Photo captions and credits come
from Media RSS (``media:content``/``media:group`` with ``media:description`` or
``media:title`` and ``media:credit``, and the item's own ones beside an ``enclosure``), which
feedparser flattens away, so they are read from the XML itself.
"""

from __future__ import annotations

import calendar
import html
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser

from ..errors import ParseError
from ..model import Article, Caption, clean_text

__all__ = ["FEED_SUFFIXES", "SUMMARY_ONLY", "looks_like_feed", "parse_feed"]

FEED_SUFFIXES = (".rss", ".atom")

#: The tally of items indexed from their headline and summary alone (a feed of links).
SUMMARY_ONLY = "feed items without content (headline and summary indexed)"

_ROOT = re.compile(
    rb"^(?:\s|<\?xml[^>]*>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:rss|feed|rdf:RDF)\b", re.S
)
_MEDIA = "{http://search.yahoo.com/mrss/}"
_ITEM_TAGS = (
    "item",
    "{http://www.w3.org/2005/Atom}entry",
    "{http://purl.org/rss/1.0/}item",
    "{http://my.netscape.com/rdf/simple/0.9/}item",
)


def looks_like_feed(head: bytes) -> bool:
    """Whether a file's first bytes open an RSS, RDF (RSS 1.0/0.90) or Atom document."""
    return bool(_ROOT.match(head.removeprefix(b"\xef\xbb\xbf")[:4096]))


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _paragraphs(fragment: str, source: str) -> tuple[str, ...]:
    """The paragraphs of an HTML fragment, as the HTML reader finds them in a page."""
    from .html.page import parse_html

    page = f"<html><body><article>{fragment}</article></body></html>"
    try:
        return parse_html(page.encode("utf-8"), source).paragraphs
    except ParseError:
        # too little for the page reader to call it a body: keep the fragment's text
        text = clean_text(html.unescape(re.sub(r"<[^>]*>", " ", fragment)))
        return (text,) if text else ()


def _text(node: ET.Element | None) -> str | None:
    return clean_text(node.text or "") or None if node is not None else None


def _media_captions(item: ET.Element) -> tuple[Caption, ...]:
    """Captions and credits of an item's Media RSS pictures (see the module docstring)."""
    found: dict[str, Caption] = {}
    holders = list(item.iter(f"{_MEDIA}content"))
    if item.find(f"{_MEDIA}content") is None and (
        item.find("enclosure") is not None or item.find(f"{_MEDIA}thumbnail") is not None
    ):
        holders.append(item)  # the item's own media:description describes its enclosure
    for holder in holders:
        text = _text(holder.find(f"{_MEDIA}description")) or _text(holder.find(f"{_MEDIA}title"))
        if text is None or text in found:
            continue
        found[text] = Caption(text, _text(holder.find(f"{_MEDIA}credit")))
    return tuple(found.values())


def _line(data: bytes) -> int | None:
    """The line where ``data`` stops being well-formed XML (feedparser counts a declaration it
    adds itself, so its line can be one off)."""
    try:
        ET.fromstring(data)
    except ET.ParseError as exc:
        return int(exc.position[0])
    except ValueError:
        return None
    return None


def _xml_items(data: bytes) -> list[ET.Element] | None:
    """The feed's items as XML, in document order (None when it is not well-formed XML)."""
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        return None
    return [el for el in root.iter() if el.tag in _ITEM_TAGS]


def _item_article(
    entry: Any, item: ET.Element | None, site: str | None, source: str
) -> tuple[Article, bool] | None:
    """One item's article and whether it had content of its own (None: nothing to index)."""
    headline = clean_text(html.unescape(entry.get("title") or "")) or None
    captions = _media_captions(item) if item is not None else ()
    # feedparser files an item's own media:description under content: a caption, not a body
    content = "".join(
        c.get("value") or ""
        for c in entry.get("content") or []
        if clean_text(c.get("value") or "") not in {cap.text for cap in captions}
    )
    summary = entry.get("summary") or ""
    paragraphs = _paragraphs(content or summary, source) if (content or summary) else ()
    if not headline and not paragraphs:
        return None
    link = entry.get("link") or None
    published = _when(entry)
    article = Article(
        id=Article.derive_id(
            url=link, headline=headline, published=published, source=site, paragraphs=paragraphs
        ),
        headline=headline,
        paragraphs=paragraphs,
        captions=captions,
        url=link,
        published=published,
        source=site,
        byline=clean_text(entry.get("author") or "") or None,
    )
    return article, bool(content)


def parse_feed(
    data: bytes, source: str, tally: Counter[str] | None = None
) -> Iterator[Article | ParseError]:
    """Every item of the feed ``data`` as an article; a feed that cannot be read is one
    ParseError. ``tally`` counts items indexed from their summary alone (SUMMARY_ONLY) and
    items with nothing to index."""
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        yield ParseError(source, f"not a readable RSS or Atom feed ({reason or 'no items'})")
        return
    site = clean_text(parsed.feed.get("title") or "") or None
    items = _xml_items(data)
    if items is not None and len(items) != len(parsed.entries):
        items = None  # cannot pair them up safely: no captions rather than wrong ones
    yield from _items(parsed, items, site, source, tally)
    damage = parsed.get("bozo_exception")
    # an HTML entity (&nbsp;) is a slip feeds often make and every reader forgives; anything
    # else is damage: the items before it are indexed, as for any stream cut short
    if isinstance(damage, SAXParseException) and "undefined entity" not in damage.getMessage():
        yield ParseError(source, f"not well-formed XML ({damage.getMessage()})", _line(data))


def _items(
    parsed: Any,
    items: list[ET.Element] | None,
    site: str | None,
    source: str,
    tally: Counter[str] | None,
) -> Iterator[Article]:
    for n, entry in enumerate(parsed.entries):
        made = _item_article(entry, items[n] if items else None, site, f"{source} item {n + 1}")
        if made is None:
            if tally is not None:
                tally["feed items without a title or text"] += 1
            continue
        article, had_content = made
        if not had_content and tally is not None:
            tally[SUMMARY_ONLY] += 1
        yield article
