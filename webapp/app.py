"""The application factory: configuration, the shared index, blueprints, errors and headers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from . import api, errors, feeds, pages
from .indexes import IndexHolder
from .views import register_template_helpers

__all__ = ["create_app"]

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
    # a debugger in a server reachable by others runs any code they send: never, whatever the env
    app.debug = False
    # keep the INTERFACE.md key order, and facets most frequent first
    app.json.sort_keys = False  # type: ignore[attr-defined]

    app.extensions["newsfind_index"] = IndexHolder(str(app.config["INDEX_DIR"]))
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    errors.register(app)
    register_template_helpers(app)
    app.after_request(_security_headers)
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
