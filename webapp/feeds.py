"""Atom feeds of searches and the OpenSearch description, built with ElementTree.

Building the XML as a tree (not a template) means every text, headline and query is escaped by
the serializer; snippet HTML goes into ``type="html"`` elements as escaped text, as Atom wants.
Characters XML cannot hold at all are replaced in :func:`xml_document`, the one serializer.
Links are absolute under the ``PUBLIC_URL`` setting, else relative (see webapp/urls.py).
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, request, url_for

from indexer.results import ArticleResult, SearchResults

from .context import SearchRequest, search_context
from .errors import RequestFailed
from .facets import KIND_LABELS
from .indexes import get_index
from .urls import external_url
from .views import article_url, safe_snippet, search_url, web_link

__all__ = ["bp", "atom_feed", "opensearch_description", "xml_document", "xml_text"]

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"


#: What XML 1.0 cannot carry, not even as ``&#1;``: C0 controls other than tab, newline and
#: carriage return, U+FFFE, U+FFFF, and lone surrogates. Article text, ids and queries can hold
#: any of them; one would make the whole document unreadable to every feed reader.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` with each character XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def xml_document(root: ET.Element) -> bytes:
    """``root`` as a UTF-8 XML document, every text and attribute made XML-safe first.

    Cleaning the finished tree rather than each value as it is set means no field, present or
    future, can slip through: every XML the app writes goes out through here.
    """
    for element in root.iter():
        if element.text:
            element.text = xml_text(element.text)
        if element.tail:
            element.tail = xml_text(element.tail)
        for name, value in element.attrib.items():
            element.attrib[name] = xml_text(value)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _link(path: str) -> str:
    """A link for a feed: absolute under PUBLIC_URL, else relative to the feed's own URL."""
    return external_url(path) or path


def _urn(name: str) -> str:
    """A stable absolute id for an Atom ``<id>`` (which may not be relative) without a host."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'newsfind:{name}')}"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _rfc3339(value: datetime | None) -> str:
    value = value or datetime(1970, 1, 1, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _feed_title(asked: SearchRequest) -> str:
    parts = [f"“{asked.q.strip()}”" if asked.q.strip() else "All articles"]
    if asked.kind and asked.kind != "all":
        parts.append(f"in {KIND_LABELS.get(asked.kind.lower(), asked.kind).lower()}")
    if asked.source:
        parts.append(f"from {asked.source}")
    if asked.date_from or asked.date_to:
        parts.append(f"published {asked.date_from or '…'} to {asked.date_to or '…'}")
    site = str(current_app.config["SITE_NAME"])
    return f"{' '.join(parts)} · {site}"


def _entry_content(result: ArticleResult) -> str:
    """The hits as a small HTML fragment (escaped again by the serializer)."""
    items = []
    for hit in result.hits:
        credit = f" <small>(Photo: {_html_text(hit.credit)})</small>" if hit.credit else ""
        items.append(f"<p>{safe_snippet(hit.snippet)}{credit}</p>")
    if result.more_hits:
        items.append(f"<p>… and {result.more_hits:,} more matches in this article.</p>")
    return "".join(items)


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def atom_feed(results: SearchResults, asked: SearchRequest) -> bytes:
    """An Atom document of one result page, newest first.

    Without PUBLIC_URL the ids are ``urn:uuid:`` names (Atom wants absolute ids) derived from
    the site, the search and the article id, so they stay the same from one poll to the next.
    """
    self_path = search_url(asked, endpoint="feeds.search_atom")
    site = str(current_app.config["SITE_NAME"])
    feed = ET.Element("feed", xmlns=ATOM)
    _el(feed, "title", _feed_title(asked))
    _el(feed, "id", external_url(self_path) or _urn(f"{site}:{self_path}"))
    _el(feed, "link", rel="self", type="application/atom+xml", href=_link(self_path))
    page_url = _link(search_url(asked, sort="newest"))
    _el(feed, "link", rel="alternate", type="text/html", href=page_url)
    newest = max((r.published for r in results.results if r.published), default=None)
    _el(feed, "updated", _rfc3339(newest))
    _el(feed, "generator", "newsfind")
    for result in results.results:
        entry = _el(feed, "entry")
        page = _link(article_url(result.article_id, asked.q))
        _el(entry, "title", result.headline or "(untitled)")
        own_id = external_url(article_url(result.article_id))
        _el(entry, "id", web_link(result.url) or own_id or _urn(f"article:{result.article_id}"))
        _el(entry, "link", rel="alternate", type="text/html", href=page)
        if source_url := web_link(result.url):
            _el(entry, "link", rel="related", href=source_url)
        _el(entry, "updated", _rfc3339(result.published))
        if result.published:
            _el(entry, "published", _rfc3339(result.published))
        author = _el(entry, "author")
        _el(author, "name", result.byline or result.source or "unknown")
        if result.source:
            _el(entry, "category", term=result.source)
        _el(entry, "summary", _entry_content(result), type="html")
    return xml_document(feed)


@bp.get("/search.atom")
def search_atom() -> Response:
    """Any search as an Atom feed, newest first, so a feed reader can follow a query."""
    asked = SearchRequest.from_args(request.args)
    size = int(current_app.config["FEED_SIZE"])
    context = search_context(get_index(), asked, sort="newest", per_page=size)
    if context.error is not None:
        raise RequestFailed(400, context.error.message, context.error.param)
    assert context.results is not None
    return Response(atom_feed(context.results, asked), mimetype="application/atom+xml")


def opensearch_description() -> bytes:
    """The description; its templates are absolute only under PUBLIC_URL (the spec wants them
    absolute, and browsers reject relative ones, but a Host header is no source for a URL)."""
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    name = str(current_app.config["SITE_NAME"])
    base = current_app.config.get("PUBLIC_URL") or ""
    _el(root, "ShortName", name[:16])
    _el(root, "Description", f"Search news articles with {name}")
    _el(root, "InputEncoding", "UTF-8")
    _el(
        root,
        "Url",
        type="text/html",
        method="get",
        template=f"{base}{url_for('pages.search')}?q={{searchTerms}}",
    )
    _el(
        root,
        "Url",
        type="application/atom+xml",
        template=f"{base}{url_for('feeds.search_atom')}?q={{searchTerms}}",
    )
    _el(
        root,
        "Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=f"{base}{url_for('feeds.opensearch')}",
    )
    return xml_document(root)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add this engine to its search bar (linked from every page's head)."""
    return Response(opensearch_description(), mimetype="application/opensearchdescription+xml")
