"""Article pages (HTML) to Articles: metadata from JSON-LD and meta tags, body by text density.

The body is found the way reader modes find it: the page is flattened into text blocks, each
block scores its ancestors, and the best-scoring container (with its like-scoring siblings) is
the article; blocks under navigation, share bars, "related" lists and similar are left out.
"""

from __future__ import annotations

import codecs
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from indexer.articles import Article, Caption, clean_text, parse_published
from indexer.errors import ParseError
from indexer.parse_text import caption_date, split_credit, split_dateline

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
    """An ISO 8601 date (what meta tags should hold), else an RFC 2822 one; None if neither."""
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


def _plausible_date(value: str) -> datetime | None:
    """A publication date, ignoring the placeholders some CMSes emit (``0001-01-01``)."""
    found = _parse_date(value)
    return found if found is not None and found.year >= 1900 else None


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
            meta.published = _plausible_date(raw) if isinstance(raw, str) else None
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
                meta.published = _plausible_date(values[key])
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
            meta.published = _plausible_date(_attr(node, "datetime"))
            if meta.published:
                break
    if not meta.headline:
        h1 = soup.find("h1")
        title = soup.find("title")
        meta.headline = (_text(h1) if isinstance(h1, Tag) else None) or None
        if not meta.headline and isinstance(title, Tag):
            meta.headline = _strip_site(_text(title), meta.site) or None
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
    {"navigation", "complementary", "banner", "contentinfo", "dialog", "alertdialog", "alert"}
    | {"menu", "menubar", "search"}
)
_NEGATIVE = re.compile(
    r"(?:^|[\s_-])(?:ad|ads|adv|advert\w*|advertisement|ad?slot|banner|breadcrumbs?|"
    r"comments?|commenting|cookie\w*|consent|disqus|footer|masthead|menu|modal|nav|navbar|"
    r"navigation|newsletter|outbrain|taboola|pagination|pager|popup|promo\w*|related\w*|"
    r"recommend\w*|share\w*|sharing|social\w*|sidebar|sponsor\w*|subscribe\w*|subscription|tags|"
    r"toolbar|widget\w*|gdpr|paywall|skip\w*|trending|popular|signup|login|"
    r"visually-hidden|sr-only|screen-reader\w*|print\w*|tools|utility|"
    r"follow|newsletters|more-(?:stories|news|from|on|articles)|rail|suggest\w*|recirc\w*|"
    r"teasers?|upsell|read-?next)(?=$|[\s_-])"
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
        tag.extract()
    # One pass in document order, so a parent is seen before its children; bs4's own
    # ``decomposed`` check searches the tree, which is quadratic on deeply nested soup.
    hidden: list[Tag] = []
    dead: set[int] = set()
    for tag in soup.find_all(True):
        if tag.parent is not None and id(tag.parent) in dead:
            dead.add(id(tag))
            continue
        style = _attr(tag, "style").replace(" ", "").lower()
        if tag.has_attr("hidden") or "display:none" in style or "visibility:hidden" in style:
            dead.add(id(tag))
            hidden.append(tag)
        elif tag.name == "br":
            tag.insert_before("\n")
    for tag in hidden:
        tag.extract()


class _Page:
    """The page flattened into text blocks in reading order."""

    def __init__(self, root: Tag) -> None:
        # Elements with a block element somewhere inside: these are containers, not paragraphs.
        self.has_block: set[int] = set()
        for tag in root.find_all(_BLOCK_TAGS):
            parent = tag.parent
            while parent is not None and id(parent) not in self.has_block:
                self.has_block.add(id(parent))
                parent = parent.parent
        self.blocks: list[_Block] = []
        self._walk(root)

    def _walk(self, root: Tag) -> None:
        if id(root) not in self.has_block:
            self._emit(root, [root], is_run=False)
            return
        # An explicit stack rather than recursion: tag soup can nest very deep.
        stack: list[tuple[Tag, Iterator[Any], list[Tag | NavigableString]]] = [
            (root, iter(list(root.children)), [])
        ]
        while stack:
            el, children, run = stack[-1]
            child = next(children, None)
            if child is None:
                self._emit(el, run, is_run=True)
                stack.pop()
            elif isinstance(child, Tag):
                if child.name in _BLOCK_TAGS or id(child) in self.has_block:
                    self._emit(el, run, is_run=True)
                    run.clear()
                    if id(child) in self.has_block:
                        stack.append((child, iter(list(child.children)), []))
                    else:
                        self._emit(child, [child], is_run=False)
                elif child.name == "br" and _ends_with_br(run):
                    # Two <br> in a row: how pages without <p> separate paragraphs.
                    self._emit(el, run, is_run=True)
                    run.clear()
                else:
                    run.append(child)
            elif isinstance(child, NavigableString):
                run.append(child)

    def _emit(self, node: Tag, items: list[Tag | NavigableString], *, is_run: bool) -> None:
        parts: list[str] = []
        link_chars = 0
        for item in items:
            if isinstance(item, Tag):
                parts.append(item.get_text())
                links = [item] if item.name == "a" else item.find_all("a")
                link_chars += sum(len(clean_text(a.get_text())) for a in links)
            else:
                parts.append(str(item))
        text = clean_text("".join(parts))
        if text:
            self.blocks.append(_Block(text, link_chars, node, is_run))


def _ends_with_br(run: list[Tag | NavigableString]) -> bool:
    for item in reversed(run):
        if isinstance(item, Tag):
            return item.name == "br"
        if str(item).strip():
            return False
    return False


def _is_prose(block: _Block) -> bool:
    return len(block.text) >= 60 and block.link_chars < 0.3 * len(block.text)


def _chain(node: Tag, root: Tag) -> list[Tag]:
    """``node`` and its ancestors up to and including ``root``."""
    out = [node]
    parent = node.parent
    while parent is not None and out[-1] is not root:
        out.append(parent)
        parent = parent.parent
    return out


def _initial_score(tag: Tag) -> float:
    names = _class_id(tag)
    weight = float(_TAG_WEIGHT.get(tag.name, 0))
    if _NEGATIVE.search(names):
        weight -= 25
    if _POSITIVE.search(names):
        weight += 25
    return weight


@dataclass
class _Body:
    paragraphs: tuple[str, ...]
    excluded: set[int]  # ids of elements whose text is boilerplate (for caption gathering)


def _body(page: _Page, root: Tag, headline: str | None) -> _Body:
    """Choose the article's container by paragraph scores and return its paragraphs."""
    blocks = page.blocks
    chains = [_chain(b.node, root) for b in blocks]
    text_len: dict[int, int] = {}
    link_len: dict[int, int] = {}
    prose: dict[int, int] = {}  # text in sentence-like blocks: what boilerplate lacks
    tags: dict[int, Tag] = {}
    for block, chain in zip(blocks, chains, strict=True):
        for tag in chain:
            key = id(tag)
            tags[key] = tag
            text_len[key] = text_len.get(key, 0) + len(block.text)
            link_len[key] = link_len.get(key, 0) + block.link_chars
            if _is_prose(block):
                prose[key] = prose.get(key, 0) + len(block.text)
    total = max(1, sum(len(b.text) for b in blocks if _is_prose(b)))

    excluded: set[int] = set()
    non_body: set[int] = set()
    for key, tag in tags.items():
        names = _class_id(tag)
        marked = (
            tag.name in _MARKED_TAGS
            or _attr(tag, "role").lower() in _BAD_ROLES
            or bool(_NEGATIVE.search(names))
        )
        if marked:
            # A page wrapped whole in a <form> or a "nav-drawer" div is still the page: a marked
            # element that holds most of the page's prose is not boilerplate.
            share = prose.get(key, 0) / total
            strong = tag.name in ("form", "article", "main", "body") or _POSITIVE.search(names)
            if share < 0.5 and not (strong and share >= 0.3):
                excluded.add(key)
        if tag.name in ("figure", "figcaption", "h1") or _NON_BODY.search(names):
            non_body.add(key)

    usable = [
        (b, c) for b, c in zip(blocks, chains, strict=True) if not any(id(t) in excluded for t in c)
    ]
    scores: dict[int, float] = {}
    for block, chain in usable:
        if len(block.text) < 25 or any(id(t) in non_body for t in chain):
            continue
        if not block.is_run and block.node.name not in _SCORED:
            continue
        ancestors = chain if block.is_run else chain[1:]
        score = 1.0 + len(re.findall(r"[,\uff0c\u3001\u060c]", block.text))
        score += min(len(block.text) / 100, 3)
        for level, tag in enumerate(ancestors[:5]):
            if tag.name in ("html", "[document]"):
                break
            key = id(tag)
            if key not in scores:
                scores[key] = _initial_score(tag)
            scores[key] += score / (1 if level == 0 else 2 if level == 1 else level * 3)
    for key in scores:
        scores[key] *= 1 - min(1.0, link_len[key] / max(1, text_len[key]))

    region = _region(scores, tags, text_len, link_len, prose, excluded, root)
    paragraphs: list[str] = []
    seen: set[str] = set()
    for block, chain in usable:
        ids = [id(t) for t in chain]
        if region is not None and not any(i in region for i in ids):
            continue
        if any(i in non_body for i in ids):
            continue
        if block.link_chars > 0.5 * len(block.text) or _BOILERPLATE.match(block.text):
            continue
        if block.text in seen or (headline and block.text == headline):
            continue
        seen.add(block.text)
        paragraphs.append(block.text)
    return _Body(tuple(paragraphs), excluded)


def _region(
    scores: dict[int, float],
    tags: dict[int, Tag],
    text_len: dict[int, int],
    link_len: dict[int, int],
    prose: dict[int, int],
    excluded: set[int],
    root: Tag,
) -> set[int] | None:
    """Ids of the elements that hold the article: the top candidate and its kindred siblings."""
    if not scores:
        return None
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    top = tags[ranked[0]]
    top_score = scores[ranked[0]]

    # Several strong candidates under one ancestor: the article is split into sections.
    strong = [tags[k] for k in ranked[1:5] if scores[k] >= 0.75 * top_score]
    if len(strong) >= 3:
        strong_chains = [{id(t) for t in _chain(s, root)} for s in strong]
        for ancestor in _chain(top, root)[1:]:
            if sum(id(ancestor) in c for c in strong_chains) >= 3:
                top = ancestor
                break

    # A parent scoring higher than its child holds more of the article.
    last = scores.get(id(top), top_score)
    parent = top.parent
    while parent is not None and parent is not root and parent.name != "body":
        if id(parent) in scores:
            score = scores[id(parent)]
            if score < top_score / 3:
                break
            if score > last:
                top = parent
                break
            last = score
        parent = parent.parent

    # A parent with clearly more prose and next to no links: the intro sits outside the child.
    parent = top.parent
    while parent is not None and parent is not root and id(parent) not in excluded:
        key = id(parent)
        more = prose.get(key, 0) >= 1.25 * prose.get(id(top), 0)
        if not more or link_len.get(key, 0) > 0.05 * text_len.get(key, 1):
            break
        top, parent = parent, parent.parent

    while top.parent is not None and top is not root:
        siblings = [c for c in top.parent.children if isinstance(c, Tag)]
        if len(siblings) != 1 or top.parent.name in ("body", "html"):
            break
        top = top.parent

    top_score = scores.get(id(top), top_score)
    region = {id(top)}
    if top.parent is None or top is root:
        return region
    threshold = max(10.0, top_score * 0.2)
    top_class = _attr(top, "class")
    for sibling in top.parent.children:
        if not isinstance(sibling, Tag) or sibling is top:
            continue
        key = id(sibling)
        bonus = top_score * 0.2 if top_class and _attr(sibling, "class") == top_class else 0.0
        if key in scores and scores[key] + bonus >= threshold:
            region.add(key)
        elif key in excluded or key not in text_len:
            continue
        elif prose.get(key, 0) >= 140 and prose[key] >= 0.6 * text_len[key]:
            # Article sections wrapped too deep for paragraph scores to reach: mostly prose.
            if link_len[key] < 0.2 * text_len[key]:
                region.add(key)
        elif sibling.name == "p":
            length = text_len[key]
            density = link_len[key] / max(1, length)
            if length > 80 and density < 0.25:
                region.add(key)
            elif 0 < length <= 80 and density == 0 and re.search(r"\.( |$)", sibling.get_text()):
                region.add(key)

    # An article split into containers of one kind ("story-body-1", "story-body-2") placed too
    # far apart for the sibling rule: same leading class, one that says "content", and a
    # comparable score.
    kind = _attr(top, "class").split()[:1]
    if kind and _POSITIVE.search(_class_id(top)):
        top_chain = {id(t) for t in _chain(top, root)}
        for key, score in scores.items():
            if key in top_chain or score < 0.25 * top_score:
                continue
            if _attr(tags[key], "class").split()[:1] != kind:
                continue
            chain = {id(t) for t in _chain(tags[key], root)}
            if not chain & (region | excluded):
                region.add(key)
    return region


# --- captions -------------------------------------------------------------------------------

_CREDIT_CLASS = re.compile(r"credit|copyright|byline|source", re.I)
_HIDDEN_CLASS = re.compile(r"visually-?hidden|sr-only|screen-?reader|offscreen", re.I)
_LABELLED_CREDIT = re.compile(
    r"\s*(?:Photograph|Photo|Photos|Picture|Image|Credit|Foto)s?\s*(?:credit)?\s*:\s*(.{2,150})$"
)
_CREDIT_LABEL = re.compile(
    r"^(?:(?:photo|image|picture)?\s*credit|photograph|photo|image)\s*:\s*", re.I
)


def _split_credit(text: str) -> tuple[str, str | None]:
    """A trailing "(AP Photo/Name)" or "Photograph: Name/Agency" credit, split off the text."""
    found = split_credit(text)
    if found:
        return found
    labelled = _LABELLED_CREDIT.search(text)
    if labelled:
        return text[: labelled.start()].strip(), clean_text(labelled.group(1))
    return text, None


def _captions(root: Tag, excluded: set[int]) -> tuple[Caption, ...]:
    found: list[tuple[Tag, Tag]] = []
    for figcaption in root.find_all("figcaption"):
        figure = figcaption.find_parent("figure")
        found.append((figcaption, figure if isinstance(figure, Tag) else figcaption))
    for figure in root.find_all("figure"):
        if figure.find("figcaption") is None:
            other = figure.find(class_=re.compile("caption", re.I))
            if isinstance(other, Tag):
                found.append((other, figure))
    merged: dict[str, Caption] = {}
    for caption, figure in found:
        if any(id(t) in excluded for t in _chain(figure, root)):
            continue
        credit_nodes = [
            n
            for n in figure.find_all(True)
            if n is not caption and _CREDIT_CLASS.search(_attr(n, "class"))
        ]
        skip = {id(n) for n in credit_nodes}
        skip |= {id(n) for n in caption.find_all(True) if _HIDDEN_CLASS.search(_attr(n, "class"))}
        strings = [
            str(s)
            for s in caption.find_all(string=True)
            if s.parent is None or not any(id(p) in skip for p in _chain(s.parent, caption))
        ]
        text = clean_text("".join(strings))
        credit = next((c for c in (_text(n) for n in credit_nodes) if c), None)
        if credit is None:
            text, credit = _split_credit(text)
        if credit:
            if credit.startswith("(") and credit.endswith(")"):
                credit = credit[1:-1]
            credit = _CREDIT_LABEL.sub("", credit).strip(" ©") or None
        if not text:
            continue
        cap = Caption(text, credit, caption_date(text))
        if text in merged:
            prev = merged[text]
            cap = Caption(text, prev.credit or credit, prev.date or cap.date, prev.occurrences + 1)
        merged[text] = cap
    return tuple(merged.values())


# --- the whole page -------------------------------------------------------------------------


def parse_html(data: bytes, source: str) -> Article:
    """One article from one HTML page; ``ParseError`` (one line, naming ``source``) otherwise."""
    if not data.strip():
        raise ParseError(source, "empty file")
    text = _decode(data[:MAX_BYTES], source)
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
    meta = _Meta()
    _from_json_ld(soup, meta)
    _from_meta_tags(soup, meta)
    _from_page(soup, meta)
    if meta.byline:
        meta.byline = re.sub(r"^by\s+", "", meta.byline, flags=re.I) or None
    _remove_junk(soup)
    root = soup.body if isinstance(soup.body, Tag) else soup
    body = _body(_Page(root), root, meta.headline)
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
        captions=_captions(root, body.excluded),
        url=meta.url,
        published=meta.published,
        source=meta.site,
        byline=meta.byline,
        dateline=dateline,
    )
