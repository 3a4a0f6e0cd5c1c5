"""Atom feeds of searches and the OpenSearch description, built with ElementTree.

Building the XML as a tree (not a template) means every text, headline and query is escaped by
the serializer; snippet HTML goes into ``type="html"`` elements as escaped text, as Atom wants.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, request, url_for

from indexer.results import ArticleResult, SearchResults

from .context import SearchRequest, search_context
from .errors import RequestFailed
from .facets import KIND_LABELS
from .indexes import get_index
from .views import safe_snippet, search_url, web_link

__all__ = ["bp", "atom_feed", "opensearch_description"]

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"


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
    """An Atom document of one result page, newest first."""
    self_url = request.url
    feed = ET.Element("feed", xmlns=ATOM)
    _el(feed, "title", _feed_title(asked))
    _el(feed, "id", self_url)
    _el(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    page_url = request.host_url.rstrip("/") + search_url(asked, sort="newest")
    _el(feed, "link", rel="alternate", type="text/html", href=page_url)
    newest = max((r.published for r in results.results if r.published), default=None)
    _el(feed, "updated", _rfc3339(newest))
    _el(feed, "generator", "newsfind")
    for result in results.results:
        entry = _el(feed, "entry")
        link = url_for("pages.article", article_id=result.article_id, q=asked.q or None)
        article_url = request.host_url.rstrip("/") + link
        _el(entry, "title", result.headline or "(untitled)")
        source_url = web_link(result.url)
        _el(entry, "id", source_url or article_url)
        _el(entry, "link", rel="alternate", type="text/html", href=article_url)
        if source_url:
            _el(entry, "link", rel="related", href=source_url)
        _el(entry, "updated", _rfc3339(result.published))
        if result.published:
            _el(entry, "published", _rfc3339(result.published))
        author = _el(entry, "author")
        _el(author, "name", result.byline or result.source or "unknown")
        if result.source:
            _el(entry, "category", term=result.source)
        _el(entry, "summary", _entry_content(result), type="html")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


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
    root = ET.Element("OpenSearchDescription", xmlns=OPENSEARCH)
    name = str(current_app.config["SITE_NAME"])
    base = request.host_url.rstrip("/")
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
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets a browser add this engine to its search bar (linked from every page's head)."""
    return Response(opensearch_description(), mimetype="application/opensearchdescription+xml")
