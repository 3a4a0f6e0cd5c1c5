"""NewsIndex: an open index for reading (search, articles, stats), safe to share across threads.

The facade over an engine (``engine.base``): a search is validated (``make_params``), parsed
into our query tree (``query.parser``), checked against what the engine can do, run by the
engine within the time budget, and its match spans turned into snippets (``snippets``). The
engine is chosen by the location: a directory is a Whoosh index, ``scheme://...`` another
engine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from datetime import date

from .budget import Deadline
from .engine.base import (
    Engine,
    EngineArticle,
    EngineResults,
    MatchStream,
    StoryEngine,
    StreamingEngine,
    TimelineEngine,
    check_capabilities,
    check_sort,
    open_engine,
)
from .errors import QueryError
from .export import EXPORT_FORMATS, Export
from .limits import DEFAULT_COLLAPSE, DEFAULT_PER_PAGE, DEFAULT_SORT
from .lineage.article import ArticleLineage, build_lineage
from .lineage.info import story_info
from .lineage.query import story_params
from .lineage.stories import Stories
from .model import Article
from .params import MAX_QUERY_CHARS, make_params
from .query.join import join_plan
from .query.parser import parse_query
from .query.tree import Group
from .results import ArticleResult, Hit, SearchResults, Stats, StoryInfo
from .snippets import hit_snippet, mark_text
from .timeline import Timeline, build_timeline, month_facet

__all__ = ["NewsIndex", "Stats", "open_index"]


class NewsIndex:
    """A news index opened for reading. Create with :func:`open_index`; ``location`` is an
    index directory, an engine URL (``scheme://...``) or an engine already open."""

    def __init__(self, location: str | os.PathLike[str] | Engine, *, stream: bool = False) -> None:
        if isinstance(location, str | os.PathLike):
            self.path = os.fspath(location)
            self._engine = open_engine(self.path, "stream" if stream else "read")
        else:
            self._engine = location
            self.path = str(getattr(location, "path", location.name))

    @property
    def engine_name(self) -> str:
        """Which engine holds the index ("whoosh", ...)."""
        return self._engine.name

    @property
    def capabilities(self) -> frozenset[str]:
        """What the engine can do (``engine.base.CAPABILITIES``); a query that needs anything
        else is refused with a QueryError naming the engine, never answered differently."""
        return frozenset(self._engine.capabilities)

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> NewsIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def generation(self) -> int:
        """The index generation new searches read (changes on every commit)."""
        return self._engine.generation()

    def search(
        self,
        query: str,
        *,
        kind: str | None = None,
        source: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        sort: str = DEFAULT_SORT,
        page: int | str = 1,
        per_page: int | str = DEFAULT_PER_PAGE,
        time_budget: float | None = None,
        collapse: str = DEFAULT_COLLAPSE,
        interval: str | None = None,
        normalize: bool | str = False,
    ) -> SearchResults:
        """Search the index: articles best first, each with its best hits and snippets.

        Parameters are validated (strings as a web form sends them are accepted too); a bad
        one raises QueryError naming it in ``param``. See README "Query language".
        ``time_budget`` (seconds) bounds the work: past it, QueryTooSlow (a QueryError).
        ``interval`` and ``normalize`` shape ``timeline`` (engines declaring "timeline").
        """
        started = time.perf_counter()
        params = make_params(
            query,
            kind=kind,
            source=source,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page=page,
            per_page=per_page,
            collapse=collapse,
            interval=interval,
            normalize=normalize,
        )
        with Deadline(started, time_budget) as deadline:
            tree = parse_query(params.query)
            check_capabilities(self._engine, tree, params.kind)
            check_sort(self._engine, params.sort)
            params = story_params(params, tree, self.capabilities)
            found = self._engine.search(tree, params, deadline)
            stories = found.stories or self._stories()
            results = tuple(_article_result(a, stories) for a in found.articles)
            timeline = self._timeline(found, params.interval, params.normalize)
        return SearchResults(
            params=params,
            total_hits=found.total_hits,
            total_articles=found.total_articles,
            results=results,
            facets=_declared_facets(self._engine, _month_ordered(found)),
            suggestion=found.suggestion,
            took_ms=(time.perf_counter() - started) * 1000,
            total_stories=found.total_stories,
            missing=found.missing,
            timeline=timeline,
        )

    def _stories(self) -> Stories | None:
        if isinstance(self._engine, StoryEngine) and "stories" in self._engine.capabilities:
            return self._engine.stories()
        return None

    def lineage(self, article_id: str) -> ArticleLineage:
        """What the article page and ``show --json`` tell of an article's lineage: its story,
        the other versions against the lead, its paragraphs and photos found in other
        articles (``to_json`` gives the keys they add to the article's JSON)."""
        return build_lineage(self, article_id, self._stories())

    def story(self, article_id: str) -> StoryInfo | None:
        """The story of an article: its lead and every copy, oldest first (None when the
        article is unknown or the engine keeps no stories)."""
        stories = self._stories()
        return story_info(stories, article_id) if stories is not None else None

    def _timeline(
        self, found: EngineResults, interval: str | None, normalize: bool
    ) -> Timeline | None:
        """The search's timeline, when the engine counts days (``TimelineEngine``)."""
        if found.days is None or "timeline" not in self._engine.capabilities:
            return None
        totals = None
        if normalize and isinstance(self._engine, TimelineEngine):
            totals = self._engine.index_days()
        return build_timeline(found.days, interval, totals)

    def matches(
        self,
        query: str,
        *,
        kind: str | None = None,
        source: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        sort: str = DEFAULT_SORT,
        article_ids: frozenset[str] | None = None,
        spans: bool = False,
    ) -> MatchStream:
        """Every matching document, one at a time, in ``sort`` order (the engine must declare
        "stream"); ``article_ids`` looks only at those articles, ``spans`` marks the texts."""
        params = make_params(
            query, kind=kind, source=source, date_from=date_from, date_to=date_to, sort=sort
        )
        tree = parse_query(params.query)
        check_capabilities(self._engine, tree)
        if "stream" not in self._engine.capabilities or not isinstance(
            self._engine, StreamingEngine
        ):
            raise QueryError(f"the {self._engine.name} engine cannot stream every match", "q")
        return self._engine.matches(tree, params, article_ids=article_ids, spans=spans)

    def export(
        self,
        query: str,
        *,
        fmt: str = "jsonl",
        kind: str | None = None,
        source: str | None = None,
        date_from: date | str | None = None,
        date_to: date | str | None = None,
        sort: str = DEFAULT_SORT,
    ) -> Export:
        """Every matching document as rows of ``export.COLUMNS`` (iterate the result for the
        text; its ``manifest`` is complete after the last row)."""
        if fmt not in EXPORT_FORMATS:
            raise QueryError(
                f"format must be one of {', '.join(EXPORT_FORMATS)}, not {fmt[:40]!r}",
                "format",
            )
        params = make_params(
            query, kind=kind, source=source, date_from=date_from, date_to=date_to, sort=sort
        )
        stream = self.matches(
            query, kind=kind, source=source, date_from=date_from, date_to=date_to, sort=sort
        )
        return Export.of(stream, params, self._engine.name, fmt)

    def spans(self, texts: Sequence[str], tree: Group) -> list[tuple[tuple[int, int], ...]]:
        """Where a parsed query (or one clause of it, as a ``Group``) matches in ``texts``."""
        return self._engine.spans(texts, tree, None)

    def highlight(
        self,
        texts: Sequence[str],
        query: str,
        *,
        time_budget: float | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[str]:
        """``texts`` as escaped HTML with ``query``'s matches in ``<mark>``, as search hits mark
        them (the article page). Marking is bounded rather than refused: only the first
        MAX_QUERY_CHARS of ``query`` count, a query that cannot run marks nothing, and past
        ``time_budget`` seconds the rest is left unmarked. With each text's ``kinds``, a join
        marks each side's words in its own kinds only (said: in paragraphs, pictured: in
        captions), as its hits are marked."""
        spans: list[tuple[tuple[int, int], ...]] = [()] * len(texts)
        if query.strip():
            try:
                tree = parse_query(query[:MAX_QUERY_CHARS])
                check_capabilities(self._engine, tree)
            except QueryError:
                tree = None
            if tree is not None:
                with Deadline(time.perf_counter(), time_budget, lane=None) as deadline:
                    spans = self._spans(texts, tree, kinds, deadline)
        return [mark_text(text, found) for text, found in zip(texts, spans, strict=True)]

    def _spans(
        self, texts: Sequence[str], tree: Group, kinds: Sequence[str] | None, deadline: Deadline
    ) -> list[tuple[tuple[int, int], ...]]:
        plan = join_plan(tree) if kinds is not None else None
        if plan is None or kinds is None:
            return self._engine.spans(texts, tree, deadline)
        spans: list[tuple[tuple[int, int], ...]] = [()] * len(texts)
        for side in plan.sides:
            at = [i for i, kind in enumerate(kinds) if kind in side.kinds]
            found = self._engine.spans([texts[i] for i in at], side.query, deadline)
            for i, marks in zip(at, found, strict=True):
                spans[i] = marks
        return spans

    def article(self, article_id: str, *, time_budget: float | None = None) -> Article | None:
        """The article with this id, rebuilt in reading order, or None (QueryTooSlow past
        ``time_budget`` seconds: an article can hold many thousands of passages)."""
        with Deadline(time.perf_counter(), time_budget) as deadline:
            return self._engine.article(article_id, deadline)

    def article_ids(self) -> list[str]:
        """Every live article id, sorted."""
        return self._engine.article_ids()

    def articles(self) -> Iterator[Article]:
        """Every article, in id order (what ``newsfind export`` writes)."""
        return self._engine.articles()

    def stats(self) -> Stats:
        """Live counts (deleted documents excluded), kept with their generation."""
        return self._engine.stats()


def _month_ordered(found: EngineResults) -> dict[str, dict[str, int]]:
    """The engine's facets with the month facet as the timeline's months, in date order
    (complete when the engine counts days), undated last."""
    facets = dict(found.facets)
    if "month" in facets:
        months = dict(sorted(facets["month"].items()))
        facets["month"] = month_facet(found.days) if found.days is not None else months
    return facets


def _declared_facets(
    engine: Engine, facets: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """The facets an engine declares: one that counts ``language`` without declaring
    "language-facet" (issue 17) would be counting something it does not store."""
    if "language" in facets and "language-facet" not in engine.capabilities:
        return {name: counts for name, counts in facets.items() if name != "language"}
    return facets


def _article_result(found: EngineArticle, stories: Stories | None) -> ArticleResult:
    hits = tuple(
        Hit(
            doc_id=hit.doc_id,
            kind=hit.kind,
            position=hit.position,
            snippet=hit_snippet(hit.kind, hit.text, hit.spans),
            score=hit.score,
            credit=hit.credit,
            date=hit.date,
            side=hit.side,
            speaker=hit.speaker,
        )
        for hit in found.hits
    )
    return ArticleResult(
        article_id=found.article_id,
        headline=found.headline,
        url=found.url,
        published=found.published,
        source=found.source,
        score=found.score,
        hits=hits,
        more_hits=found.more_hits,
        dateline=found.dateline,
        byline=found.byline,
        story=story_info(stories, found.article_id) if stories is not None else None,
        language=found.language,
        headline_html=mark_text(found.headline, found.headline_spans) if found.headline else None,
    )


def open_index(location: str | os.PathLike[str], *, stream: bool = False) -> NewsIndex:
    """Open the index at ``location`` (a directory, or ``scheme://...`` for another engine);
    raises IndexNotFound when there is none. ``stream``: opened for a whole export, the engine
    may read lazily, holding less in memory (searches still work, more slowly)."""
    return NewsIndex(location, stream=stream)
