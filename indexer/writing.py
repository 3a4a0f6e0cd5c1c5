"""Writing the index: adding, updating and deleting articles, one writer at a time.

Every article's documents go in with the deletion of its previous version inside one Whoosh
commit, and commits are atomic, so a reader (or a crash) never sees half an article. Commits
happen every ``batch_articles`` articles so memory stays bounded on inputs of any size. Each
document stores its article's content hash with the article's document count, and a re-run
writes again any article whose live documents do not number that count.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from .engine.whoosh.documents import article_documents
from .engine.whoosh.parallel import ParallelWriter, parallel_supported
from .engine.whoosh.schema import make_schema
from .errors import IndexLocked, IndexNotFound, ParseError, WorkerDied
from .model import Article

__all__ = [
    "IndexReport",
    "ArticleWriter",
    "index_articles",
    "delete_articles",
    "open_whoosh",
    "create_whoosh",
    "index_exists",
    "DEFAULT_LOCK_TIMEOUT",
    "DEFAULT_BATCH_ARTICLES",
    "DEFAULT_PROCS",
    "MERGE_BELOW_DOCS",
    "merge_small_segments",
]

_log = logging.getLogger("newsfind")

#: Articles per commit. Every commit leaves a segment per writing process, and Whoosh never
#: merges large ones, so searches slow down with their number: at a million passages (two
#: workers) 10,000-article batches left 34 segments and 50,000 leave 8, warm p50 58.5 -> 43.8 ms
#: and p95 877 -> 568 ms on the same queries with the same results (docs/performance.md);
#: merging afterwards costs about as much as indexing again. Memory does not grow with the
#: batch (the writers spill to disk past ``limitmb``; 520 MiB for the process tree at a million
#: passages); a crash loses at most one batch, which the next run indexes again.
DEFAULT_BATCH_ARTICLES = 50_000

#: At a commit, segments with fewer documents than this are merged into the new one; larger ones
#: are left alone. Whoosh's default policy (MERGE_SMALL) merges every segment below a Fibonacci
#: bound of the running total, which with many segments of similar size (a million passages in
#: 10,000-article batches from two workers: 28 segments of ~30,000) merged 27 at once, in one
#: process, for 15 of a 28-minute run (docs/performance.md). Small daily batches still fold
#: together; bulk segments stay as written.
MERGE_BELOW_DOCS = 20_000

#: Writing processes ``newsfind index`` uses by default: one per core, up to 4 (each leaves a
#: segment per commit, and more segments make searches slower).
DEFAULT_PROCS = max(1, min(os.cpu_count() or 1, 4))

#: Whoosh's default index name, which every index here has (its files are ``MAIN_*``).
_INDEX_NAME = "MAIN"

#: How long a writer waits for another one to finish before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 30.0

Outcome = Literal["added", "updated", "unchanged"]


@dataclass
class IndexReport:
    """What one ``index`` run did; ``errors`` holds one line per input that failed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    documents: int = 0
    errors: list[str] = field(default_factory=list)

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


def index_exists(path: str | os.PathLike[str]) -> bool:
    return Path(path).is_dir() and whoosh_index.exists_in(str(path))


def open_whoosh(path: str | os.PathLike[str]) -> whoosh_index.Index:
    """Open an existing index, or raise IndexNotFound."""
    if not index_exists(path):
        raise IndexNotFound(str(path))
    return whoosh_index.open_dir(str(path))


def create_whoosh(path: str | os.PathLike[str]) -> whoosh_index.Index:
    """Open the index at ``path``, creating the directory and an empty index when needed.

    Two runs starting on a new directory at once would both find no index and both create one
    (Whoosh then refuses the second table of contents: "File '_MAIN_0.toc' exists"), so the
    creation holds the index's write lock and looks again once it has it.
    """
    if index_exists(path):
        return whoosh_index.open_dir(str(path))
    Path(path).mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(path)).lock(f"{_INDEX_NAME}_WRITELOCK")
    lock.acquire(blocking=True)
    try:
        if index_exists(path):
            return whoosh_index.open_dir(str(path))
        return whoosh_index.create_in(str(path), make_schema())
    finally:
        lock.release()


def _note_interrupted_run(ix: whoosh_index.Index, path: str) -> None:
    """Say so when the last writer was killed: Whoosh removes its temp storage on commit or
    cancel, so finding it while nobody holds the lock means a writer died mid-batch. Its lock
    was an flock, which the kernel dropped with the process, so there is nothing to break; the
    next commit removes its leftover files."""
    if not (Path(path) / f"{ix.indexname}.tmp").exists():
        return
    probe = ix.lock("WRITELOCK")
    if not probe.acquire(False):
        return  # a live writer is using it
    probe.release()
    _log.warning(
        "%s: the previous index run was interrupted before it finished; its stale lock is "
        "gone, its uncommitted articles were not saved, and its leftover files are removed "
        "at this run's commit",
        path,
    )


def _lock_holders(lock_file: Path) -> list[int]:
    """Process ids holding an flock on ``lock_file`` (Linux /proc/locks; empty elsewhere)."""
    try:
        inode = lock_file.stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids = []
    for line in lines:
        parts = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5].endswith(f":{inode}"):
            pids.append(int(parts[4]))
    return pids


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: fold the segments under MERGE_BELOW_DOCS into the one being written,
    keep the rest (so there is at most one small segment after any commit)."""
    small = [s for s in segments if s.doc_count_all() < MERGE_BELOW_DOCS]
    if not small:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s.doc_count_all() >= MERGE_BELOW_DOCS]


def _writer(ix: whoosh_index.Index, path: str, timeout: float, procs: int = 1) -> IndexWriter:
    _note_interrupted_run(ix, path)
    try:
        if procs > 1 and parallel_supported():
            # each sub-process has a pool of its own; together they stay near the single
            # writer's memory
            return ParallelWriter(
                ix, procs=procs, timeout=timeout, delay=0.25, limitmb=max(64, 256 // procs)
            )
        # limitmb bounds the in-memory pool before it spills to disk
        return ix.writer(timeout=timeout, delay=0.25, limitmb=256)
    except LockError:
        holders = _lock_holders(Path(path) / f"{ix.indexname}_WRITELOCK")
        held_by = f" (held by process {', '.join(map(str, holders))})" if holders else ""
        raise IndexLocked(
            f"{path}: another process is writing to this index{held_by}; waited {timeout:g} s "
            "(try again when it has finished)"
        ) from None


def _stamp(digest: str, documents: int) -> str:
    """What each document of an article stores as ``content_hash``: the article's hash and
    how many documents it has. The count lets a later run see that some are missing (issue 19:
    a dead worker's part of a batch was lost, the rest committed, and the hash alone then said
    "unchanged" for ever). Kept in the one stored string: no schema change."""
    return f"{digest}:{documents}"


def _verified(stamp: object, live: int) -> str:
    """The content hash in ``stamp`` when the article's ``live`` documents number the count
    stored with it, else "" (an article to write again). A stamp without a count comes from an
    index built before counts were stored, by the writer that could lose documents without a
    word; it cannot be checked, so such an article is written again, once."""
    digest, sep, count = str(stamp or "").rpartition(":")
    if not sep or not count.isdigit() or int(count) != live:
        return ""
    return digest


def _release_mappings() -> None:
    """Unmap the segment files a batch read (its look-up reader, small segments folded at the
    commit). whoosh3 unmaps them when their readers close; whoosh-reloaded 2.7.5 cannot while
    views into a mapping are alive, and those sit in reference cycles, so without a collection
    the pages (and the disk space of merged-away files) stay until some later one. Once per
    commit: 20-30 ms with the modules a writer loads and a million-passage run's ids."""
    gc.collect()


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
    ) -> None:
        self.path = str(path)
        self.batch_articles = batch_articles
        self.procs = procs
        self.lock_timeout = lock_timeout
        self.report = IndexReport()
        # added, updated and documents of the uncommitted batch, moved to ``report`` at commit
        self._batch = IndexReport()
        self._ix = create_whoosh(self.path)
        self._writer: IndexWriter | None = None
        self._reader: Any = None
        # article id -> content hash of what this uncommitted batch already holds
        self._pending: dict[str, str] = {}
        # While the index holds only what this writer committed (it started empty and no other
        # process has committed since), an article absent from ``_committed`` cannot be stored,
        # so a bulk load into a new index never opens a reader to look (see ``_stored_hash``).
        self._committed: set[str] | None = None
        self._generation = -1
        if self._ix.doc_count_all() == 0:
            self._committed = set()
            self._generation = self._ix.latest_generation()

    def __enter__(self) -> ArticleWriter:
        self._begin()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()

    def _begin(self) -> None:
        self._writer = _writer(self._ix, self.path, self.lock_timeout, self.procs)
        if self._writer.generation - 1 != self._generation:
            # another process committed since our last commit: look everything up from now on
            self._committed = None
        self._pending = {}

    def _stored_hash(self, article_id: str) -> str | None:
        """The content hash of the stored version, "" when its documents are not all there
        (``_verified``), None when the article is not stored."""
        if article_id in self._pending:
            return self._pending[article_id]
        if self._committed is not None and article_id not in self._committed:
            return None
        if self._reader is None:
            assert self._writer is not None
            # the writer's reader sees the last commit, which is what "unchanged" compares with;
            # it maps every segment, so it is opened only when needed and closed at the commit
            self._reader = self._writer.reader()
        reader = self._reader
        if ("article_id", article_id) not in reader:
            return None
        deletions = reader.has_deletions()
        live = [
            docnum
            for docnum in reader.postings("article_id", article_id).all_ids()
            if not (deletions and reader.is_deleted(docnum))
        ]
        if not live:
            return None
        return _verified(reader.stored_fields(live[0]).get("content_hash"), len(live))

    def add(self, article: Article) -> Outcome:
        """Add or replace one article; the change becomes visible at the next commit."""
        if self._writer is None:
            self._begin()
        assert self._writer is not None
        digest = article.content_hash()
        if self._pending.get(article.id, digest) != digest:
            # a second, different version in this batch: the writer cannot delete documents it
            # has not committed yet, so commit the first version before replacing it
            self.commit()
            self._begin()
            assert self._writer is not None
        previous = self._stored_hash(article.id)
        if previous == digest:
            self.report.unchanged += 1
            return "unchanged"
        if previous is not None:
            self._writer.delete_by_term("article_id", article.id)
        documents = article_documents(article, digest)
        stamp = _stamp(digest, len(documents))
        try:
            for doc in documents:
                doc["content_hash"] = stamp
                self._writer.add_document(**doc)
        except WorkerDied as exc:
            raise self._abandon(exc, 1) from None
        self._batch.documents += len(documents)
        self._pending[article.id] = digest
        outcome: Outcome = "added" if previous is None else "updated"
        if outcome == "added":
            self._batch.added += 1
        else:
            self._batch.updated += 1
        if len(self._pending) >= self.batch_articles:
            self.commit()
            self._begin()
        return outcome

    def fail(self, error: ParseError | str) -> None:
        """Record an input that could not be indexed."""
        self.report.failed += 1
        self.report.errors.append(str(error))

    def commit(self) -> None:
        """Make everything added so far visible, atomically (an empty batch writes nothing)."""
        if self._writer is not None and not self._pending:
            self.cancel()
        if self._writer is not None:
            self._close_reader()
            try:
                self._writer.commit(mergetype=merge_small_segments)
            except WorkerDied as exc:
                raise self._abandon(exc) from None
            self._generation = self._writer.generation
            if self._committed is not None:
                self._committed.update(self._pending)
            self._writer = None
            self._pending = {}
            self.report.added += self._batch.added
            self.report.updated += self._batch.updated
            self.report.documents += self._batch.documents
            self._batch = IndexReport()
            _release_mappings()

    def cancel(self) -> None:
        """Drop everything since the last commit."""
        if self._writer is not None:
            self._close_reader()
            self._writer.cancel()
            self._writer = None
            self._pending = {}
            self._batch = IndexReport()
            _release_mappings()

    def _abandon(self, exc: WorkerDied, adding: int = 0) -> WorkerDied:
        """Cancel the batch a dead writing process broke; the error to raise, with the batch's
        size (``adding``: the article being added when it broke, not yet in ``_pending``)."""
        lost = len(self._pending) + adding
        self.cancel()
        return exc.with_batch(lost)

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def index_articles(
    path: str | os.PathLike[str],
    items: Iterable[Article | ParseError],
    *,
    on_article: Callable[[IndexReport], None] | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    batch_articles: int = DEFAULT_BATCH_ARTICLES,
    procs: int = 1,
) -> IndexReport:
    """Index a stream of articles (ParseErrors in it are counted as failed inputs). With
    ``procs`` above 1, that many sub-processes analyse and write the documents (one segment
    each per commit), using more cores (``parallel``)."""
    with ArticleWriter(
        path, lock_timeout=lock_timeout, batch_articles=batch_articles, procs=procs
    ) as writer:
        for item in items:
            if isinstance(item, ParseError):
                writer.fail(item)
            else:
                writer.add(item)
            if on_article is not None:
                on_article(writer.report)
    return writer.report


def delete_articles(
    path: str | os.PathLike[str],
    article_ids: Iterable[str],
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> tuple[list[str], list[str]]:
    """Delete articles and all their documents in one commit: ``(deleted, unknown ids)``."""
    ix = open_whoosh(path)
    writer = _writer(ix, str(path), lock_timeout)
    deleted: list[str] = []
    missing: list[str] = []
    try:
        for article_id in article_ids:
            if writer.delete_by_term("article_id", article_id):
                deleted.append(article_id)
            else:
                missing.append(article_id)
    except BaseException:
        writer.cancel()
        raise
    if deleted:
        writer.commit(mergetype=merge_small_segments)
    else:
        writer.cancel()
    return deleted, missing
