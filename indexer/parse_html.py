"""Article pages (HTML) to Articles: metadata from JSON-LD and meta tags, body by text density.

The body is found the way reader modes find it: the page is flattened into text blocks, each
block scores its ancestors, and the best-scoring container (with its like-scoring siblings) is
the article; blocks under navigation, share bars, "related" lists and similar are left out.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from indexer.articles import clean_text, parse_published
from indexer.errors import ParseError

__all__ = ["parse_html", "looks_like_html"]

# The largest real page we know is ~1.4 MiB, most of it script; past this we parse a prefix,
# which keeps a hostile or broken multi-GB "page" from costing more than a second or two.
MAX_BYTES = 8 * 1024 * 1024
_MAX_JSON_LD = 1024 * 1024

_SNIFF = re.compile(
    r"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p"
    r"|meta|link|article|section|main|span|img)[\s>/]"
)
_SNIFF_LATE = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]")


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file look like an HTML page (for inputs without an extension).

    Follows the browsers' content sniffing: the first tag must be an HTML one, so SGML such as
    Reuters' ``<!DOCTYPE lewis>`` or JSON Lines are not taken for HTML.
    """
    text = head[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n\f").lower()
    if _SNIFF.match(text):
        return True
    if text.startswith(("<?xml", "<!--")):
        return bool(_SNIFF_LATE.search(text))
    return False


# --- decoding ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 first (pages often declare one charset and are stored in another),
    then the declared charset, then cp1252, which accepts nearly any byte."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    probe = data[:8192]
    if b"\x00" in probe or len(_CONTROL.findall(probe)) > len(probe) // 20:
        raise ParseError(source, "binary content, not an HTML page")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A page cut short (by us or by a download) may end inside a multi-byte character.
        if exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
            if name not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
                return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace")


# --- small helpers over bs4 -----------------------------------------------------------------


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ".join(value)


def _text(node: Tag | NavigableString) -> str:
    return clean_text(node.get_text())


def _parse_date(value: str) -> datetime | None:
    """An ISO 8601 date (what meta tags are meant to hold), else an RFC 2822 one; None if neither."""
    value = value.strip()
    if not value:
        return None
    try:
        return parse_published(value)
    except ValueError:
        pass
    try:
        return parse_published(value.replace(" ", "T", 1))
    except ValueError:
        pass
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parse_published(dt.isoformat())


# --- metadata ---------------------------------------------------------------------------------

_ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting|Report)$")


@dataclass
class _Meta:
    headline: str | None = None
    byline: str | None = None
    published: datetime | None = None
    url: str | None = None
    site: str | None = None


def _json_ld_objects(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    for script in soup.find_all("script", attrs={"type": re.compile("ld\\+json", re.I)}):
        raw = script.string or ""
        if not raw or len(raw) > _MAX_JSON_LD:
            continue
        raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
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


def _from_json_ld(soup: BeautifulSoup, meta: _Meta) -> None:
    site_fallback: str | None = None
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
        if not meta.published:
            raw = obj.get("datePublished") or obj.get("dateCreated")
            meta.published = _parse_date(raw) if isinstance(raw, str) else None
        if not meta.url:
            page = obj.get("mainEntityOfPage")
            page_id = page.get("@id") if isinstance(page, dict) else page
            meta.url = _absolute_url(_str(obj.get("url"))) or _absolute_url(_str(page_id))
        if not meta.site:
            publisher = _names(obj.get("publisher"))
            meta.site = publisher[0] if publisher else None
    meta.site = meta.site or site_fallback


_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
)


def _from_meta_tags(soup: BeautifulSoup, meta: _Meta) -> None:
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (_attr(tag, "property") or _attr(tag, "name") or _attr(tag, "itemprop")).lower()
        content = clean_text(_attr(tag, "content"))
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
    if not meta.published:
        for key in _DATE_METAS:
            if key in values:
                meta.published = _parse_date(values[key])
                if meta.published:
                    break
    if not meta.url:
        canonical = soup.find("link", rel="canonical")
        href = _attr(canonical, "href") if isinstance(canonical, Tag) else ""
        meta.url = _absolute_url(values.get("og:url")) or _absolute_url(href)


def _from_page(soup: BeautifulSoup, meta: _Meta) -> None:
    if not meta.published:
        times = soup.find_all("time", attrs={"datetime": True}, limit=20)
        times.sort(key=lambda t: not (t.has_attr("pubdate") or "publish" in _attr(t, "class")))
        for node in times:
            meta.published = _parse_date(_attr(node, "datetime"))
            if meta.published:
                break
    if not meta.headline:
        h1 = soup.find("h1")
        title = soup.find("title")
        meta.headline = (_text(h1) if isinstance(h1, Tag) else None) or None
        if not meta.headline and isinstance(title, Tag):
            meta.headline = _strip_site(_text(title), meta.site) or None
    if not meta.byline:
        node = soup.find(attrs={"rel": "author"}) or soup.find(class_=re.compile("byline", re.I))
        if isinstance(node, Tag):
            text = re.sub(r"^(?:by|written by)\s+", "", _text(node), flags=re.I)
            meta.byline = text if 0 < len(text) <= 120 else None


def _strip_site(title: str, site: str | None) -> str:
    """'Story - Site' and 'Story | Site' to 'Story'."""
    parts = re.split(r"\s+[|\u2013\u2014-]\s+", title)
    if len(parts) > 1:
        if site and parts[-1].casefold() == site.casefold():
            return " - ".join(parts[:-1])
        longest = max(parts, key=len)
        if len(longest) >= 20:
            return longest
    return title


# --- body: blocks, scores, selection -----------------------------------------------------------

_JUNK_TAGS = [
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "object", "embed",
    "button", "input", "select", "textarea", "option", "head", "video", "audio", "map", "dialog",
]  # fmt: skip
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section table tbody thead "
    "tfoot tr td th ul html caption summary".split()
)
_SCORED = frozenset({"p", "pre", "td", "div", "section", "article", "blockquote", "span"})
_MARKED_TAGS = frozenset({"nav", "aside", "footer", "form", "menu"})
_BAD_ROLES = frozenset(
    "navigation complementary banner contentinfo dialog alertdialog alert menu menubar search".split()
)
_NEGATIVE = re.compile(
    r"(?:^|[\s_-])(?:ad|ads|adv|advert\w*|advertisement|ad?slot|banner|breadcrumbs?|byline|"
    r"comments?|commenting|cookie\w*|consent|disqus|footer|masthead|menu|modal|nav|navbar|"
    r"navigation|newsletter|outbrain|taboola|pagination|pager|popup|promo\w*|related\w*|"
    r"recommend\w*|share\w*|sharing|social\w*|sidebar|sponsor\w*|subscribe\w*|subscription|tags|"
    r"toolbar|widget\w*|gdpr|paywall|skip\w*|trending|popular|signup|login|"
    r"hidden|visually-hidden|sr-only|print\w*|tools|utility|"
    r"follow|newsletters|more\w*|rail)(?=$|[\s_-])"
)
# Parts of the article that are not body text: they become captions and metadata instead.
_NON_BODY = re.compile(
    r"(?:^|[\s_-])(?:byline\w*|author\w*|timestamp|dateline|credits?|captions?|\w*caption|"
    r"copyright|kicker|eyebrow)(?=$|[\s_-])"
)
_POSITIVE = re.compile(
    r"(?:^|[\s_-])(?:article\w*|body|content|entry|main|story\w*|text|post|prose|"
    r"richtext|blog)(?=$|[\s_-])"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TAG_WEIGHT = {
    "div": 5, "article": 8, "section": 3, "main": 5, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "dl": -3, "dd": -3, "dt": -3, "li": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5,
}  # fmt: skip
_BOILERPLATE = re.compile(
    r"^(?:advertisement|story continues below(?: advertisement)?|continue reading\W*|"
    r"read more\W*|share(?: this)?(?: article| story)?\W*|sign up\W*|skip (?:to )?\w+.*|"
    r"related:?|image|photo|getty images|click here.*)$",
    re.I,
)


@dataclass
class _Block:
    """A paragraph-like run of text: a leaf block element, or inline content between blocks."""

    text: str
    link_chars: int
    node: Tag  # the block element itself, or (for a run) the element the run sits in
    is_run: bool


def _class_id(tag: Tag) -> str:
    raw = f"{_attr(tag, 'class')} {_attr(tag, 'id')}"
    return _CAMEL.sub("-", raw).lower()


def _remove_junk(soup: BeautifulSoup) -> None:
    for node in soup.find_all(string=True):
        if isinstance(node, Comment | Declaration | Doctype | ProcessingInstruction):
            node.extract()
    for tag in soup.find_all(_JUNK_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        style = _attr(tag, "style").replace(" ", "").lower()
        if tag.has_attr("hidden") or "display:none" in style or "visibility:hidden" in style:
            tag.decompose()
        elif tag.name == "br":
            tag.insert_before("\n")


