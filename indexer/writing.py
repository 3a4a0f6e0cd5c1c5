"""Writing the index: adding, updating and deleting articles, one writer at a time, on any
engine (``engine.base.EngineWriter``).

Every article's documents are replaced at once, and commits are atomic, so a reader (or a
crash) never sees half an article. Commits happen every ``batch_articles`` articles so memory
stays bounded on inputs of any size. The engine stores each article's content hash with its
document count, and a re-run writes again any article whose live documents do not number it.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from .engine.base import BufferingWriter, Engine, EngineWriter, open_engine
from .errors import ArticleNotWritten, ParseError, WorkerDied
from .lineage.fingerprint import fingerprint
from .model import Article

__all__ = [
    "IndexReport",
    "ArticleWriter",
    "index_articles",
    "delete_articles",
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_BATCH_ARTICLES",
    "DEFAULT_COMMIT_SECONDS",
    "DEFAULT_PROCS",
]

#: Articles per commit. Every commit leaves a segment per writing process, and Whoosh never
#: merges large ones, so searches slow down with their number: at a million passages (two
#: workers) 10,000-article batches left 34 segments and 50,000 leave 8, warm p50 58.5 -> 43.8 ms
#: and p95 877 -> 568 ms on the same queries with the same results (docs/performance.md);
#: merging afterwards costs about as much as indexing again. Memory does not grow with the
#: batch (the writers spill to disk past ``limitmb``; 520 MiB for the process tree at a million
#: passages); a crash loses at most one batch, which the next run indexes again.
DEFAULT_BATCH_ARTICLES = 50_000

#: Seconds after which a batch is committed however few articles it holds, so a crash or a
#: power cut loses minutes of work, not the run. Not less: every commit leaves a segment per
#: writing process, and searches slow down with their number. At 200,000 passages on a machine
#: shared with other work (a 940 s run), 60 s commits left 9 segments instead of 2 and warm p50
#: went 25.7 -> 38.0 ms (docs/reliability.md). At the usual pace (1,300 passages a second) a
#: 50,000-article batch commits by count well within ten minutes, so only slow runs commit by time.
DEFAULT_COMMIT_SECONDS = 600.0

#: Writing processes ``newsfind index`` uses by default: one per core, up to 4 (each leaves a
#: segment per commit, and more segments make searches slower).
DEFAULT_PROCS = max(1, min(os.cpu_count() or 1, 4))

#: How long a writer waits for another one to finish before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 30.0

#: Articles read ahead for an engine that looks up stored hashes many at a time.
PREFETCH_ARTICLES = 500

Outcome = Literal["added", "updated", "unchanged", "failed"]


@dataclass
class IndexReport:
    """What one ``index`` run did; ``errors`` holds one line per input that failed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    documents: int = 0
    errors: list[str] = field(default_factory=list)
    #: documents added but not yet committed (for progress; not part of the summary)
    uncommitted: int = 0

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "documents": self.documents,
            "errors": list(self.errors),
        }


class CommitHooks(Protocol):
    """Called around each commit of an index run (the watches journal and run, ``watches``)."""

    def before_commit(self, article_ids: Sequence[str]) -> None: ...

    def after_commit(self) -> None: ...


class ArticleWriter:
    """Adds articles to an index in batched, atomic commits. Use as a context manager.

    ``add`` decides per article whether it is new, changed (all old documents replaced) or
    unchanged (nothing written), by comparing a content hash stored with its documents (and
    checking they are all there). ``report`` counts only what was committed; a writing process
    that dies cancels the batch and raises ``WorkerDied``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        batch_articles: int = DEFAULT_BATCH_ARTICLES,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        procs: int = 1,
        fingerprints: bool = True,
        hooks: CommitHooks | None = None,
        commit_seconds: float | None = DEFAULT_COMMIT_SECONDS,
    ) -> None:
        self.path = os.fspath(path)
        self.hooks = hooks
        self.batch_articles = batch_articles
        #: commit a batch this many seconds after it began (None: only every batch_articles)
        self.commit_seconds = commit_seconds
        self._batch_began = time.monotonic()
        self.procs = procs
        self.lock_timeout = lock_timeout
        self.report = IndexReport()
        # added, updated and documents of the uncommitted batch, moved to ``report`` at commit
        self._batch = IndexReport()
        self._engine: Engine = open_engine(self.path, "create")
        # fingerprints are stored only where the engine keeps them (docs/lineage.md); off only
        # for benchmarks.lineage, which measures what they cost
        self._stories = fingerprints and "stories" in self._engine.capabilities
        self._writer: EngineWriter | None = None
        # article id -> content hash of what this uncommitted batch already holds
        self._pending: dict[str, str] = {}
        # article id -> (outcome, documents) of the uncommitted batch (a buffering engine may
        # fail an article after ``replace`` accepted it)
        self._outcomes: dict[str, tuple[Outcome, int]] = {}

    def __enter__(self) -> ArticleWriter:
        self._begin()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.cancel()
        finally:
            self._engine.close()

    def _begin(self) -> None:
        self._writer = self._engine.writer(lock_timeout=self.lock_timeout, procs=self.procs)
        self._pending = {}
        self._outcomes = {}
        self._batch_began = time.monotonic()

    @property
    def buffering(self) -> bool:
        """Whether the engine writes articles in batches (then ``prefetch`` pays)."""
        if self._writer is None:
            self._begin()
        return isinstance(self._writer, BufferingWriter)

    def prefetch(self, article_ids: Sequence[str]) -> None:
        """Hint the articles about to be added, so a buffering engine asks for their stored
        hashes at once."""
        if isinstance(self._writer, BufferingWriter):
            self._writer.prefetch([a for a in article_ids if a not in self._pending])

    def _take_failures(self) -> None:
        """Count as failed, not added, the articles a buffering engine could not write."""
        if not isinstance(self._writer, BufferingWriter):
            return
        for exc in self._writer.take_failures():
            outcome, documents = self._outcomes.pop(exc.article_id, ("failed", 0))
            self._pending.pop(exc.article_id, None)
            self._batch.added -= outcome == "added"
            self._batch.updated -= outcome == "updated"
            self._batch.documents -= documents
            self.report.uncommitted = self._batch.documents
            self.fail(str(exc))

    def add(self, article: Article) -> Outcome:
        """Add or replace one article; the change becomes visible at the next commit."""
        if self._writer is None:
            self._begin()
        assert self._writer is not None
        if article.captures:
            article = self._with_earlier_captures(article)
        digest = article.content_hash()
        if self._pending.get(article.id, digest) != digest:
            # a second, different version in this batch: the writer cannot delete documents it
            # has not committed yet, so commit the first version before replacing it
            self.commit()
            self._begin()
            assert self._writer is not None
        try:
            if article.id in self._pending:
                previous: str | None = self._pending[article.id]
            else:
                previous = self._writer.stored_hash(article.id)
            if previous == digest:
                self.report.unchanged += 1
                return "unchanged"
            if self._stories:
                documents = self._writer.replace(article, digest, lineage=fingerprint(article))
            else:
                documents = self._writer.replace(article, digest)
        except WorkerDied as exc:
            raise self._abandon(exc, 1) from None
        except ArticleNotWritten as exc:
            # only this article's part of the index is away: the rest of the run goes on
            self.fail(str(exc))
            return "failed"
        self._batch.documents += documents
        self.report.uncommitted = self._batch.documents
        self._pending[article.id] = digest
        outcome: Outcome = "added" if previous is None else "updated"
        if outcome == "added":
            self._batch.added += 1
        else:
            self._batch.updated += 1
        self._outcomes[article.id] = (outcome, documents)
        self._take_failures()
        if len(self._pending) >= self.batch_articles or self._batch_is_old():
            self.commit()
            self._begin()
        return outcome

    def _with_earlier_captures(self, article: Article) -> Article:
        """``article`` with the captures its stored version already has: a page crawled again
        (another archive of a crawl, a later run) is another capture of one article, and the
        text of the newest capture read wins."""
        assert self._writer is not None
        if article.id in self._pending:
            self.commit()  # the batch's version must be readable
            self._begin()
        elif self._writer.stored_hash(article.id) is None:
            return article
        stored = self._engine.article(article.id)
        if stored is None or set(stored.captures) <= set(article.captures):
            return article
        return replace(article, captures=tuple(sorted({*stored.captures, *article.captures})))

    def _batch_is_old(self) -> bool:
        limit = self.commit_seconds
        return limit is not None and time.monotonic() - self._batch_began >= limit

    def fail(self, error: ParseError | str) -> None:
        """Record an input that could not be indexed."""
        self.report.failed += 1
        self.report.errors.append(str(error))

    def commit(self) -> None:
        """Make everything added so far visible, atomically (an empty batch writes nothing)."""
        if self._writer is not None and not self._pending:
            self.cancel()
        if self._writer is not None:
            if self.hooks is not None:
                self.hooks.before_commit(list(self._pending))
            try:
                self._writer.commit()
            except WorkerDied as exc:
                raise self._abandon(exc) from None
            self._take_failures()
            self._writer = None
            self._pending = {}
            self.report.added += self._batch.added
            self.report.updated += self._batch.updated
            self.report.documents += self._batch.documents
            self.report.uncommitted = 0
            self._batch = IndexReport()
            if self.hooks is not None:
                self.hooks.after_commit()

    def cancel(self) -> None:
        """Drop everything since the last commit."""
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
            self._pending = {}
            self._batch = IndexReport()
            self.report.uncommitted = 0

    def _abandon(self, exc: WorkerDied, adding: int = 0) -> WorkerDied:
        """Cancel the batch a dead writing process broke; the error to raise, with the batch's
        size (``adding``: the article being added when it broke, not yet in ``_pending``)."""
        lost = len(self._pending) + adding
        self.cancel()
        return exc.with_batch(lost)


def index_articles(
    path: str | os.PathLike[str],
    items: Iterable[Article | ParseError],
    *,
    on_article: Callable[[IndexReport], None] | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    batch_articles: int = DEFAULT_BATCH_ARTICLES,
    procs: int = 1,
    hooks: CommitHooks | None = None,
    commit_seconds: float | None = DEFAULT_COMMIT_SECONDS,
) -> IndexReport:
    """Index a stream of articles (ParseErrors in it are counted as failed inputs). With
    ``procs`` above 1, that many sub-processes analyse and write the documents (one segment
    each per commit), using more cores (``parallel``). A batch is committed every
    ``batch_articles`` articles and every ``commit_seconds`` seconds, whichever comes first."""
    with ArticleWriter(
        path,
        lock_timeout=lock_timeout,
        batch_articles=batch_articles,
        procs=procs,
        commit_seconds=commit_seconds,
        hooks=hooks,
    ) as writer:
        for chunk in _ahead(items, PREFETCH_ARTICLES if writer.buffering else 1):
            writer.prefetch([a.id for a in chunk if isinstance(a, Article)])
            for item in chunk:
                if isinstance(item, ParseError):
                    writer.fail(item)
                else:
                    writer.add(item)
                if on_article is not None:
                    on_article(writer.report)
    return writer.report


def _ahead(items: Iterable[Article | ParseError], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (1 for an engine that writes as it goes, so a slow
    stream is indexed as it comes)."""
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def delete_articles(
    path: str | os.PathLike[str],
    article_ids: Iterable[str],
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> tuple[list[str], list[str]]:
    """Delete articles and all their documents in one commit: ``(deleted, unknown ids)``."""
    engine = open_engine(path, "write")
    deleted: list[str] = []
    missing: list[str] = []
    try:
        writer = engine.writer(lock_timeout=lock_timeout)
        try:
            for article_id in article_ids:
                (deleted if writer.delete(article_id) else missing).append(article_id)
        except BaseException:
            writer.cancel()
            raise
        if deleted:
            writer.commit()
        else:
            writer.cancel()
    finally:
        engine.close()
    return deleted, missing
