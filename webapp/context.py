"""The one function that turns a request's parameters into a search result.

The search page, its JSON twin and the Atom feed all call :func:`search_context`, so they accept
the same parameters, reject the same values with the same messages, and can never disagree
about what a query found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from flask import current_app

from indexer import DEFAULT_COLLAPSE, DEFAULT_PER_PAGE, DEFAULT_SORT, NewsIndex, QueryError
from indexer.results import SearchResults

__all__ = ["SEARCH_PARAMS", "SearchContext", "SearchRequest", "search_context"]

#: The parameters every search route reads (INTERFACE.md); anything else is ignored.
SEARCH_PARAMS = (
    "q",
    "kind",
    "source",
    "from",
    "to",
    "sort",
    "page",
    "per_page",
    "interval",
    "normalize",
    "collapse",
)


@dataclass(frozen=True)
class SearchRequest:
    """What was asked, as the strings the request sent (echoed back into forms and links)."""

    q: str = ""
    kind: str = ""
    source: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = ""
    page: str = ""
    per_page: str = ""
    interval: str = ""
    normalize: str = ""
    collapse: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchRequest:
        """Read the search parameters of a query string (the first value of each)."""
        return cls(
            q=args.get("q", ""),
            kind=args.get("kind", ""),
            source=args.get("source", ""),
            date_from=args.get("from", ""),
            date_to=args.get("to", ""),
            sort=args.get("sort", ""),
            page=args.get("page", ""),
            per_page=args.get("per_page", ""),
            interval=args.get("interval", ""),
            normalize=args.get("normalize", ""),
            collapse=args.get("collapse", ""),
        )

    def as_args(self) -> dict[str, str]:
        """The non-empty parameters, under their URL names, ready for ``url_for``."""
        pairs = {
            "q": self.q,
            "kind": self.kind,
            "source": self.source,
            "from": self.date_from,
            "to": self.date_to,
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "interval": self.interval,
            "normalize": self.normalize,
            "collapse": self.collapse,
        }
        return {name: value for name, value in pairs.items() if value}

    def with_changes(self, **changes: str | None) -> SearchRequest:
        """A copy with some parameters changed (``None`` clears one); back to page 1 unless
        ``page`` is among the changes, since another filter makes the old page meaningless."""
        renames = {"from": "date_from", "to": "date_to"}
        fields = {renames.get(k, k): v or "" for k, v in changes.items()}
        fields.setdefault("page", "")
        return replace(self, **fields)

    @property
    def is_blank(self) -> bool:
        """Nothing asked yet: the home page, not an empty result."""
        return not (self.q.strip() or self.kind or self.source or self.date_from or self.date_to)


@dataclass(frozen=True)
class SearchContext:
    """A search request with either its results or the error that stopped it."""

    request: SearchRequest
    results: SearchResults | None = None
    error: QueryError | None = None


def search_context(
    index: NewsIndex,
    request: SearchRequest,
    *,
    sort: str | None = None,
    per_page: int | None = None,
) -> SearchContext:
    """Run ``request`` against ``index``; a bad parameter becomes ``error``, never an exception.

    ``sort`` and ``per_page`` override the request's own values (the Atom feed is always newest
    first and has its own length).
    """
    try:
        results = index.search(
            request.q,
            kind=request.kind or None,
            source=request.source or None,
            date_from=request.date_from or None,
            date_to=request.date_to or None,
            sort=sort or request.sort or DEFAULT_SORT,
            page=request.page or 1,
            per_page=per_page or request.per_page or DEFAULT_PER_PAGE,
            time_budget=current_app.config.get("QUERY_TIME_BUDGET"),
            interval=request.interval or None,
            normalize=request.normalize,
            collapse=request.collapse or DEFAULT_COLLAPSE,
        )
    except QueryError as exc:
        return SearchContext(request=request, error=exc)
    return SearchContext(request=request, results=results)
