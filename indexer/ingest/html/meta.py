"""An HTML page's metadata (headline, byline, dates, URL, site), best source first.

JSON-LD is the most deliberate statement a page makes about itself, so it wins; OpenGraph and
other meta tags come next; ``<time>``, ``<h1>``, ``<title>`` and byline boxes fill what is left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Tag

from indexer.ingest.html.dates import (
    DatePair,
    first_dates,
    json_ld_dates,
    meta_tag_dates,
    time_dates,
)
from indexer.ingest.html.tree import attr, node_text
from indexer.model import clean_text

__all__ = ["PageMeta", "read_meta"]

_MAX_JSON_LD = 1024 * 1024
# XHTML habits: the JSON wrapped in a CDATA section, sometimes behind script comments
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


_ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting|Report)$")


@dataclass
class PageMeta:
    """What the page says about itself; mutable so each source can fill only the gaps."""

    headline: str | None = None
    byline: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    url: str | None = None
    site: str | None = None


def _json_ld_objects(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    for script in soup.find_all("script", attrs={"type": re.compile("ld\\+json", re.I)}):
        raw = script.string or ""
        if not raw or len(raw) > _MAX_JSON_LD:
            continue
        raw = _CDATA.sub("", raw.strip().removeprefix("<!--").removesuffix("-->"))
        raw = raw.strip().rstrip(";")
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 500:
            item = stack.pop(0)
            seen += 1
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)


def _types(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def _names(value: Any) -> list[str]:
    """Names from a JSON-LD author/publisher: a string, an object with ``name``, or a list."""
    if isinstance(value, str):
        return [clean_text(value)] if clean_text(value) else []
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [n for item in value[:20] for n in _names(item)]
    return []


def _str(value: Any) -> str | None:
    if isinstance(value, str) and clean_text(value):
        return clean_text(value)
    return None


def _absolute_url(value: str | None) -> str | None:
    if value and re.match(r"https?://[^\s/]+", value.strip()):
        return value.strip()
    return None


def _not_url(value: str | None) -> str | None:
    if value and not re.match(r"(?:https?:)?//", value):
        return value
    return None


def _from_json_ld(soup: BeautifulSoup, meta: PageMeta) -> DatePair:
    site_fallback: str | None = None
    dates: list[datetime | None] = [None, None]
    for obj in _json_ld_objects(soup):
        types = _types(obj)
        if "WebSite" in types or "Organization" in types or "NewsMediaOrganization" in types:
            site_fallback = site_fallback or _str(obj.get("name"))
        if not any(_ARTICLE_TYPE.search(t) for t in types):
            continue
        meta.headline = meta.headline or _str(obj.get("headline")) or _str(obj.get("name"))
        authors = [n for n in _names(obj.get("author")) if _not_url(n)]
        if authors and not meta.byline:
            meta.byline = ", ".join(dict.fromkeys(authors))
        if not any(dates):
            dates[:] = json_ld_dates(obj)
        if not meta.url:
            page = obj.get("mainEntityOfPage")
            page_id = page.get("@id") if isinstance(page, dict) else page
            meta.url = _absolute_url(_str(obj.get("url"))) or _absolute_url(_str(page_id))
        if not meta.site:
            publisher = _names(obj.get("publisher"))
            meta.site = publisher[0] if publisher else None
    meta.site = meta.site or site_fallback
    return dates[0], dates[1]


def _from_meta_tags(soup: BeautifulSoup, meta: PageMeta) -> DatePair:
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (attr(tag, "property") or attr(tag, "name") or attr(tag, "itemprop")).lower()
        content = clean_text(attr(tag, "content"))
        if key and content and key not in values:
            values[key] = content
    meta.headline = meta.headline or values.get("og:title") or values.get("twitter:title")
    meta.site = meta.site or values.get("og:site_name") or values.get("application-name")
    meta.byline = (
        meta.byline
        or _not_url(values.get("author"))
        or _not_url(values.get("article:author"))
        or _not_url(values.get("byl", "").removeprefix("By ").strip() or None)
    )
    if not meta.url:
        canonical = soup.find("link", rel="canonical")
        href = attr(canonical, "href") if isinstance(canonical, Tag) else ""
        meta.url = _absolute_url(values.get("og:url")) or _absolute_url(href)
    return meta_tag_dates(values)


def _from_page(soup: BeautifulSoup, meta: PageMeta) -> None:
    if not meta.headline:
        h1 = soup.find("h1")
        title = soup.find("title")
        meta.headline = (node_text(h1) if isinstance(h1, Tag) else None) or None
        if not meta.headline and isinstance(title, Tag):
            meta.headline = _strip_site(node_text(title), meta.site) or None
    if not meta.byline:
        found = soup.find(rel="author") or soup.find(class_=re.compile("byline", re.I))
        if isinstance(found, Tag):
            # Byline boxes often carry the date and counters too: keep the names before them.
            text = clean_text(found.get_text(" "))
            text = re.sub(r"^(?:by|written by)\s+", "", text, flags=re.I)
            text = re.split(r"\s*(?:\||\bPublished\b|\bUpdated\b|\d)", text, maxsplit=1)[0]
            meta.byline = text.strip(" ,;-") if 2 < len(text) <= 100 else None


def _strip_site(title: str, site: str | None) -> str:
    """'Story - Site' and 'Story | Site' to 'Story'."""
    parts = re.split(r"\s+[|\u2013\u2014-]\s+", title)
    if len(parts) > 1:
        if site and parts[-1].casefold() == site.casefold():
            return " - ".join(parts[:-1])
        longest = max(parts, key=len)
        if len(longest) >= 10:
            return longest
    return title


def read_meta(soup: BeautifulSoup) -> PageMeta:
    """The page's metadata; each field from the first source that has it."""
    meta = PageMeta()
    dates = [_from_json_ld(soup, meta), _from_meta_tags(soup, meta)]
    meta.published, meta.modified = first_dates(dates)
    if meta.published is None or meta.modified is None:
        # a scan of the whole tree, so only for what the head did not say
        meta.published, meta.modified = first_dates([*dates, time_dates(soup)])
    _from_page(soup, meta)
    if meta.byline:
        meta.byline = re.sub(r"^by\s+", "", meta.byline, flags=re.I) or None
    return meta
