"""What a search returns: frozen dataclasses with the INTERFACE.md JSON form (``to_json``).

These are the only search types that leave the library; the web app renders them and the CLI
prints them, so nothing outside an engine's package ever touches an engine's object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = [
    "Hit",
    "ArticleResult",
    "SearchResults",
    "SearchParams",
    "SORTS",
    "Stats",
    "Copy",
    "StoryInfo",
]

#: Accepted values of ``sort``.
#: ``crawled``: the most recent first capture (WARC input) first, articles never crawled last.
SORTS = ("relevance", "newest", "oldest", "crawled")


@dataclass(frozen=True)
class Stats:
    """Counts of live articles and documents, per document kind."""

    articles: int
    documents: int
    kinds: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"articles": self.articles, "documents": self.documents, "kinds": dict(self.kinds)}


@dataclass(frozen=True)
class Hit:
    """One matching document of an article: where the match is, and the snippet to show.

    ``snippet`` is HTML: the document text escaped, matches wrapped in ``<mark>``, nothing else.
    ``credit`` and ``date`` (the photo date) are set on caption hits only, ``speaker`` on
    quote hits (None when the text names nobody).
    """

    doc_id: str
    kind: str
    position: int
    snippet: str
    score: float = 0.0
    credit: str | None = None
    date: date | None = None
    speaker: str | None = None
    #: in a join (``said:(...) pictured:(...)``), the side this hit matched; None otherwise
    side: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "kind": self.kind,
            "position": self.position,
            "snippet": self.snippet,
            "credit": self.credit,
            "date": self.date.isoformat() if self.date else None,
            "speaker": self.speaker,
            "side": self.side,
        }


@dataclass(frozen=True)
class Copy:
    """One copy of a story: which article, from whom, when, and how alike the lead it is
    (estimated Jaccard of body shingles; None when either has no fingerprint)."""

    article_id: str
    source: str | None
    published: datetime | None
    headline: str | None
    similarity: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "headline": self.headline,
            "similarity": None if self.similarity is None else round(self.similarity, 3),
        }


@dataclass(frozen=True)
class StoryInfo:
    """The story an article belongs to: its id (``story:ID``), its lead (earliest copy) and
    every copy, oldest first (the lead included; ``size`` counts them)."""

    story_id: str
    lead: Copy
    copies: tuple[Copy, ...]

    @property
    def size(self) -> int:
        return len(self.copies)

    def others(self, article_id: str) -> tuple[Copy, ...]:
        """The copies other than ``article_id``."""
        return tuple(c for c in self.copies if c.article_id != article_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.story_id,
            "lead": self.lead.to_json(),
            "size": self.size,
            "copies": [c.to_json() for c in self.copies],
        }


@dataclass(frozen=True)
class ArticleResult:
    """An article in the results: its metadata, its best hits (at most 3) and how many more."""

    article_id: str
    headline: str | None
    url: str | None
    published: datetime | None
    source: str | None
    score: float
    hits: tuple[Hit, ...]
    more_hits: int
    dateline: str | None = None
    byline: str | None = None
    #: its story, when the engine keeps stories
    story: StoryInfo | None = None
    language: str | None = None
    #: the headline as HTML with the query's matches marked (escaped like a snippet)
    headline_html: str | None = None

    @property
    def headline_hit(self) -> bool:
        """Whether the headline itself is one of the hits shown."""
        return any(hit.kind == "headline" for hit in self.hits)

    @property
    def passages(self) -> tuple[Hit, ...]:
        """The hits to list under the title: a headline hit would only repeat the title, so
        pages mark the title instead (``headline_html``) and list the rest."""
        return tuple(hit for hit in self.hits if hit.kind != "headline")

    def to_json(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "headline": self.headline,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "dateline": self.dateline,
            "byline": self.byline,
            "language": self.language,
            "score": round(self.score, 4),
            "more_hits": self.more_hits,
            "hits": [h.to_json() for h in self.hits],
            "story": self.story.to_json() if self.story else None,
            "other_copies": len(self.story.others(self.article_id)) if self.story else 0,
        }


@dataclass(frozen=True)
class SearchParams:
    """A validated search request (what ``NewsIndex.search`` was asked)."""

    query: str
    kind: str | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    #: "story": one result per story (``indexer.lineage``); "none": every matching article
    collapse: str = "none"
    #: the timeline's period (None: chosen from the span of the matches), and whether its
    #: counts are also given as shares of the index's articles per period
    interval: str | None = None
    normalize: bool = False


@dataclass(frozen=True)
class SearchResults:
    """One page of results, grouped by article, with exact totals and facet counts.

    ``facets`` maps a facet name (kind, source, credit, month) to ``{value: count}`` over all
    matching documents, most frequent first. ``suggestion`` is a corrected query string when
    "did you mean" has one, else None.
    """

    params: SearchParams
    total_hits: int
    total_articles: int
    results: tuple[ArticleResult, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    took_ms: float = 0.0
    #: stories among the matching articles (None when the engine keeps no stories)
    total_stories: int | None = None
    timeline: Timeline | None = None
    #: the parts of a distributed index (shards) that did not answer; empty when complete
    missing: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        """Whether some of the index did not answer, so matches there are absent."""
        return bool(self.missing)

    @property
    def query(self) -> str:
        return self.params.query

    @property
    def page(self) -> int:
        return self.params.page

    @property
    def per_page(self) -> int:
        return self.params.per_page

    @property
    def pages(self) -> int:
        """How many pages of articles there are (at least 1)."""
        shown = self.total_articles
        if self.params.collapse == "story" and self.total_stories is not None:
            shown = self.total_stories
        return max(1, -(-shown // self.per_page))

    @property
    def reachable_pages(self) -> int:
        """The pages a caller may ask for: ``pages``, but never past MAX_PAGE, which the
        parameters refuse; links and "page N of M" use this."""
        from .limits import MAX_PAGE  # limits imports this module

        return min(self.pages, MAX_PAGE)

    @property
    def pages_beyond_reach(self) -> bool:
        """More pages than can be asked for: say how to narrow the search."""
        return self.pages > self.reachable_pages

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total_hits": self.total_hits,
            "total_articles": self.total_articles,
            "total_stories": self.total_stories,
            "collapse": self.params.collapse,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion,
            "results": [r.to_json() for r in self.results],
            "facets": {name: dict(counts) for name, counts in self.facets.items()},
            "timeline": self.timeline.to_json() if self.timeline else None,
            # only when part of a distributed index did not answer: a complete answer keeps
            # the form it always had
            **({"partial": True, "missing": list(self.missing)} if self.partial else {}),
        }
