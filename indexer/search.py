"""Running a search (being written: see issue 3)."""

from __future__ import annotations

from typing import Any

from .results import SearchParams, SearchResults


def run_search(searcher: Any, params: SearchParams) -> SearchResults:
    raise NotImplementedError("search is being written")
