"""Writing a Whoosh index: creating it, the write lock, the merge policy, and one batch of
changes (``WhooshWriter``, the engine's ``EngineWriter``).

Every article's documents go in with the deletion of its previous version inside one Whoosh
commit, and commits are atomic, so a reader (or a crash) never sees half an article. Each
document stores its article's content hash with the article's document count, and a re-run
writes again any article whose live documents do not number that count.
"""

from __future__ import annotations

import errno
import gc
import logging
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, LockError
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from ...errors import (
    DiskFull,
    IndexCorrupt,
    IndexLocked,
    IndexNotFound,
    NewsfindError,
    WorkerDied,
)
from ...model import Article
from .documents import article_documents
from .integrity import (
    INDEX_NAME,
    guarded,
    missing_toc,
    record_commit,
    recording,
    remove_orphans,
    verify_on_open,
)
from .parallel import ParallelWriter, parallel_supported
from .schema import make_schema

__all__ = [
    "MERGE_BELOW_DOCS",
    "WhooshWriter",
    "WriteState",
    "create_whoosh",
    "index_exists",
    "merge_small_segments",
    "open_whoosh",
]

_log = logging.getLogger("newsfind")

#: At a commit, segments with fewer documents than this are merged into the new one; larger ones
#: are left alone. Whoosh's default policy (MERGE_SMALL) merges every segment below a Fibonacci
#: bound of the running total, which with many segments of similar size (a million passages in
#: 10,000-article batches from two workers: 28 segments of ~30,000) merged 27 at once, in one
#: process, for 15 of a 28-minute run (docs/performance.md). Small daily batches still fold
#: together; bulk segments stay as written.
MERGE_BELOW_DOCS = 20_000

#: Whoosh's default index name, which every index here has (its files are ``MAIN_*``).
_INDEX_NAME = INDEX_NAME


def index_exists(path: str | os.PathLike[str]) -> bool:
    return Path(path).is_dir() and whoosh_index.exists_in(str(path))


def _existing(path: str | os.PathLike[str]) -> bool:
    """Whether an index is at ``path``: IndexCorrupt when a file the last commit wrote is
    missing or of another size (its bytes too, after a crash: ``integrity``)."""
    if not Path(path).is_dir():
        return False
    verify_on_open(path)
    with guarded(path):
        if index_exists(path):
            return True
    lost = missing_toc(Path(path))
    if lost is not None:
        raise IndexCorrupt(str(path), lost.file, lost.problem)
    return False


def open_whoosh(path: str | os.PathLike[str]) -> whoosh_index.Index:
    """Open an existing index, or raise IndexNotFound (IndexCorrupt when damaged)."""
    if not _existing(path):
        raise IndexNotFound(str(path))
    with guarded(path):
        return whoosh_index.open_dir(str(path))


def create_whoosh(path: str | os.PathLike[str]) -> whoosh_index.Index:
    """Open the index at ``path``, creating the directory and an empty index when needed.

    Two runs starting on a new directory at once would both find no index and both create one
    (Whoosh then refuses the second table of contents: "File '_MAIN_0.toc' exists"), so the
    creation holds the index's write lock and looks again once it has it.
    """
    if Path(path).exists() and not Path(path).is_dir():
        raise NewsfindError(
            f"{path} is a file, not an index directory: give --index a directory (a new one "
            "is created)"
        )
    if _existing(path):
        with guarded(path):
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


def _add_new_fields(ix: whoosh_index.Index, timeout: float) -> None:
    """Give an index written before a field existed (the quote fields; issue 17's ``modified``
    and ``language``) the fields of today's schema, in a commit of its own: the documents
    written next need them, and readers of the old documents see the new fields empty."""
    missing = [(n, f) for n, f in make_schema().items() if n not in ix.schema]
    if not missing:
        return
    writer = ix.writer(timeout=timeout, delay=0.25)
    for name, field in missing:
        writer.add_field(name, field)
    writer.commit()


def _writer(ix: whoosh_index.Index, path: str, timeout: float, procs: int = 1) -> IndexWriter:
    _note_interrupted_run(ix, path)
    try:
        _add_new_fields(ix, timeout)
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


#: What a full filesystem (or quota, or file size limit) says, in this process or a worker's.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_NO_SPACE_TEXT = tuple(f"[Errno {n}]" for n in _NO_SPACE)

R = TypeVar("R")


def _space_checked(path: str, step: Callable[[], R]) -> R:
    """``step()``, with a full disk turned into ``DiskFull`` whichever process hit it (a
    writing sub-process reports its error as text in ``WorkerDied``)."""
    try:
        return step()
    except OSError as exc:
        if exc.errno in _NO_SPACE:
            raise DiskFull(path) from None
        raise
    except WorkerDied as exc:
        if any(text in exc.how for text in _NO_SPACE_TEXT):
            raise DiskFull(path) from None
        raise


def _record(ix: whoosh_index.Index, path: str, generation: int) -> None:
    """The commit's checksums record (``integrity``); a newer commit may already have replaced
    this one, and then records itself."""
    try:
        toc = TOC.read(ix.storage, INDEX_NAME)
        if toc.generation == generation:
            record_commit(path, generation, {s.segment_id() for s in toc.segments})
    except FileNotFoundError:
        pass


def _drop(writer: Any) -> None:
    """What a failed ``cancel`` left undone: the temporary storage and the lock."""
    try:
        writer._tempstorage.destroy()
    except OSError:
        pass
    if writer.writelock:
        writer.writelock.release()
    writer.is_closed = True


def _remove_orphans(ix: whoosh_index.Index, path: str) -> None:
    """Delete the files a cancelled batch left (Whoosh removes unused segments only when it
    commits, so every no-op run left its segment behind), under the write lock, so that no
    other writer's new files are taken for orphans."""
    lock = ix.lock("WRITELOCK")
    if not lock.acquire(False):
        return  # another writer came first: its commit removes them
    try:
        remove_orphans(path, {s.segment_id() for s in TOC.read(ix.storage, INDEX_NAME).segments})
    except OSError:
        pass
    finally:
        lock.release()


class WriteState:
    """What an engine's successive writers know across their batches: while the index holds
    only what they committed (it started empty and no other process has committed since), an
    article absent from ``committed`` cannot be stored, so a bulk load into a new index never
    opens a reader to look (``WhooshWriter.stored_hash``)."""

    def __init__(self, ix: whoosh_index.Index) -> None:
        self.committed: set[str] | None = None
        self.generation = -1
        if ix.doc_count_all() == 0:
            self.committed = set()
            self.generation = ix.latest_generation()


class WhooshWriter:
    """One batch of changes to a Whoosh index, holding its write lock until the commit."""

    def __init__(
        self,
        ix: whoosh_index.Index,
        path: str,
        state: WriteState,
        *,
        lock_timeout: float,
        procs: int = 1,
    ) -> None:
        self._state = state
        self._ix = ix
        self._path = path
        self._writer: IndexWriter = _space_checked(
            path, lambda: _writer(ix, path, lock_timeout, procs)
        )
        if self._writer.generation - 1 != state.generation:
            # another process committed since our last commit: look everything up from now on
            state.committed = None
        self._reader: Any = None
        # article id -> whether its last committed version is stored (from ``stored_hash``)
        self._stored: dict[str, bool] = {}
        self._added: set[str] = set()

    def __enter__(self) -> WhooshWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()

    def stored_hash(self, article_id: str) -> str | None:
        """The content hash of the stored version, "" when its documents are not all there
        (``_verified``), None when the article is not stored."""
        found = self._lookup(article_id)
        self._stored[article_id] = found is not None
        return found

    def _lookup(self, article_id: str) -> str | None:
        committed = self._state.committed
        if committed is not None and article_id not in committed:
            return None
        if self._reader is None:
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

    def replace(self, article: Article, digest: str, *, lineage: str | None = None) -> int:
        """Delete the article's stored documents (when ``stored_hash`` found some, or was not
        asked) and add its new ones; how many it has. The writer cannot delete documents it has
        not committed, so an article is replaced at most once a batch (``ArticleWriter``)."""
        return _space_checked(self._path, lambda: self._replace(article, digest, lineage))

    def _replace(self, article: Article, digest: str, lineage: str | None) -> int:
        if self._stored.get(article.id, True):
            self._writer.delete_by_term("article_id", article.id)
        if "lineage" not in self._writer.schema:
            lineage = None  # an index made before stories: its articles stand alone
        documents = article_documents(article, digest, lineage)
        stamp = _stamp(digest, len(documents))
        for doc in documents:
            doc["content_hash"] = stamp
            self._writer.add_document(**doc)
        self._added.add(article.id)
        return len(documents)

    def delete(self, article_id: str) -> bool:
        return bool(self._writer.delete_by_term("article_id", article_id))

    def commit(self) -> None:
        self._close_reader()
        _space_checked(self._path, self._commit_and_record)
        if self._state.committed is not None:
            self._state.committed.update(self._added)
        _release_mappings()

    def _commit_and_record(self) -> None:
        with recording(self._path):
            self._writer.commit(mergetype=merge_small_segments)
            self._state.generation = self._writer.generation
            _record(self._ix, self._path, self._writer.generation)

    def cancel(self) -> None:
        self._close_reader()
        try:
            self._writer.cancel()
        except OSError as exc:
            # closing the batch's segment writes to it: on a full disk that fails too
            if exc.errno not in _NO_SPACE:
                raise
            _drop(self._writer)
        _remove_orphans(self._ix, self._path)
        _release_mappings()

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
