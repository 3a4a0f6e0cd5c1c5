"""The seam between the library and a search engine: the ``Engine`` and ``EngineWriter``
protocols, the dataclasses an engine answers with, and ``open_engine`` (location -> engine).

How to add an engine (the next one is Sphinx/Manticore over SphinxQL):

1. Write a package ``indexer/engine/<name>/`` with a class that has every member of ``Engine``
   below and a writer class with every member of ``EngineWriter``. Nothing of the engine's own
   (connections, result rows, markup) may leave that package: callers get the dataclasses of
   this module, ``indexer.model.Article``, ``indexer.results.Stats`` and the library's errors
   (``IndexNotFound``, ``IndexLocked``, ``QueryError``, ``QueryTooSlow``, ``WorkerDied``).
2. Register it: ``register_engine("sphinx", SphinxEngine.open)`` where the opener takes the
   whole location string (``sphinx://host:9306/news``) and the ``Mode``: "read" (searches
   follow), "write" (only ``writer`` follows: open nothing for reading) or "create" (as "write",
   creating an empty index when there is none); it raises ``IndexNotFound`` when there is none
   (except for "create"). A location without ``scheme://`` is a directory: the Whoosh engine.
3. Run the engine contract suite against it.

What an engine receives and must do:

- ``search(tree, params, deadline)``: ``tree`` is the parsed query (``indexer.query.tree``, a
  ``Group``), never a query string: translate the tree. ``params`` (``indexer.results
  .SearchParams``) are validated already: the filters ``kind``, ``source`` (case-insensitive),
  ``date_from``/``date_to`` (whole days, inclusive, on ``published``), ``sort`` (one of
  ``SORTS``, or "story" on engines with "stories": oldest first, undated last, ties by id),
  ``collapse``, and the page asked for. Answer with ``EngineResults``: the page's articles best
  first (an article scores as its best hit; ``more_hits`` counts its hits beyond the
  ``HITS_SHOWN`` given), each hit with its document's full ``text`` and the character ``spans``
  of its matches in that text, the article's headline with its spans; ``total_hits`` (matching
  documents) and ``total_articles`` exact over every match, not estimated; ``facets`` (name ->
  {value: count} over every matching document, most frequent first, at most ``FACET_LIMIT``
  each: kind, source, credit, month ``YYYY-MM``, and speaker, the quotes' ``speaker_key``,
  when it also declares "quotes") when the engine declares "facets"; a corrected
  query string as ``suggestion`` when it declares "suggest" and has one. Call ``deadline
  .check()`` between units of work: it raises ``QueryTooSlow`` past the caller's time budget.
  A query the engine cannot run raises ``QueryError`` (with ``param="q"``).
- ``spans(texts, tree, deadline)``: the match spans of any texts for a query tree, as search
  hits have them (the article page marks whole articles with these). Past the deadline the
  remaining texts get no spans (never an error: a page is still shown).
- ``capabilities``: the names of what the engine can do, from ``CAPABILITIES``. The facade
  (``NewsIndex``) refuses a query needing an undeclared one with a ``QueryError`` naming the
  engine, so an engine never gives a silently different answer. "fuzzy", "prefix" and "phrase"
  are query constructs, and so are "near" (``"a b"~N``, ``a NEAR/N b``), "sentence"
  (``a SENTENCE b``) and "join" (``said:(...) pictured:(...)``, ``query.join``: the articles
  where every side present has a hit, with the hits of each side marked by ``EngineHit.side``
  and counted in the totals and facets); "check" means the engine implements
  ``CheckableEngine.check`` (verify its files, repair them; opened in mode "check" it must open
  nothing damage could break);
  "proximity" (unquoted words near each other score higher), "facets"
  and "suggest" describe what results hold; "quotes" says the engine stores an article's
  quotations (``indexer.ingest.quotes.extract_quotes`` of its paragraphs) as "quote" documents
  with their speaker, so ``kind:quote``, the ``kind="quote"`` filter and ``speaker:`` work and
  quote hits carry ``speaker``. "stories" (``indexer.lineage``, docs/lineage.md):
  the writer's ``replace`` takes ``lineage=`` (an article's fingerprint, opaque text) and
  stores it with the article's documents, committed with them; ``stories()`` returns
  ``lineage.build_stories`` of every live article's record (cache it per generation); searches
  honour ``params.collapse == "story"`` (one article per story, ``total_stories`` exact) and
  ``story:ID`` (the story's copies: a filter on its members' article ids).
- ``article(id, deadline)`` rebuilt from its documents in reading order (None when absent),
  ``article_ids()`` sorted, ``articles()`` in id order, ``stats()`` live counts,
  ``generation()`` a number that changes on every commit (``/healthz`` shows it), ``close()``.
  An engine is shared by threads: every read method may run in several at once.
- ``writer(lock_timeout=..., procs=...)``: an ``EngineWriter`` for one batch, holding the
  index's write lock (``IndexLocked`` after ``lock_timeout`` seconds). The library's
  ``ArticleWriter`` does the rest (content hashes, batching, counting, repeats in a batch).

An article is stored as several documents (headline, captions, paragraphs, notes: the
``Article.passages``); ``replace`` swaps all of them at once and ``commit`` makes a batch
visible atomically, so no reader ever sees half an article.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import TracebackType
from typing import Literal, Protocol, runtime_checkable

from ..budget import Deadline
from ..checking import CheckReport
from ..errors import ArticleNotWritten, NewsfindError, QueryError
from ..lineage.stories import Stories
from ..model import Article
from ..query.tree import (
    DateSpan,
    Fuzzy,
    Group,
    Near,
    Node,
    Phrase,
    Prefix,
    SameSentence,
    Side,
    Sloppy,
    Word,
)
from ..results import SearchParams, Stats

__all__ = [
    "BufferingWriter",
    "CAPABILITIES",
    "DayCount",
    "CheckableEngine",
    "Engine",
    "EngineArticle",
    "EngineHit",
    "EngineMatch",
    "EngineResults",
    "EngineWriter",
    "MatchStream",
    "Mode",
    "StreamingEngine",
    "TimelineEngine",
    "Span",
    "StoryEngine",
    "check_capabilities",
    "check_sort",
    "needed_capabilities",
    "open_engine",
    "register_engine",
]

#: A match in a text: ``text[start:end]``.
Span = tuple[int, int]

#: Every capability an engine may declare.
#: "quotes": quote documents with speakers (kind quote, speaker:, the speaker facet);
#: "lang": the ``lang:`` filter and "language-facet" the language facet (issue 17).
CAPABILITIES = frozenset(
    {"fuzzy", "prefix", "phrase", "proximity", "facets", "suggest", "quotes", "timeline"}
    | {"stream", "crawled", "lang", "language-facet", "check", "stories"}
    | {"near", "sentence", "join"}
)
#: ``crawled``: stores an article's captures, filters on ``crawled:`` and sorts ``sort=crawled``.


@dataclass(frozen=True)
class EngineHit:
    """One matching document: its full text and where the query matches in it."""

    doc_id: str
    kind: str
    position: int
    text: str
    spans: tuple[Span, ...]
    score: float = 0.0
    credit: str | None = None
    date: date | None = None
    speaker: str | None = None  # quote hits only
    #: in a join, the side the hit matched ("said" or "pictured"); None otherwise
    side: str | None = None


@dataclass(frozen=True)
class EngineArticle:
    """An article of the results page, with its best hits."""

    article_id: str
    headline: str | None
    headline_spans: tuple[Span, ...]
    url: str | None
    published: datetime | None
    source: str | None
    score: float
    hits: tuple[EngineHit, ...]
    more_hits: int
    dateline: str | None = None
    byline: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class EngineResults:
    """One page of articles, with exact totals over every match."""

    total_hits: int
    total_articles: int
    articles: tuple[EngineArticle, ...]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    #: with "stories": how many stories the matching articles belong to, and the table the
    #: search grouped them by (so the caller names leads and copies from the same generation)
    total_stories: int | None = None
    stories: Stories | None = None
    #: the parts of the index that did not answer: the result holds only the others' matches
    missing: tuple[str, ...] = ()
    #: matches per publication day (``DayCount``s, undated as ``day=None``), when the engine
    #: declares "timeline"
    days: tuple[DayCount, ...] | None = None


@dataclass(frozen=True)
class DayCount:
    """Matching articles and documents (per kind) published on one UTC day (None: undated)."""

    day: date | None
    articles: int
    hits: dict[str, int]


@dataclass(frozen=True)
class EngineMatch:
    """One matching document with everything an export row or an alert shows; ``spans`` are
    filled only when asked for. A new stored field joins as one more attribute."""

    doc_id: str
    article_id: str
    kind: str
    position: int
    text: str
    score: float
    headline: str | None
    source: str | None
    published: datetime | None
    url: str | None
    byline: str | None
    credit: str | None
    photo_date: date | None
    spans: tuple[Span, ...] = ()
    speaker: str | None = None  # quote documents only


class EngineWriter(Protocol):
    """One batch of changes, holding the index's write lock until ``commit`` or ``cancel``;
    leaving the ``with`` block commits, or cancels on an exception."""

    def __enter__(self) -> EngineWriter: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def stored_hash(self, article_id: str) -> str | None:
        """The content hash stored with the article's last committed version; "" when its
        documents are not all there (each stores how many it has), None when not stored."""
        ...

    def replace(self, article: Article, digest: str, *, lineage: str | None = None) -> int:
        """Delete every document of the article, add its new ones storing ``digest`` (and
        ``lineage``, its fingerprint, on engines declaring "stories"), at once at the commit;
        how many documents it has now. Raises ``WorkerDied`` when a writing process died (the
        batch is then lost: cancel it)."""
        ...

    def delete(self, article_id: str) -> bool:
        """Delete every document of the article at the commit; False when it is not stored."""
        ...

    def commit(self) -> None:
        """Make the batch visible atomically and release the lock."""
        ...

    def cancel(self) -> None:
        """Drop the batch and release the lock."""
        ...


@runtime_checkable
class BufferingWriter(Protocol):
    """An ``EngineWriter`` that writes articles later than ``replace`` returns (many per round
    trip): the facade hints which articles come next and collects the ones that then failed."""

    def prefetch(self, article_ids: Sequence[str]) -> None:
        """Look up the stored hashes of these articles at once (``stored_hash`` then answers
        from memory)."""
        ...

    def take_failures(self) -> list[ArticleNotWritten]:
        """Articles ``replace`` accepted that could not be written, since the last call."""
        ...


@runtime_checkable
class Engine(Protocol):
    """An open index of one engine (see the module docstring for the contract)."""

    name: str
    capabilities: frozenset[str]

    def search(self, tree: Group, params: SearchParams, deadline: Deadline) -> EngineResults: ...

    def spans(
        self, texts: Sequence[str], tree: Group, deadline: Deadline | None = None
    ) -> list[tuple[Span, ...]]: ...

    def article(self, article_id: str, deadline: Deadline | None = None) -> Article | None: ...

    def article_ids(self) -> list[str]: ...

    def articles(self) -> Iterator[Article]: ...

    def stats(self) -> Stats: ...

    def generation(self) -> int: ...

    def writer(self, *, lock_timeout: float, procs: int = 1) -> EngineWriter: ...

    def close(self) -> None: ...


@runtime_checkable
class StoryEngine(Protocol):
    """What an engine declaring "stories" has besides ``Engine``'s members."""

    def stories(self) -> Stories: ...


@dataclass(frozen=True)
class MatchStream:
    """Every match of one search, matched already (``total`` documents, on index
    ``generation``), read one at a time from ``rows``."""

    total: int
    generation: int
    rows: Iterator[EngineMatch]


@runtime_checkable
class TimelineEngine(Engine, Protocol):
    """An engine declaring "timeline": ``search`` fills ``EngineResults.days``, and
    ``index_days`` counts every live article per publication day (normalising a timeline)."""

    def index_days(self) -> tuple[DayCount, ...]: ...


@runtime_checkable
class StreamingEngine(Engine, Protocol):
    """An engine declaring "stream": ``matches`` yields every matching document (filters of
    ``params`` applied, its page ignored) one at a time, in ``params.sort`` order with ties by
    article id then position, so memory stays flat however many match. ``article_ids``
    restricts matching to those articles (watches look only at what a commit changed);
    ``spans`` asks for match spans in each text. The matching is done before it returns (the
    count is known before the first row); the rows hold one generation until they end."""

    def matches(
        self,
        tree: Group,
        params: SearchParams,
        *,
        article_ids: frozenset[str] | None = None,
        spans: bool = False,
    ) -> MatchStream: ...


@runtime_checkable
class CheckableEngine(Engine, Protocol):
    """An engine declaring "check": it can verify its files and rebuild damaged ones. Opened
    in mode "check" it must open nothing that damage could break (``indexer.checking``)."""

    def check(self, *, repair: bool = False) -> CheckReport: ...


def needed_capabilities(node: Node) -> frozenset[str]:
    """The query constructs of ``node`` an engine must declare to run it."""
    if isinstance(node, Fuzzy):
        return frozenset({"fuzzy"})
    if isinstance(node, Prefix):
        return frozenset({"prefix"})
    if isinstance(node, Word | Phrase | Prefix | Fuzzy) and node.field == "lang":
        return frozenset({"lang"}) | needed_capabilities(replace(node, field=None))
    if isinstance(node, Word | Phrase | Prefix | Fuzzy) and (
        getattr(node, "field", None) == "speaker"
        or (isinstance(node, Word) and node.field == "kind" and node.text.lower() == "quote")
    ):
        return frozenset({"quotes"}) | (
            frozenset({"phrase"}) if isinstance(node, Phrase) else frozenset()
        )
    if isinstance(node, Phrase):
        return frozenset({"phrase"})
    if isinstance(node, Sloppy):
        return frozenset({"near"})
    if isinstance(node, Near | SameSentence):
        own = frozenset({"near" if isinstance(node, Near) else "sentence"})
        return own | needed_capabilities(node.left) | needed_capabilities(node.right)
    if isinstance(node, Side):
        return frozenset({"join"}) | needed_capabilities(node.group)
    if isinstance(node, Word) and node.field == "story":
        return frozenset({"stories"})
    if isinstance(node, DateSpan) and node.field == "crawled":
        return frozenset({"crawled"})
    children: tuple[Node, ...] = ()
    if isinstance(node, Group):
        children = node.optional + node.required + node.excluded
    elif hasattr(node, "children"):
        children = node.children
    elif hasattr(node, "child"):
        children = (node.child,)
    return frozenset().union(*(needed_capabilities(c) for c in children))


def check_capabilities(engine: Engine, tree: Group, kind: str | None = None) -> None:
    """QueryError when ``tree`` (or the ``kind`` filter) uses a construct ``engine`` does not
    declare."""
    needed = needed_capabilities(tree) | (frozenset({"quotes"}) if kind == "quote" else frozenset())
    missing = sorted(needed - engine.capabilities)
    if missing:
        raise QueryError(
            f"the {engine.name} engine cannot run {' or '.join(missing)} queries; "
            "rewrite the query without them"
        )


def check_sort(engine: Engine, sort: str) -> None:
    """QueryError (param ``sort``) when ``sort`` needs a capability ``engine`` lacks."""
    if sort == "crawled" and "crawled" not in engine.capabilities:
        raise QueryError(f"the {engine.name} engine cannot sort by crawl date", "sort")


#: What an engine is opened for (see the module docstring; "check": only ``check`` follows;
#: "stream": as "read", for one whole export: an engine may then read lazily to use less memory).
Mode = Literal["read", "write", "create", "check", "stream"]
#: ``opener(location, mode)``: the engine for a location of its scheme
Opener = Callable[[str, Mode], Engine]
_openers: dict[str, Opener] = {}
_openers_lock = threading.Lock()
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def register_engine(scheme: str, opener: Opener) -> None:
    """Let ``open_engine`` open ``scheme://...`` locations with ``opener(location, mode)``."""
    with _openers_lock:
        _openers[scheme.lower()] = opener


def _whoosh(location: str, mode: Mode) -> Engine:
    # imported here: Whoosh loads only when a Whoosh index is opened
    from .whoosh.engine import WhooshEngine

    return WhooshEngine(location, mode=mode)


def _sphinx(location: str, mode: Mode) -> Engine:
    # imported here: the sphinx engine (and PyMySQL, its optional dependency) loads only when
    # a sphinx:// location is opened
    from .sphinx.engine import SphinxEngine

    return SphinxEngine.open(location, mode)


register_engine("sphinx", _sphinx)


def open_engine(location: str | os.PathLike[str], mode: Mode = "read") -> Engine:
    """The engine for ``location``: a plain path is a Whoosh index directory, ``scheme://...``
    the engine registered for the scheme. ``mode`` says what for (``Mode``); a missing index
    raises ``IndexNotFound`` unless it is "create"."""
    text = os.fspath(location)
    found = _SCHEME.match(text)
    if found is None:
        return _whoosh(text, mode)
    scheme = found.group(1).lower()
    with _openers_lock:
        opener = _openers.get(scheme)
        known = ", ".join(sorted(_openers)) or "none"
    if opener is None:
        raise NewsfindError(
            f"{text}: no search engine is registered for {scheme}:// (registered: {known}; "
            "a plain directory path is a Whoosh index)"
        )
    return opener(text, mode)
