"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Written by hand next to the routes it describes; tests/test_web.py checks it against what the
routes really read and return (parameters, status codes, response keys), so it cannot drift.
Every limit and name in it (sorts, kinds, page and query limits) is the library's own, read
from ``indexer``; tests/test_public_api.py changes them and sees this description follow.
"""

from __future__ import annotations

from typing import Any

from indexer import (
    COLLAPSES,
    DEFAULT_COLLAPSE,
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    FACETS,
    HITS_SHOWN,
    INTERVALS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
    SORTS,
)

from .context import SEARCH_PARAMS
from .views import PAGE_KINDS

__all__ = ["openapi_document", "SEARCH_PARAMETERS"]

#: The search parameters, in SEARCH_PARAMS order.
SEARCH_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "q",
        "description": 'The query (see /help): words, "phrases", -exclusions, OR, field:word. '
        f"At most {MAX_QUERY_CHARS:,} characters.",
        "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
    },
    {
        "name": "kind",
        "description": "Only documents of this kind; `all` (or empty) for every kind.",
        "schema": {"type": "string", "enum": ["all", *PAGE_KINDS]},
    },
    {
        "name": "source",
        "description": "Only articles from this source (whole value, case ignored).",
        "schema": {"type": "string"},
    },
    {
        "name": "from",
        "description": "Articles published on or after this day.",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "to",
        "description": "Articles published on or before this day (the whole day included).",
        "schema": {"type": "string", "format": "date"},
    },
    {
        "name": "sort",
        "description": "Order of the articles.",
        "schema": {"type": "string", "enum": list(SORTS), "default": DEFAULT_SORT},
    },
    {
        "name": "page",
        "description": "Page of articles, from 1.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "description": "Articles per page.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
    {
        "name": "interval",
        "description": "The timeline's period; empty: chosen from the span of the matches.",
        "schema": {"type": "string", "enum": ["", *INTERVALS]},
    },
    {
        "name": "normalize",
        "description": "1: timeline counts also as shares of the index's articles per period.",
        "schema": {"type": "string", "enum": ["", "0", "1"]},
    },
    {
        "name": "collapse",
        "description": "story: one result per story (near-copies grouped, the best-matching "
        "copy shown); none: every matching article.",
        "schema": {"type": "string", "enum": list(COLLAPSES), "default": DEFAULT_COLLAPSE},
    },
]
assert [p["name"] for p in SEARCH_PARAMETERS] == list(SEARCH_PARAMS)

_NULLABLE_STRING = {"type": ["string", "null"]}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["message", "param"],
                "properties": {
                    "message": {"type": "string"},
                    "param": {
                        **_NULLABLE_STRING,
                        "description": "The parameter at fault, when one is.",
                    },
                },
            }
        },
    },
    "Hit": {
        "type": "object",
        "required": ["doc_id", "kind", "position", "snippet", "credit", "date", "speaker", "side"],
        "properties": {
            "doc_id": {"type": "string"},
            "kind": {"type": "string", "enum": list(PAGE_KINDS)},
            "position": {"type": "integer", "description": "Place in the article's reading order."},
            "snippet": {
                "type": "string",
                "description": "HTML: the text escaped, matches wrapped in <mark>, nothing else.",
            },
            "credit": {**_NULLABLE_STRING, "description": "Photo credit (captions only)."},
            "date": {**_NULLABLE_STRING, "format": "date", "description": "Photo date."},
            "speaker": {
                **_NULLABLE_STRING,
                "description": "Who said it, the fullest name the article gives (quotes only).",
            },
            "side": {
                "type": ["string", "null"],
                "enum": ["said", "pictured", None],
                "description": "In a said:(...) pictured:(...) join, the side the hit matched.",
            },
        },
    },
    "ArticleResult": {
        "type": "object",
        "required": [
            "article_id",
            "headline",
            "url",
            "published",
            "source",
            "score",
            "more_hits",
            "hits",
        ],
        "properties": {
            "article_id": {"type": "string"},
            "headline": _NULLABLE_STRING,
            "url": _NULLABLE_STRING,
            "published": {**_NULLABLE_STRING, "format": "date-time"},
            "source": _NULLABLE_STRING,
            "dateline": _NULLABLE_STRING,
            "byline": _NULLABLE_STRING,
            "language": {**_NULLABLE_STRING, "description": "Language tag (en, pt-br)."},
            "score": {"type": "number"},
            "more_hits": {"type": "integer", "description": "Matching documents not shown."},
            "story": {
                "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Story"}],
                "description": "The story (near-copies) this article belongs to.",
            },
            "other_copies": {
                "type": "integer",
                "description": "Copies of the story besides this article.",
            },
            "hits": {
                "type": "array",
                "maxItems": HITS_SHOWN,
                "items": {"$ref": "#/components/schemas/Hit"},
            },
        },
    },
    "SearchResults": {
        "type": "object",
        "required": [
            "query",
            "total_hits",
            "total_articles",
            "page",
            "per_page",
            "took_ms",
            "suggestion",
            "results",
            "facets",
        ],
        "properties": {
            "query": {"type": "string"},
            "total_hits": {"type": "integer"},
            "total_articles": {"type": "integer"},
            "total_stories": {
                "type": ["integer", "null"],
                "description": "Stories among the matching articles (null: no stories kept).",
            },
            "collapse": {"type": "string", "enum": list(COLLAPSES)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "took_ms": {"type": "number"},
            "partial": {
                "type": "boolean",
                "description": "Present (true) only when part of a distributed index did not "
                "answer; missing names those parts.",
            },
            "missing": {"type": "array", "items": {"type": "string"}},
            "suggestion": {**_NULLABLE_STRING, "description": "A corrected query, if any."},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/ArticleResult"}},
            "facets": {
                "type": "object",
                "description": "Counts of matching documents per value, most frequent first.",
                "properties": {
                    name: {"type": "object", "additionalProperties": {"type": "integer"}}
                    for name in FACETS
                },
            },
            "timeline": {
                "type": ["object", "null"],
                "description": "Matching articles and hits per period (undated apart).",
            },
        },
    },
    "Copy": {
        "type": "object",
        "required": ["article_id", "source", "published", "headline", "similarity"],
        "properties": {
            "article_id": {"type": "string"},
            "source": _NULLABLE_STRING,
            "published": {**_NULLABLE_STRING, "format": "date-time"},
            "headline": _NULLABLE_STRING,
            "similarity": {
                "type": ["number", "null"],
                "description": "Estimated Jaccard similarity of its body to the lead's.",
            },
        },
    },
    "Story": {
        "type": "object",
        "required": ["id", "lead", "size", "copies"],
        "properties": {
            "id": {"type": "string", "description": "Search story:ID for its copies."},
            "lead": {"$ref": "#/components/schemas/Copy"},
            "size": {"type": "integer"},
            "copies": {"type": "array", "items": {"$ref": "#/components/schemas/Copy"}},
        },
    },
    "Caption": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string"},
            "credit": _NULLABLE_STRING,
            "date": {**_NULLABLE_STRING, "format": "date"},
            "occurrences": {"type": "integer", "minimum": 1},
        },
    },
    "Article": {
        "type": "object",
        "description": "The article JSON that `newsfind index` reads and `export` writes; "
        "keys without a value are left out.",
        "required": ["id", "paragraphs"],
        "properties": {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "headline": {"type": "string"},
            "published": {"type": "string", "format": "date-time"},
            "source": {"type": "string"},
            "byline": {"type": "string"},
            "dateline": {"type": "string"},
            "modified": {"type": "string", "format": "date-time"},
            "language": {"type": "string", "description": "a lower-case language tag (en, pt-br)"},
            "paragraphs": {"type": "array", "items": {"type": "string"}},
            "captions": {"type": "array", "items": {"$ref": "#/components/schemas/Caption"}},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Stats": {
        "type": "object",
        "required": ["articles", "documents", "kinds"],
        "properties": {
            "articles": {"type": "integer"},
            "documents": {"type": "integer"},
            "kinds": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "generation"],
        "properties": {"status": {"const": "ok"}, "generation": {"type": "integer"}},
    },
}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_UNAVAILABLE = _json("Error", "No index is available yet.")


def _search_operation(search_params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": "search",
            "summary": "Search articles",
            "parameters": search_params,
            "responses": {
                "200": _json("SearchResults", "One page of results."),
                "400": _json("Error", "A bad parameter, named in error.param."),
                "503": _UNAVAILABLE,
            },
        }
    }


def _export_operation(search_params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "operationId": "export",
            "summary": "Every matching document, streamed as CSV or JSON Lines",
            "parameters": [p for p in search_params if p["name"] not in ("page", "per_page")]
            + [
                {"name": "format", "in": "query", "schema": {"enum": ["jsonl", "csv"]}},
                {"name": "manifest", "in": "query", "schema": {"enum": ["", "trailer"]}},
            ],
            "responses": {
                "200": {"description": "The rows; X-Newsfind-* headers describe them."},
                "400": _json("Error", "A bad parameter, named in error.param."),
                "503": _UNAVAILABLE,
            },
        }
    }


#: The operations that take no search parameters, by path.
_OTHER_PATHS: dict[str, Any] = {
    "/api/watches/{name}": {
        "get": {
            "operationId": "watch",
            "summary": "A saved search and its new matches (outbox)",
            "parameters": [
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": {"description": "The watch and its outbox, newest first."},
                "404": _json("Error", "No watch has this name."),
            },
        }
    },
    "/api/articles/{id}": {
        "get": {
            "operationId": "article",
            "summary": "One article in reading order",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": _json("Article", "The article."),
                "404": _json("Error", "No article has this id."),
                "503": _UNAVAILABLE,
            },
        }
    },
    "/api/stats": {
        "get": {
            "operationId": "stats",
            "summary": "Counts of articles and documents",
            "responses": {"200": _json("Stats", "The counts."), "503": _UNAVAILABLE},
        }
    },
    "/healthz": {
        "get": {
            "operationId": "health",
            "summary": "Whether the index is readable",
            "responses": {
                "200": _json("Health", "The index is readable."),
                "503": _json("Error", "The index is missing or unreadable."),
            },
        }
    },
}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The description, with ``server_url`` (this server) as its base."""
    search_params = [{"in": "query", "required": False, **p} for p in SEARCH_PARAMETERS]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsfind",
            "version": "1",
            "description": "Full-text search over news articles: paragraphs, photo captions "
            "and headlines, grouped by article, highlighted, with facet counts.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": _search_operation(search_params),
            "/api/export": _export_operation(search_params),
            **_OTHER_PATHS,
        },
        "components": {"schemas": _SCHEMAS},
    }
