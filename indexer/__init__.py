"""newsfind: full-text search over news articles, their paragraphs and photo captions.

The public API, for programmatic use (the web app and the CLI use nothing else)::

    from indexer import open_index
    with open_index("index_data") as ix:
        results = ix.search("putin xi", kind="caption")
        for article in results.results:
            print(article.headline, [hit.snippet for hit in article.hits])
"""

from __future__ import annotations

from .errors import (
    IndexLocked,
    IndexNotFound,
    NewsfindError,
    ParseError,
    QueryError,
    QueryTooSlow,
    WorkerDied,
)
from .index import NewsIndex, Stats, open_index
from .ingest.paths import iter_articles
from .model import Article, Caption, article_from_json, parse_published
from .results import ArticleResult, Hit, SearchParams, SearchResults
from .writing import ArticleWriter, IndexReport, delete_articles, index_articles

__all__ = [
    "Article",
    "ArticleResult",
    "ArticleWriter",
    "Caption",
    "Hit",
    "IndexLocked",
    "IndexNotFound",
    "IndexReport",
    "NewsIndex",
    "NewsfindError",
    "ParseError",
    "QueryError",
    "QueryTooSlow",
    "SearchParams",
    "SearchResults",
    "Stats",
    "WorkerDied",
    "article_from_json",
    "delete_articles",
    "index_articles",
    "iter_articles",
    "open_index",
    "parse_published",
]
