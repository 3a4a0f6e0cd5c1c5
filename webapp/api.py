"""The JSON API: the search page's twin, articles, stats, health and the OpenAPI description."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from indexer import IndexCorrupt, IndexNotFound

from .context import SearchRequest, search_context
from .errors import RequestFailed, error_json
from .indexes import get_index
from .openapi import openapi_document
from .urls import external_url

__all__ = ["bp"]

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    """The INTERFACE.md search JSON (the same search the page shows)."""
    context = search_context(get_index(), SearchRequest.from_args(request.args))
    if context.error is not None:
        raise RequestFailed(400, context.error.message, context.error.param)
    assert context.results is not None
    return jsonify(context.results.to_json())


@bp.get("/api/articles/<article_id:article_id>", merge_slashes=False)
def article(article_id: str) -> Response:
    """One article in the JSON form ``newsfind index`` reads and ``export`` writes."""
    found = get_index().article(article_id)
    if found is None:
        raise RequestFailed(404, f"there is no article with id {article_id!r}", "id")
    # the story and reuse links beside the article's own keys (docs/lineage.md)
    return jsonify({**found.to_json(), **get_index().lineage(article_id).to_json()})


@bp.get("/api/stats")
def stats() -> Response:
    return jsonify(get_index().stats().to_json())


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the index can be read right now (a real read, not just an open handle)."""
    try:
        index = get_index()
        generation = index.generation()
    except IndexNotFound as exc:
        return jsonify(error_json(f"index not available: {exc}")), 503
    except IndexCorrupt as exc:
        return jsonify(error_json(f"index damaged: {exc}")), 503
    except Exception as exc:  # an unreadable index is exactly what a health check reports
        return jsonify(error_json(f"index not readable: {type(exc).__name__}")), 503
    body: dict[str, Any] = {"status": "ok", "generation": generation}
    return jsonify(body), 200


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The description; its ``servers`` URL is the configured public URL, else relative (``/``
    or the app's mount point), never the Host header a client sent."""
    root = request.script_root
    return jsonify(openapi_document(external_url(root) or root or "/"))
