"""WARC and ARC web archives (``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``) to Articles.

Read with warcio, streaming, in two passes over the file: the first reads only record headers
and learns, per URL, every capture (responses and revisits, by WARC-Date) and which response
to parse (the last HTML capture of status 200); the second parses just those pages through the
HTML reader. So a page captured a hundred times is parsed once and carries all its captures,
and memory holds a few dates per URL, never a page more than the one being parsed. Everything
else (requests, metadata, images, redirects, section fronts) is counted by kind and skipped.
"""

from __future__ import annotations

import codecs
import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import ParseError
from ..model import Article, parse_published
from .frontpage import is_link_index

__all__ = ["WARC_SUFFIXES", "looks_like_warc", "parse_warc", "NOT_ARTICLE"]

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")

#: The skip count of HTML pages that are not articles (section fronts, tag pages, link lists).
NOT_ARTICLE = "page not an article"

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_READ = 64 * 1024
#: Parse at most this much of a page (the HTML reader cuts there too).
_MAX_PAGE = 8 * 1024 * 1024


class _QuietIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio writes a warning to stderr for a record not followed by a blank line; we count
    it (``err_count``) and report it as damage in our own one line instead."""

    INC_RECORD = ""


def looks_like_warc(head: bytes) -> bool:
    """Whether the first bytes of a file (gzipped or not) start a WARC or ARC record."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith((b"WARC/", b"filedesc://"))


@dataclass
class _Plan:
    """What the first pass learnt of one URL."""

    captures: set[datetime] = field(default_factory=set)
    offset: int | None = None  # of the response record to parse
    http_charset: str | None = None


@dataclass
class _Scan:
    plans: dict[str, _Plan] = field(default_factory=dict)
    damage: str | None = None  # the one line naming where the file is broken


def _warc_date(record: Any) -> datetime | None:
    raw = record.rec_headers.get_header("WARC-Date") or ""
    try:
        return parse_published(raw) if raw else None
    except ValueError:
        return None


def _mime(record: Any) -> tuple[str, str | None]:
    """The payload's media type and charset, from the HTTP headers."""
    value = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return mime.strip().lower(), charset


def _classify(record: Any) -> str | None:
    """None for an HTML page of status 200 (an article candidate), else the skip kind."""
    kind = str(record.rec_type)
    if kind != "response":
        return kind
    if not record.http_headers:
        return "response without HTTP headers"
    status = record.http_headers.get_statuscode() or "?"
    if status != "200":
        return f"response {status}"
    mime, _ = _mime(record)
    if mime not in _HTML_TYPES:
        return f"response {mime or 'without a type'}"
    return None


def _drain(record: Any) -> bool:
    """Read the rest of ``record`` (discarding it); False when the file ended inside it."""
    raw = record.raw_stream
    while raw.read(_READ):
        pass
    return int(getattr(raw, "limit", 0)) <= 0


def _scan(stream: IO[bytes], skipped: Counter[str]) -> _Scan:
    """The first pass: every record's kind, URL and date, and where the file is damaged."""
    scan = _Scan()
    records = _QuietIterator(stream, arc2warc=True)
    try:
        for record in records:
            offset = records.offset  # where this record starts (it is not read yet)
            uri = record.rec_headers.get_header("WARC-Target-URI")
            kind = _classify(record)
            complete = _drain(record)
            records.get_record_length()  # reads the blank lines after it: counts bad endings
            if not complete or records.err_count:
                scan.damage = f"truncated or corrupt record at byte {offset}"
                return scan
            if kind == "revisit" and uri:
                plan = scan.plans.setdefault(uri, _Plan())
                plan.captures.update(d for d in [_warc_date(record)] if d)
            elif kind is not None or not uri:
                skipped[kind or "response without a URL"] += 1
            else:
                plan = scan.plans.setdefault(uri, _Plan())
                plan.captures.update(d for d in [_warc_date(record)] if d)
                plan.offset, plan.http_charset = offset, _mime(record)[1]
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as exc:
        scan.damage = f"corrupt data at byte {records.offset} ({str(exc).splitlines()[0][:80]})"
        return scan
    return scan


def _page_bytes(data: bytes, charset: str | None) -> bytes:
    """The page as the HTML reader should decode it: UTF-8 stays; otherwise the charset the
    HTTP headers name, when it decodes the page, wins over the page's own declaration."""
    if charset is None:
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(codecs.lookup(charset).name)
    except (LookupError, UnicodeDecodeError):
        return data
    return codecs.BOM_UTF8 + text.encode("utf-8")


def _article(uri: str, plan: _Plan, data: bytes, source: str) -> Article | str:
    """The article of one page, or the skip kind when it is not an article."""
    from .html.decode import decode_html
    from .html.page import parse_html

    where = f"{source} ({uri})"
    page = _page_bytes(data, plan.http_charset)
    try:
        article = parse_html(page, where)
    except ParseError as exc:
        # a crawl holds every kind of page: one that is no article is a count, not a failure
        return NOT_ARTICLE if exc.message == "no article text found" else f"page {exc.message}"
    # a date or byline already says article: the page is decoded again only when neither is there
    claims = article.published or article.byline
    if not claims and is_link_index(decode_html(page[:_MAX_PAGE], where), article):
        return NOT_ARTICLE
    url = article.url or uri
    return replace(
        article,
        id=article.id if article.url else uri,
        url=url,
        captures=tuple(sorted(plan.captures)),
    )


def _parse_pass(
    stream: IO[bytes], scan: _Scan, source: str, skipped: Counter[str]
) -> Iterator[Article | ParseError]:
    """The second pass: parse the chosen responses; ids met twice (two URLs with one canonical
    URL) come again with the captures of both, so the later one keeps every capture."""
    wanted = {p.offset: (uri, p) for uri, p in scan.plans.items() if p.offset is not None}
    orphans = sum(1 for p in scan.plans.values() if p.offset is None)
    if orphans:
        skipped["revisit without its capture"] += orphans
    seen: dict[str, tuple[datetime, ...]] = {}
    records = _QuietIterator(stream, arc2warc=True)
    try:
        for record in records:
            hit = wanted.pop(records.offset, None)
            if hit is None:
                continue
            uri, plan = hit
            found = _article(uri, plan, record.content_stream().read(_MAX_PAGE), source)
            if isinstance(found, str):
                skipped[found] += 1
                continue
            if found.id in seen:
                found = replace(found, captures=tuple(sorted({*seen[found.id], *found.captures})))
            seen[found.id] = found.captures
            yield found
            if not wanted:
                return
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError):
        return  # the first pass found and reports the damage


def parse_warc(
    handle: IO[bytes],
    source: str,
    skipped: Counter[str] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Article | ParseError]:
    """Every article of the archive in ``handle`` (a seekable file, read from its start);
    records before any damage are read, and the damage is one ParseError naming the byte
    offset. ``skipped`` counts the records left out by kind."""
    counts: Counter[str] = Counter() if skipped is None else skipped
    if not handle.seekable():
        yield ParseError(source, "a web archive is read twice: give it as a file, not a pipe")
        return
    size = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    scan = _scan(handle, counts)
    handle.seek(0)
    done = 0
    for item in _parse_pass(handle, scan, source, counts):
        yield item
        if on_bytes is not None and handle.tell() > done:
            on_bytes(handle.tell() - done)
            done = handle.tell()
    if on_bytes is not None and size > done:
        on_bytes(size - done)
    if scan.damage is not None:
        yield ParseError(source, scan.damage)
