"""Every error the app answers, in one JSON shape for machines and one template for people.

``{"error": {"message": "…", "param": "q"}}`` is the whole JSON API's error form (INTERFACE.md);
pages get ``error.html``. Bad input is a 4xx naming the parameter; a missing index is a 503;
anything unexpected is logged here and answered with a plain 500, never a traceback.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from indexer import IndexCorrupt, IndexNotFound, NewsfindError, QueryError

from .context import SearchRequest

__all__ = ["RequestFailed", "error_json", "register", "wants_json"]

#: Routes whose clients are programs: they get the JSON error shape instead of a page.
_JSON_PREFIXES = (
    "/api/",
    "/healthz",
    "/search.atom",
    "/opensearch.xml",
    "/watches/",
    "/search/timeline.csv",
)


class RequestFailed(HTTPException):
    """An error answer with a status, a message for people and the parameter at fault."""

    def __init__(self, code: int, message: str, param: str | None = None) -> None:
        super().__init__(description=message)
        self.code = code
        self.param = param


def wants_json() -> bool:
    return request.path.startswith(_JSON_PREFIXES)


def error_json(message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "param": param}}


def _answer(status: int, message: str, param: str | None = None) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify(error_json(message, param)), status
    page = render_template(
        "error.html",
        status=status,
        message=message,
        param=param,
        search=SearchRequest.from_args(request.args),
    )
    return page, status


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        if isinstance(exc, InternalServerError):
            return _answer(500, "Something went wrong on our side; the error has been logged.")
        message = exc.description or exc.name
        if status == 404 and not isinstance(exc, RequestFailed):
            message = "There is no page at this address."
        return _answer(status, message, getattr(exc, "param", None))

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError) -> tuple[Response | str, int]:
        return _answer(400, exc.message, exc.param)

    @app.errorhandler(IndexCorrupt)
    def damaged_index(exc: IndexCorrupt) -> tuple[Response | str, int]:
        app.logger.error("%s", exc)
        return _answer(503, f"The search index is damaged and cannot answer: {exc}")

    @app.errorhandler(IndexNotFound)
    def no_index(exc: IndexNotFound) -> tuple[Response | str, int]:
        return _answer(503, f"The search index is not available: {exc}")

    @app.errorhandler(NewsfindError)
    def unavailable(exc: NewsfindError) -> tuple[Response | str, int]:
        # the index is there but cannot answer now (a search server down, strict results)
        return _answer(503, f"The search index cannot answer now: {exc}")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unhandled error on %s", request.path)
        return _answer(500, "Something went wrong on our side; the error has been logged.")
