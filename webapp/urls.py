"""How the app writes its own URLs: every article id reachable, absolute URLs only when configured.

An article id is any non-blank string (a canonical URL, ``a/b``, ``../../etc``, ``x?y#z``, a
newline…), so it is percent-encoded into one path that browsers, proxies and the router all leave
as it is. Absolute URLs (feeds, OpenSearch, the OpenAPI ``servers``) come from the ``PUBLIC_URL``
setting, never from the request's Host header, which any client can set to anything.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app
from werkzeug.routing import BaseConverter

__all__ = ["ArticleIdConverter", "DOT_IDS", "check_public_url", "external_url"]

#: Ids that no path can carry: browsers resolve ``.`` and ``..`` (and ``%2E``…) away.
DOT_IDS = frozenset({".", ".."})

#: What stays literal in a path segment (the WHATWG path-segment set, as Werkzeug's own).
_SEGMENT_SAFE = "!$&'()*+,:;=@"


class ArticleIdConverter(BaseConverter):
    """``<article_id:...>``: any id, slashes and newlines included, decoded back exactly.

    Werkzeug's ``path`` converter refuses a leading ``/`` and a newline, and builds ``../``
    literally, which a browser then resolves to another page. Slashes stay readable unless a
    segment would be empty, ``.`` or ``..``: then every ``/`` is sent as ``%2F``, which the server
    decodes back while browsers and slash-merging proxies leave it alone.
    """

    part_isolating = False
    regex = r"[\s\S]+"
    weight = 200

    def to_url(self, value: str) -> str:
        segments = value.split("/")
        keep_slashes = not any(s in ("", ".", "..") for s in segments)
        return quote(value, safe=_SEGMENT_SAFE + ("/" if keep_slashes else ""))


def check_public_url(value: object) -> str | None:
    """The ``PUBLIC_URL`` setting without its trailing slash; ValueError saying what is wrong."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not _is_base_url(text):
        raise ValueError(
            f"PUBLIC_URL must be an http(s) URL such as https://news.example.com, not {text!r}"
        )
    return text.rstrip("/")


def _is_base_url(text: str) -> bool:
    """An absolute http(s) URL with a host, no query or fragment, nothing that breaks a link."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not parts.query
        and not parts.fragment
        and all(32 < ord(c) < 127 or c.isalnum() for c in text)
    )


def external_url(path: str) -> str | None:
    """``path`` (from ``url_for``) as an absolute URL under ``PUBLIC_URL``; None when unset."""
    base = current_app.config.get("PUBLIC_URL")
    return f"{base}{path}" if base else None
