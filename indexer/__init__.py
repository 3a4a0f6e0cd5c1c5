"""newsfind: full-text search over news articles, their paragraphs and photo captions.

The public API, for programmatic use (the web app and the CLI use nothing else)::

    from indexer import open_index
    with open_index("index_data") as ix:
        results = ix.search("putin xi", kind="caption")
        for article in results.results:
            print(article.headline, [hit.snippet for hit in article.hits])
"""

from __future__ import annotations

from .checking import CheckReport, check_index
from .engine.base import MatchStream
from .errors import (
    ArticleNotWritten,
    DiskFull,
    IndexBuilding,
    IndexCorrupt,
    IndexLocked,
    IndexNotFound,
    NewsfindError,
    ParseError,
    QueryError,
    QueryTooSlow,
    ResultsIncomplete,
    WorkerDied,
)
from .export import COLUMNS as EXPORT_COLUMNS
from .export import EXPORT_FORMATS, Export, ExportManifest
from .index import NewsIndex, Stats, open_index
from .ingest.paths import iter_articles
from .limits import (
    COLLAPSES,
    DEFAULT_COLLAPSE,
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    FACET_LIMIT,
    FACETS,
    HITS_SHOWN,
    INTERVALS,
    KINDS,
    MAX_DEPTH,
    MAX_EXPANDED_WORDS,
    MAX_EXPANSIONS,
    MAX_FUZZY,
    MAX_FUZZY_CHARS,
    MAX_NEAR,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    MIN_PREFIX,
    SORTS,
    UNDATED,
)
from .model import Article, Caption, article_from_json, parse_published
from .pacing import paced
from .results import ArticleResult, Copy, Hit, SearchParams, SearchResults, StoryInfo
from .timeline import Period, Timeline, timeline_csv
from .watches import Alert, Watch, WatchError, WatchHooks, WatchStore, run_watches, watches_path
from .writing import ArticleWriter, IndexReport, delete_articles, index_articles

__all__ = [
    "Alert",
    "EXPORT_COLUMNS",
    "EXPORT_FORMATS",
    "Export",
    "ExportManifest",
    "MatchStream",
    "Period",
    "Timeline",
    "Watch",
    "WatchError",
    "WatchHooks",
    "WatchStore",
    "run_watches",
    "timeline_csv",
    "paced",
    "watches_path",
    "Article",
    "ArticleResult",
    "ArticleWriter",
    "Caption",
    "CheckReport",
    "DiskFull",
    "Copy",
    "Hit",
    "IndexBuilding",
    "IndexCorrupt",
    "IndexLocked",
    "IndexNotFound",
    "IndexReport",
    "NewsIndex",
    "NewsfindError",
    "ArticleNotWritten",
    "ResultsIncomplete",
    "ParseError",
    "QueryError",
    "QueryTooSlow",
    "SearchParams",
    "SearchResults",
    "Stats",
    "StoryInfo",
    "WorkerDied",
    "article_from_json",
    "check_index",
    "delete_articles",
    "index_articles",
    "iter_articles",
    "open_index",
    "parse_published",
    # the names and limits callers state to their users (limits.py): read them, never restate
    "COLLAPSES",
    "DEFAULT_COLLAPSE",
    "DEFAULT_PER_PAGE",
    "DEFAULT_SORT",
    "FACETS",
    "FACET_LIMIT",
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
    "UNDATED",
]
