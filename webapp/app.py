"""The application factory: configuration, the shared index, blueprints, errors and headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, redirect, request
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response as WerkzeugResponse

from . import api, errors, feeds, pages, research, watching
from .indexes import IndexHolder
from .replay import check_wayback_base
from .urls import ArticleIdConverter, check_public_url
from .views import register_template_helpers

__all__ = ["CACHE_CONTROL", "SECURITY_HEADERS", "create_app"]

#: Defaults; ``NEWSFIND_<NAME>`` environment variables override them, the caller's mapping wins.
DEFAULTS: dict[str, Any] = {
    "INDEX_DIR": "index_data",
    # the name a browser shows for the engine (OpenSearch) and the page titles use
    "SITE_NAME": "newsfind",
    # how many articles an Atom feed holds
    "FEED_SIZE": 20,
    # seconds a search may take before it is refused with a 400 asking to narrow it: one
    # runaway query must not hold a server thread (NEWSFIND_QUERY_TIME_BUDGET=…)
    "QUERY_TIME_BUDGET": 5.0,
    # the app only answers GETs; a request body larger than this is a 413
    "MAX_CONTENT_LENGTH": 16 * 1024,
    # the URL clients reach the app at (https://news.example.com), for the absolute links of
    # feeds and the OpenSearch description; unset, links are relative: the Host header a client
    # sends is never trusted for them (NEWSFIND_PUBLIC_URL=…, `newsfind serve --public-url`)
    "PUBLIC_URL": None,
    # a web archive's replay prefix (https://web.archive.org/web): links each capture of an
    # article crawled from a WARC (NEWSFIND_WAYBACK_BASE=…, `newsfind serve --wayback-base`)
    "WAYBACK_BASE": None,
    "DEBUG": False,
    "PROPAGATE_EXCEPTIONS": False,
}

#: Scripts and styles come only from our own static files: no inline script, no eval, no
#: third-party origin, so text that slips past escaping still cannot run.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: Sent with every answer, the app's and waitress's own errors alike (webapp/server.py).
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

#: How long a cache may keep an answer, by endpoint. Search results change with every commit
#: and carry the query, so by default nothing is stored; feeds are polled, so readers and proxies
#: may share one answer for a few minutes; descriptions and help change only with a release.
#: Errors are never stored. Static files keep Flask's ``no-cache`` with ETag revalidation.
CACHE_CONTROL: dict[str, str] = {
    "feeds.search_atom": "public, max-age=300",
    "feeds.opensearch": "public, max-age=3600",
    "api.openapi": "public, max-age=3600",
    "pages.help_page": "public, max-age=3600",
    "watching.watch_atom": "public, max-age=60",
}
NO_STORE = "no-store"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``NEWSFIND_*`` environment variables, then ``config``.

    ``NEWSFIND_INDEX`` (as the CLI reads it) sets ``INDEX_DIR``; other settings use their own
    name, e.g. ``NEWSFIND_FEED_SIZE=50``. Nothing is opened here: the index is opened on the
    first request that needs it, so an app can start before its index exists.
    """
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("NEWSFIND")
    if "INDEX" in app.config:
        app.config["INDEX_DIR"] = str(app.config.pop("INDEX"))
    if config:
        app.config.from_mapping(config)
    app.config["PUBLIC_URL"] = check_public_url(app.config.get("PUBLIC_URL"))
    app.config["WAYBACK_BASE"] = check_wayback_base(app.config.get("WAYBACK_BASE"))
    # a debugger in a server reachable by others runs any code they send: never, whatever the env
    app.debug = False
    # keep the INTERFACE.md key order, and facets most frequent first
    app.json.sort_keys = False  # type: ignore[attr-defined]

    app.extensions["newsfind_index"] = IndexHolder(str(app.config["INDEX_DIR"]))
    app.url_map.converters["article_id"] = ArticleIdConverter
    # Werkzeug answers `//search` with a redirect to an absolute URL built from the Host header
    app.url_map.merge_slashes = False
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(research.bp)
    app.register_blueprint(watching.bp)
    errors.register(app)
    register_template_helpers(app)
    app.before_request(_relative_redirect)
    app.after_request(_security_headers)
    return app


def _relative_redirect() -> WerkzeugResponse | None:
    """Werkzeug's routing redirects (an empty path to ``/``) as relative ``Location`` headers.

    It builds them absolute from the Host header, so ``GET ?q=1`` with a forged Host would send
    a browser (or a cache) to any site the client named.
    """
    redirect_to = request.routing_exception
    if not isinstance(redirect_to, RequestRedirect):
        return None
    target = urlsplit(redirect_to.new_url)
    return redirect(urlunsplit(("", "", target.path, target.query, "")), redirect_to.code)


def _security_headers(response: Response) -> Response:
    """Every answer gets the security headers and a Cache-Control (CACHE_CONTROL, else none)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.status_code >= 400:
        response.headers["Cache-Control"] = NO_STORE
    elif "Cache-Control" not in response.headers:
        endpoint = request.endpoint or ""
        response.headers["Cache-Control"] = CACHE_CONTROL.get(endpoint, NO_STORE)
    return response
