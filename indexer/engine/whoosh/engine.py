"""The Whoosh engine: an index directory behind the ``Engine`` protocol (``engine.base``).

Reading goes through the pool of searchers per generation (``reader``), searching through
``search.run_search``, writing through ``writer.WhooshWriter``; nothing of Whoosh leaves here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

from whoosh.searching import Searcher

from ...budget import Deadline
from ...checking import CheckReport
from ...errors import IndexBuilding, QueryError
from ...lineage.stories import Stories
from ...model import Article
from ...query.join import join_plan
from ...query.tree import Group
from ...results import SearchParams, Stats
from ..base import DayCount, EngineMatch, EngineResults, MatchStream, Mode, Span
from .closeness import all_spans
from .compile import compile_query
from .days import index_days
from .documents import article_from_documents
from .integrity import guarded, writer_alive
from .join import run_join
from .ranking import DEFAULT, RankingConfig
from .reader import Reader
from .repair import check_directory
from .schema import KINDS
from .search import run_search
from .stories import searcher_stories
from .stream import stream_matches
from .writer import WhooshWriter, WriteState, create_whoosh, open_whoosh

__all__ = ["WhooshEngine"]

#: Documents read between two looks at the clock when an article is rebuilt.
_DOCS_PER_CHECK = 256


class WhooshEngine:
    """A Whoosh index directory. Opened to read (the default), its latest generation is opened
    at once; opened to write (``mode`` "write" or "create", which makes an empty index when
    there is none), searchers are opened only if one is needed.
    ``ranking`` swaps the scoring constants (the relevance benchmark compares settings)."""

    name = "whoosh"
    capabilities = frozenset(
        {"fuzzy", "prefix", "phrase", "proximity", "facets", "suggest", "quotes", "timeline"}
        | {"stream", "crawled", "lang", "language-facet", "check", "stories"}
        | {"near", "sentence", "join"}
    )

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        mode: Mode = "read",
        ranking: RankingConfig = DEFAULT,
    ) -> None:
        self.path = str(path)
        self._ranking = ranking
        self._lock = threading.Lock()
        self._reader: Reader | None = None
        if mode == "check":
            return  # only check() follows, which opens what it can itself
        self._ix = create_whoosh(self.path) if mode == "create" else open_whoosh(self.path)
        if mode == "read":
            if self._ix.doc_count_all() == 0 and writer_alive(self.path):
                raise IndexBuilding(self.path)
            with guarded(self.path):
                self._reader = Reader(self._ix, self.path)
        self._writes = WriteState(self._ix)

    def _pool(self) -> Reader:
        reader = self._reader
        if reader is None:
            with self._lock:
                if self._reader is None:
                    with guarded(self.path):
                        self._reader = Reader(self._ix, self.path)
                reader = self._reader
        return reader

    def close(self) -> None:
        with self._lock:
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    def __enter__(self) -> WhooshEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A Whoosh searcher on the latest generation, for this package and its tests; this
        thread's alone until the ``with`` block ends. Reading a damaged file in the block raises
        IndexCorrupt naming it (``integrity.guarded``)."""
        with guarded(self.path), self._pool().searcher() as searcher:
            yield searcher

    def generation(self) -> int:
        if self._reader is None:
            return int(self._ix.latest_generation())
        return self._reader.generation()

    def search(self, tree: Group, params: SearchParams, deadline: Deadline) -> EngineResults:
        plan = join_plan(tree)
        with self.searcher() as s:
            if plan is not None:
                return run_join(s, plan, params, deadline, self._ranking)
            return run_search(s, tree, params, deadline, self._ranking)

    def index_days(self) -> tuple[DayCount, ...]:
        with self.searcher() as s:
            return index_days(s)

    def matches(
        self,
        tree: Group,
        params: SearchParams,
        *,
        article_ids: frozenset[str] | None = None,
        spans: bool = False,
    ) -> MatchStream:
        """Every match as a stream; the searcher (one generation) is held until it ends."""
        stack = ExitStack()
        s = stack.enter_context(self.searcher())
        try:
            found = stream_matches(
                s, tree, params, self._ranking, article_ids=article_ids, spans=spans
            )
        except BaseException:
            stack.close()
            raise

        def rows() -> Iterator[EngineMatch]:
            with stack:
                yield from found

        return MatchStream(total=len(found), generation=int(s.reader().generation()), rows=rows())

    def spans(
        self, texts: Sequence[str], tree: Group, deadline: Deadline | None = None
    ) -> list[tuple[Span, ...]]:
        """Match spans of whole texts: the query's words as the index analyses them (so a
        stemmed word marks every inflection), its phrases where their words are in order.
        Past the deadline, the text being marked and the rest get none."""
        check = deadline.check if deadline is not None else None
        found: list[tuple[Span, ...]] = []
        with self.searcher() as s:
            try:
                compiled = compile_query(tree, s, check) if check else compile_query(tree, s)
                analyzer = s.schema["text"].analyzer
                for text in texts:
                    spans = all_spans(text, analyzer, compiled, limit=None, check=check)
                    found.append(tuple(spans))
            except QueryError:
                pass  # out of time, or nothing to mark: the rest unmarked
        return found + [()] * (len(texts) - len(found))

    def article(self, article_id: str, deadline: Deadline | None = None) -> Article | None:
        with self.searcher() as s:
            docs = []
            for i, doc in enumerate(s.documents(article_id=article_id)):
                if deadline is not None and i % _DOCS_PER_CHECK == 0:
                    deadline.check()
                docs.append(doc)
        return article_from_documents(docs) if docs else None

    def article_ids(self) -> list[str]:
        with self.searcher() as s:
            return _article_ids(s)

    def articles(self) -> Iterator[Article]:
        for article_id in self.article_ids():
            article = self.article(article_id)
            if article is not None:
                yield article

    def stats(self) -> Stats:
        with guarded(self.path):
            return self._pool().stats(_count)

    def check(self, *, repair: bool = False) -> CheckReport:
        """Every file against its commit's checksums; with ``repair``, rebuild what is
        damaged from the articles still readable whole (``repair``)."""
        return check_directory(self.path, repair=repair)

    def stories(self) -> Stories:
        """The stories of the latest generation (``lineage``), built once per generation."""
        with self.searcher() as s:
            return searcher_stories(s)

    def writer(self, *, lock_timeout: float, procs: int = 1) -> WhooshWriter:
        return WhooshWriter(
            self._ix, self.path, self._writes, lock_timeout=lock_timeout, procs=procs
        )


def _article_ids(s: Searcher) -> list[str]:
    reader = s.reader()
    deletions = reader.has_deletions()
    ids = []
    for text in reader.field_terms("article_id"):
        if deletions and not any(
            not reader.is_deleted(d) for d in reader.postings("article_id", text).all_ids()
        ):
            continue
        ids.append(text)
    return ids


def _count(s: Searcher) -> Stats:
    reader = s.reader()
    deletions = reader.has_deletions()
    kinds: dict[str, int] = {}
    for kind in KINDS:
        if ("kind", kind) not in reader:
            kinds[kind] = 0
            continue
        ids = reader.postings("kind", kind).all_ids()
        kinds[kind] = sum(1 for d in ids if not (deletions and reader.is_deleted(d)))
    return Stats(articles=len(_article_ids(s)), documents=s.doc_count(), kinds=kinds)
