"""The names and limits a caller of the library states to its own users, defined once.

The web app (OpenAPI, pages), the CLI help and the docs all tell people which sorts and kinds
exist, how long a query may be, how deep pages go, how many passages an article shows. They read
these from ``indexer`` instead of restating them, so a changed limit cannot leave a description
that promises the old one. The query language's own limits are defined next to its parser and
re-exported here, so this module is the one list to read.
"""

from __future__ import annotations

from .model import KINDS
from .query.parser import (
    MAX_DEPTH,
    MAX_EXPANDED_WORDS,
    MAX_EXPANSIONS,
    MAX_FUZZY,
    MAX_FUZZY_CHARS,
    MAX_TERMS,
    MIN_PREFIX,
)
from .query.tree import MAX_NEAR
from .results import SORTS

__all__ = [
    "COLLAPSES",
    "DEFAULT_COLLAPSE",
    "DEFAULT_PER_PAGE",
    "DEFAULT_SORT",
    "FACETS",
    "FACET_LIMIT",
    "UNDATED",
    "HITS_SHOWN",
    "INTERVALS",
    "KINDS",
    "MAX_DEPTH",
    "MAX_EXPANDED_WORDS",
    "MAX_EXPANSIONS",
    "MAX_FUZZY",
    "MAX_FUZZY_CHARS",
    "MAX_NEAR",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "MIN_PREFIX",
    "SORTS",
]

#: Longer queries are refused: nothing a person types is this long, and parsing cost grows with it.
MAX_QUERY_CHARS = 2000
#: Articles a page at most (``per_page``), and when none is asked for.
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 10
#: Deep pages cost as much as scoring everything; nobody reads page 1,000 of a news search.
MAX_PAGE = 1000
#: The order of results when none is asked for: best first.
DEFAULT_SORT = SORTS[0]

#: Accepted values of ``collapse``: one result per story (copies grouped) or every article.
COLLAPSES = ("story", "none")
DEFAULT_COLLAPSE = COLLAPSES[0]

#: Matching passages shown per article (the best ones); the rest are counted in ``more_hits``.
HITS_SHOWN = 3
#: The facets every search counts, in the order they are listed (``SearchResults.facets``).
FACETS = ("kind", "source", "credit", "month", "speaker", "language")
#: Facets list at most this many values each (most frequent first).
FACET_LIMIT = 25
#: The periods a search's timeline counts by, shortest first (``interval``; none: chosen from
#: the span of the matches).
INTERVALS = ("day", "week", "month", "year")
#: The month facet's value for articles without a publication date (so its counts add up).
UNDATED = "undated"
