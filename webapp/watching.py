"""Watches in the web app, read-only: the "Watch this search" command, and each watch's outbox
as JSON (``/api/watches/NAME``) and Atom (``/watches/NAME.atom``). Only the CLI writes watches."""

from __future__ import annotations

import re
import shlex
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, jsonify, url_for

from indexer import WatchError, WatchStore, watches_path

from .context import SearchRequest
from .errors import RequestFailed
from .urls import external_url

__all__ = ["bp", "watch_command"]

bp = Blueprint("watching", __name__)

#: Atom entries a watch's feed holds (newest first).
FEED_ALERTS = 50


def watch_command(asked: SearchRequest) -> str | None:
    """The exact command that saves ``asked`` as a watch (the web app never writes one)."""
    query = asked.q.strip()
    if not query:
        return None
    name = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:40] or "search"
    parts = ["newsfind", "watch", "add", name]
    parts += ["--", query] if query.startswith("-") else [query]
    options = []
    if asked.kind and asked.kind.lower() != "all":
        options += ["--kind", asked.kind]
    if asked.source:
        options += ["--source", asked.source]
    # options before the query, so a query that starts with '-' can follow '--'
    return shlex.join(parts[:4] + options + parts[4:])


def _store() -> WatchStore:
    path = current_app.config.get("WATCHES_PATH") or watches_path(current_app.config["INDEX_DIR"])
    store = WatchStore.open_readonly(str(path))
    if store is None:
        raise RequestFailed(404, "no watch has been saved for this index", "name")
    return store


def _watch_json(name: str) -> dict[str, object]:
    store = _store()
    try:
        return store.watch_json(name)
    except WatchError as exc:
        raise RequestFailed(404, str(exc), "name") from None
    finally:
        store.close()


@bp.get("/api/watches/<name>")
def watch_api(name: str) -> Response:
    """The watch and its outbox, newest first."""
    return jsonify(_watch_json(name))


@bp.get("/watches/<name>.atom")
def watch_atom(name: str) -> Response:
    """Only the watch's new matches, newest first, each with its highlighted text and reason."""
    data = _watch_json(name)
    alerts = data["alerts"]
    assert isinstance(alerts, list)
    here = url_for("watching.watch_atom", name=name)
    self_url = external_url(here) or here
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape('newsfind watch ' + name)}</title>",
        f"<id>urn:newsfind:watch:{escape(name)}</id>",
        f'<link rel="self" href="{_attr(self_url)}"/>',
        f"<updated>{escape(alerts[0]['found'] if alerts else '1970-01-01T00:00:00Z')}</updated>",
    ]
    for alert in alerts[:FEED_ALERTS]:
        lines += _entry(name, alert)
    lines.append("</feed>")
    return Response("\n".join(lines) + "\n", mimetype="application/atom+xml")


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _entry(name: str, alert: dict[str, object]) -> list[str]:
    article = url_for("pages.article", article_id=str(alert["article_id"]))
    link = external_url(article) or article
    title = str(alert["headline"] or alert["article_id"])
    # the snippet is our own HTML (escaped text, <mark>); Atom carries it escaped once more
    content = f"<p>{alert['snippet']}</p><p>Why: {escape(str(alert['reason']))}</p>"
    return [
        "<entry>",
        f"<id>urn:newsfind:watch:{escape(name)}:{alert['id']}</id>",
        f"<title>{escape(title)}</title>",
        f'<link href="{_attr(link)}"/>',
        f"<updated>{escape(str(alert['found']))}</updated>",
        f"<summary>{escape(str(alert['reason']))}</summary>",
        f'<content type="html">{escape(content)}</content>',
        "</entry>",
    ]
