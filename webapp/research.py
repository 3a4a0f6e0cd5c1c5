"""The researcher's downloads: a search's timeline as CSV and every match as CSV or JSON Lines.

Both read the same parameters as the search page (``context``). The export streams: rows are
written as the engine reads them, so memory stays flat; what it holds is described by
``X-Newsfind-*`` headers (the count is known before the first row) and, asked for with
``manifest=trailer``, by a last line with the row count and the sha256 of the rows. Its rows
are written as a heavy search runs (``indexer.pacing``): concurrent exports take turns in the
heavy lane and step aside for ordinary searches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

from flask import Blueprint, Response, request, stream_with_context

from indexer import KINDS, QueryError, paced, timeline_csv

from .context import SearchRequest, search_context
from .errors import RequestFailed
from .indexes import get_index

__all__ = ["bp"]

bp = Blueprint("research", __name__)

_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def timeline_csv_download() -> Response:
    """The timeline series of the search (the bars of the page), one row per period."""
    asked = SearchRequest.from_args(request.args)
    context = search_context(get_index(), asked, per_page=1)
    if context.error is not None:
        raise RequestFailed(400, context.error.message, context.error.param)
    assert context.results is not None
    timeline = context.results.timeline
    body = timeline_csv(timeline, KINDS) if timeline is not None else ""
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="timeline.csv"'
    return response


bp.add_url_rule("/search/timeline.csv", "timeline_csv", timeline_csv_download)


@bp.get("/api/export")
def export() -> Response:
    """Every matching document, streamed in relevance or date order (``sort``)."""
    args = request.args
    fmt = args.get("format", "jsonl") or "jsonl"
    trailer = args.get("manifest", "")
    if trailer not in ("", "trailer"):
        raise RequestFailed(
            400, f"manifest must be 'trailer' or empty, not {trailer[:40]!r}", "manifest"
        )
    try:
        found = get_index().export(
            args.get("q", ""),
            fmt=fmt,
            kind=args.get("kind") or None,
            source=args.get("source") or None,
            date_from=args.get("from") or None,
            date_to=args.get("to") or None,
            sort=args.get("sort") or "relevance",
        )
    except QueryError as exc:
        raise RequestFailed(400, exc.message, exc.param) from None
    manifest = found.manifest

    def body() -> Iterator[str]:
        # rows take turns in the heavy lane: a long export cannot starve the server's searches
        yield from paced(found)
        if trailer:
            yield found.trailer()

    response = Response(stream_with_context(body()), mimetype=_TYPES[fmt])
    headers = response.headers
    headers["Content-Disposition"] = f'attachment; filename="newsfind-export.{fmt}"'
    headers["X-Newsfind-Query"] = quote(manifest.params["q"], safe="")
    headers["X-Newsfind-Params"] = quote(json.dumps(manifest.params, ensure_ascii=False), safe="")
    headers["X-Newsfind-Engine"] = manifest.engine
    headers["X-Newsfind-Generation"] = str(manifest.generation)
    headers["X-Newsfind-Count"] = str(manifest.total)
    headers["X-Newsfind-Columns"] = ",".join(manifest.columns)
    return response
