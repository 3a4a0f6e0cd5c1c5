"""A segment file read from disk as it is used, for an index opened to stream (``mode="stream"``).

A searcher normally holds every segment file in memory (``reader._SegmentFiles``): at 200,000
passages that is 190 MB, most of it stored fields and postings a whole export reads once, or
never. Opened to stream, a segment keeps only its file descriptor, and each reader of a file gets
a ``DiskFile``: a position over a byte range of the compound file, read with ``os.pread`` (no
shared file offset, so readers in different threads never see each other's bytes) through a
small read-ahead window (Whoosh decodes with many reads of a few bytes). Nothing is memory-mapped
either, so the process's resident memory does not grow with the pages a stream touches.
"""

from __future__ import annotations

import os

__all__ = ["DiskFile", "READ_AHEAD"]

#: Bytes read at once past a small read (one window per open file).
READ_AHEAD = 16 * 1024


class DiskFile:
    """``length`` bytes of the open file ``fd`` from ``offset``, as a read-only file object."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self._fd = fd
        self._offset = offset
        self._length = length
        self._pos = 0
        # the window: bytes of the range from _start
        self._start = 0
        self._window = b""
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes from the position (all the rest when ``size`` is None or < 0)."""
        pos = self._pos
        left = self._length - pos
        if size is None or size < 0 or size > left:
            size = max(left, 0)
        at = pos - self._start
        if size == 0:
            return b""
        if 0 <= at and at + size <= len(self._window):
            data = self._window[at : at + size]
        elif size >= READ_AHEAD:
            data = os.pread(self._fd, size, self._offset + pos)
        else:
            want = min(READ_AHEAD, left)
            self._window = os.pread(self._fd, want, self._offset + pos)
            self._start = pos
            data = self._window[:size]
        self._pos = pos + len(data)
        return data

    def seek(self, where: int, whence: int = 0) -> int:
        if whence == 1:
            where += self._pos
        elif whence == 2:
            where += self._length
        self._pos = max(0, where)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readline(self) -> bytes:
        """To the next newline (Whoosh's files are binary: only for completeness' sake)."""
        parts = []
        while True:
            byte = self.read(1)
            parts.append(byte)
            if byte in (b"", b"\n"):
                return b"".join(parts)

    def close(self) -> None:
        """Drop the window; the descriptor is the segment's (closed when it is released)."""
        self.closed = True
        self._window = b""
