"""Validating search parameters, from Python values or from the strings of a web form or CLI.

One place decides what a valid request is, so the API, the page and the command line reject the
same things with the same messages (a QueryError naming the parameter).
"""

from __future__ import annotations

from datetime import date

from .errors import QueryError
from .results import SORTS, SearchParams
from .schema import KINDS

__all__ = ["make_params", "MAX_QUERY_CHARS", "MAX_PER_PAGE", "MAX_PAGE"]

#: Longer queries are refused: nothing a person types is this long, and parsing cost grows with it.
MAX_QUERY_CHARS = 2000
MAX_PER_PAGE = 100
#: Deep pages cost as much as scoring everything; nobody reads page 1,000 of a news search.
MAX_PAGE = 1000


def _as_int(value: int | str, param: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise QueryError(f"{param} must be a whole number", param)
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit():
            raise QueryError(f"{param} must be a whole number, not {value[:40]!r}", param)
        value = int(text)
    if not low <= value <= high:
        raise QueryError(f"{param} must be between {low} and {high}, not {value}", param)
    return value


def _as_date(value: date | str | None, param: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"{param} must be a date as YYYY-MM-DD, not {value[:40]!r}", param
        ) from None


def _optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def make_params(
    query: str,
    *,
    kind: str | None = None,
    source: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    sort: str | None = "relevance",
    page: int | str = 1,
    per_page: int | str = 10,
) -> SearchParams:
    """A validated SearchParams, or QueryError naming the first bad parameter."""
    if not isinstance(query, str):
        raise QueryError("q must be a string", "q")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}", "q"
        )
    kind = _optional(kind)
    if kind is not None:
        kind = kind.lower()
        if kind == "all":
            kind = None
        elif kind not in KINDS:
            raise QueryError(f"kind must be one of {', '.join(KINDS)}, not {kind[:40]!r}", "kind")
    sort = (_optional(sort) or "relevance").lower()
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}", "sort")
    start = _as_date(date_from, "from")
    end = _as_date(date_to, "to")
    if start and end and start > end:
        raise QueryError(f"from ({start}) is after to ({end})", "from")
    return SearchParams(
        query=query,
        kind=kind,
        source=_optional(source),
        date_from=start,
        date_to=end,
        sort=sort,
        page=_as_int(page, "page", 1, MAX_PAGE),
        per_page=_as_int(per_page, "per_page", 1, MAX_PER_PAGE),
    )
