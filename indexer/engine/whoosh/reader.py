"""Reading a Whoosh index: a pool of searchers per committed generation, shared by threads.

Searches run at once, each on a searcher of its own: a Whoosh reader reads its files by seeking
and then reading, so two threads on one searcher read each other's bytes ("damaged postings
block"). Each committed generation keeps a pool of searchers (``_Generation``): a search takes an
idle one or, when all are busy, opens another, and gives it back when done; nothing is held
across the index while a search runs. The searchers of a generation share the segments' bytes
(``_SegmentFiles``) and every cache (columns, scorer figures, postings), so another searcher costs
little. When another process commits, the first search to notice opens and warms the new
generation: searches already running carry on with the previous one, which is closed, caches
and all, when its last search returns, and searches that start meanwhile wait for the open, up to
``OPEN_WAIT``, then read the previous one rather than stall.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.index import TOC
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from ...results import Stats
from .arrays.term_scores import release_caches, share_caches
from .columns import columns
from .integrity import verify_on_open
from .stories import story_codes

__all__ = ["OPEN_WAIT", "Reader"]


class _SegmentFiles:
    """One segment's files, read into memory once and shared by every reader of the segment.

    Whoosh's compound storage gives each reader a view of its memory map, and the reader's
    BytesIO copies it, so every searcher held its own copy of the terms, postings and stored
    fields (an extra searcher cost 64 MB of PSS on Reuters' 130 MB index, RSS twice that). A
    BytesIO over ``bytes`` shares them, so here a reader is only a position over bytes read once,
    and a pool of searchers, and every generation that keeps the segment, share one copy. A
    segment's files never change once written (deletions live in the table of contents), so they
    are read whole when the segment is first opened; a segment that is not a compound file (not
    what the index writes) is read through the index's storage as Whoosh reads it.

    Readers call ``close`` on their storage, which does nothing here: the last generation using
    the segment calls ``release``.
    """

    def __init__(self, storage: Any, segment: Any) -> None:
        self._storage = storage
        self._bytes: dict[str, bytes] = {}
        #: what is kept for this segment across generations (``term_scores.segment_cache``)
        self.segment_cache: dict[Any, Any] = {}
        self.users = 0
        #: the file's identity, to share it with later generations (None: not shared)
        self.key: tuple[Any, ...] | None = None
        if segment.is_compound():
            with storage.open_file(segment.make_filename(segment.COMPOUND_EXT)) as dbfile:
                st = os.fstat(dbfile.fileno())
                self.key = (segment.segment_id(), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
                compound = CompoundStorage(dbfile, use_mmap=False)
                for name in compound.list():
                    offset, length = compound.range(name)
                    self._bytes[name] = os.pread(dbfile.fileno(), length, offset)

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> Any:
        data = self._bytes.get(name)
        if data is None:
            return self._storage.open_file(name, *args, **kwargs)
        return BufferFile(data, name=name)

    def file_exists(self, name: str) -> bool:
        return name in self._bytes or bool(self._storage.file_exists(name))

    def file_length(self, name: str) -> int:
        data = self._bytes.get(name)
        return len(data) if data is not None else int(self._storage.file_length(name))

    def list(self) -> list[str]:
        return sorted(set(self._storage.list()) | set(self._bytes))

    def close(self) -> None:
        """What a reader calls when it closes; the files stay for the segment's other readers."""

    def release(self) -> None:
        self._bytes.clear()
        self.segment_cache.clear()


# segments open in some generation, by file identity, so the next generation reuses them
_segments: dict[tuple[Any, ...], _SegmentFiles] = {}
_segments_lock = threading.Lock()


def _segment_key(storage: Any, segment: Any) -> tuple[Any, ...] | None:
    """A compound segment file's identity (as ``_SegmentFiles.key``), without reading it."""
    if not segment.is_compound():
        return None
    with storage.open_file(segment.make_filename(segment.COMPOUND_EXT)) as dbfile:
        st = os.fstat(dbfile.fileno())
    return (segment.segment_id(), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _acquire_segment(storage: Any, segment: Any) -> _SegmentFiles:
    """The segment's shared files: those a live generation already holds, or newly opened.
    A segment already held is not read again (after a small commit only its new segment is:
    reading every kept segment whole and dropping the copy cost 0.1 s per commit at 130 MB)."""
    key = _segment_key(storage, segment)
    with _segments_lock:
        held = _segments.get(key) if key is not None else None
        if held is not None:
            held.users += 1
            return held
    files = _SegmentFiles(storage, segment)
    with _segments_lock:
        known = _segments.get(files.key) if files.key is not None else None
        if known is None and files.key is not None:
            _segments[files.key] = files
        chosen = known or files
        chosen.users += 1
    if known is not None:
        files.release()  # the same segment was already open
    return chosen


def _release_segment(files: _SegmentFiles) -> None:
    with _segments_lock:
        files.users -= 1
        last = files.users == 0
        if last and files.key is not None:
            _segments.pop(files.key, None)
    if last:
        files.release()


#: Opening a generation retries when a commit removes its files in between, as Whoosh does.
_OPEN_TRIES = 10
#: A search that starts while another opens the new generation waits this long for it (seconds;
#: after a small commit the open takes a few tens of milliseconds, since only new segments are
#: read), so it sees the commit; past that it reads the previous generation rather than stall.
OPEN_WAIT = 0.5


class _Generation:
    """The searchers of one committed index generation: one per search running on it."""

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        verify_on_open(ix.storage.folder)
        for attempt in range(_OPEN_TRIES):
            try:
                self._load(TOC.read(ix.storage, ix.indexname))
                break
            except OSError:
                if attempt == _OPEN_TRIES - 1:
                    raise
                time.sleep(0.05)
        self._lock = threading.Lock()
        self._idle: list[Searcher] = [self._first]
        self._all: list[Searcher] = [self._first]
        self._users = 0
        self._retired = False
        self._closed = False
        #: the live counts of this generation (NewsIndex.stats)
        self.stats: Stats | None = None
        try:
            columns(self._first)  # read here, by the search that opens it, not the next ones
            # the stories too: searches meanwhile wait up to OPEN_WAIT, then read the previous
            # generation; only the new segments' fingerprints are read (stories.segment_block)
            story_codes(self._first)
        except BaseException:
            self.retire()
            raise

    def _load(self, toc: Any) -> None:
        self.number = int(toc.generation)
        self._schema = toc.schema
        self._segments = list(toc.segments)
        self._files: list[_SegmentFiles] = []
        try:
            for segment in self._segments:
                self._files.append(_acquire_segment(self._ix.storage, segment))
                # its files come from _SegmentFiles now, not from the compound file
                segment.compound = False
            self._first = self._open()
        except BaseException:
            for files in self._files:
                _release_segment(files)
            raise

    def _open(self) -> Searcher:
        readers = [
            SegmentReader(files, self._schema, segment, generation=self.number)
            for files, segment in zip(self._files, self._segments, strict=True)
        ]
        reader: Any
        if not readers:
            reader = EmptyReader(self._schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=self.number)
        return Searcher(reader, fromindex=self._ix)

    def _another(self) -> Searcher:
        searcher = self._open()
        share_caches(searcher, self._first)
        pairs = zip(
            searcher.reader().leaf_readers(), self._first.reader().leaf_readers(), strict=True
        )
        for (mine, _), (first, _) in pairs:
            share_caches(mine, first)
        return searcher

    def take(self) -> Searcher | None:
        """A searcher for one search (None once this generation is closed)."""
        with self._lock:
            if self._closed:
                return None
            self._users += 1
            if self._idle:
                return self._idle.pop()
        try:
            searcher = self._another()
        except BaseException:
            self.give(None)
            raise
        with self._lock:
            self._all.append(searcher)
        return searcher

    def give(self, searcher: Searcher | None) -> None:
        """Return a searcher taken for a search; the last one back closes a retired generation."""
        with self._lock:
            self._users -= 1
            if searcher is not None:
                self._idle.append(searcher)
            close = self._retired and not self._users and not self._closed
            self._closed = self._closed or close
        if close:
            self._close()

    def retire(self) -> None:
        """A newer generation serves new searches; close once the running ones are done."""
        with self._lock:
            self._retired = True
            close = not self._users and not self._closed
            self._closed = self._closed or close
        if close:
            self._close()

    def _close(self) -> None:
        for searcher in self._all[1:] + self._all[:1]:
            searcher.close()
        for reader, _ in self._first.reader().leaf_readers():
            release_caches(reader)
        release_caches(self._first)
        for files in self._files:
            _release_segment(files)
        self._idle.clear()
        self._all.clear()


class Reader:
    """The searchers of an index's latest generation, for any number of threads at once."""

    def __init__(self, ix: Any, path: str) -> None:
        self.path = path
        self._ix = ix
        self._lock = threading.Lock()
        self._opened = threading.Condition(self._lock)
        self._generation = _Generation(self._ix)
        # a newer generation is being opened by one search (see _latest)
        self._opening = False
        self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            generation = self._generation
        generation.retire()

    def generation(self) -> int:
        """The index generation new searches read (changes on every commit)."""
        return self._latest().number

    def _latest(self) -> _Generation:
        """The generation for a new search: the latest commit, opened by the first search to
        see it (a directory listing when nothing changed). A search that comes while another
        opens it waits for that, up to OPEN_WAIT, and then reads the previous generation."""
        current = self._generation
        if self._closed or self._ix.latest_generation() == current.number:
            return current
        with self._opened:
            if self._opening:
                self._opened.wait_for(lambda: not self._opening, timeout=OPEN_WAIT)
            if self._opening or self._generation is not current:
                return self._generation
            self._opening = True
        try:
            fresh = _Generation(self._ix)
        except BaseException:
            with self._opened:
                self._opening = False
                self._opened.notify_all()
            raise
        with self._opened:
            old, self._generation, self._opening = self._generation, fresh, False
            closed = self._closed
            self._opened.notify_all()
        old.retire()
        if closed:
            fresh.retire()
        return fresh

    @contextmanager
    def borrow(self) -> Iterator[tuple[_Generation, Searcher]]:
        """A searcher of the latest generation, this thread's alone until the block ends."""
        while True:
            if self._closed:
                raise ValueError(f"the index at {self.path} was closed")
            generation = self._latest()
            searcher = generation.take()
            if searcher is not None:
                break
        try:
            yield generation, searcher
        finally:
            generation.give(searcher)

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A Whoosh searcher on the latest generation (the engine's own modules and tests)."""
        with self.borrow() as (_, searcher):
            yield searcher

    def stats(self, count: Any) -> Stats:
        """The generation's live counts, computed once by ``count(searcher)``: counting walks
        postings (about 0.3 s at 200,000 passages) and the search page's home shows these
        counts on every visit."""
        with self.borrow() as (generation, s):
            if generation.stats is None:
                generation.stats = count(s)
            return generation.stats
