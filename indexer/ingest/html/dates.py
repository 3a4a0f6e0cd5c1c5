"""An article page's publication and modification dates, from the most deliberate statement
to the least: JSON-LD, meta tags, ``<time>`` elements, the URL, the visible byline line.

Each source gives a (published, modified) pair; a date is taken from the first source that has
it, so a sloppy byline never overrides what the page's JSON-LD says. The modification is kept
apart from the publication (a corrected story keeps the day it first ran).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Tag

from indexer.ingest.html.byline import is_byline_line
from indexer.ingest.html.tree import attr
from indexer.ingest.html.written_dates import line_dates, url_date, written_date
from indexer.model import parse_published

__all__ = [
    "DatePair",
    "json_ld_dates",
    "meta_tag_dates",
    "plausible_date",
    "time_dates",
    "text_dates",
    "first_dates",
]

#: (published, modified)
DatePair = tuple[datetime | None, datetime | None]

PUBLISHED_METAS = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "publishdate", "pubdate", "publish-date", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dc.date", "dcterms.created", "date",
)  # fmt: skip
MODIFIED_METAS = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified",
    "last-modified", "lastmod", "dcterms.modified", "dc.date.modified", "revision_date",
)  # fmt: skip


def _parse_date(value: str) -> datetime | None:
    """An ISO 8601 date (what meta tags should hold), else an RFC 2822 one; None if neither."""
    value = value.strip()
    if not value:
        return None
    for candidate in (value, value.replace(" ", "T", 1)):
        try:
            return parse_published(candidate)
        except ValueError:
            pass
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return parse_published(dt.isoformat())
    except ValueError:  # "Mon, 01 Jan 0001 00:00:00 +0100" is before year 1 in UTC
        return None


def plausible_date(value: Any) -> datetime | None:
    """A page date, ignoring non-strings and the placeholders some CMSes emit (``0001-01-01``)."""
    if not isinstance(value, str):
        return None
    found = _parse_date(value)
    return found if found is not None and found.year >= 1900 else None


def json_ld_dates(obj: Mapping[str, Any]) -> DatePair:
    """The dates of one JSON-LD article object."""
    published = plausible_date(obj.get("datePublished")) or plausible_date(obj.get("dateCreated"))
    return published, plausible_date(obj.get("dateModified"))


def meta_tag_dates(values: Mapping[str, str]) -> DatePair:
    """The dates of the page's ``<meta>`` tags (``values``: lower-cased name -> content)."""

    def first(keys: tuple[str, ...]) -> datetime | None:
        return next((d for d in (plausible_date(values.get(k)) for k in keys) if d), None)

    return first(PUBLISHED_METAS), first(MODIFIED_METAS)


def time_dates(soup: BeautifulSoup) -> DatePair:
    """The dates of ``<time datetime>`` elements: one marked as the modification ("updated",
    ``itemprop=dateModified``) is that; otherwise the one marked as publication, else the
    first."""
    published: datetime | None = None
    marked: datetime | None = None
    modified: datetime | None = None
    for node in soup.find_all("time", attrs={"datetime": True}, limit=20):
        value = plausible_date(attr(node, "datetime"))
        if value is None:
            continue
        hints = f"{attr(node, 'itemprop')} {attr(node, 'class')} {_parent_class(node)}".lower()
        if "modified" in hints or "updated" in hints:
            modified = modified or value
        elif node.has_attr("pubdate") or "publish" in hints or "created" in hints:
            marked = marked or value
        else:
            published = published or value
    return marked or published, modified


def _parent_class(node: Tag) -> str:
    parent = node.parent
    return attr(parent, "class") if isinstance(parent, Tag) else ""


def text_dates(url: str | None, lines: Iterable[str]) -> DatePair:
    """The URL's day, else the first byline line's dates (``lines``: the page's text blocks
    in reading order); the modification only from a byline line."""
    published = modified = None
    for line in lines:
        if is_byline_line(line) or (len(line) <= 40 and written_date(line)):
            published, modified = line_dates(line)
            if published or modified:
                break
    from_url = url_date(url)
    if from_url is not None and not (published and published.date() == from_url.date()):
        published = from_url
    return published, modified


def first_dates(pairs: Iterable[DatePair]) -> DatePair:
    """Each date from the first pair that has it; a modification no later than the
    publication says nothing and is dropped."""
    published = modified = None
    for pub, mod in pairs:
        published = published or pub
        modified = modified or mod
    if published is not None and modified is not None and modified <= published:
        modified = None
    return published, modified
