"""One open NewsIndex per app, opened on first use and shared by every request thread.

Opening an index costs far more than a query, and NewsIndex already refreshes itself when
another process commits (and runs its searches at once), so requests share one
instance instead of opening their own. An index that is missing at start-up is looked for again
on later requests, so a server started before ``newsfind index`` finishes begins answering once
the index appears.
"""

from __future__ import annotations

import ctypes
import threading

from flask import current_app

from indexer import IndexNotFound, NewsIndex, open_index

__all__ = ["IndexHolder", "get_index"]


#: glibc's mallopt parameter for the size above which an allocation gets its own mapping.
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 128 * 1024


def _fix_mmap_threshold() -> None:
    """Keep every allocation of 128 KiB or more in its own mapping, returned to the system when
    freed. glibc raises that threshold each time it frees a large block (up to 32 MiB), after
    which a server's postings arrays and segment bytes come from its heaps and their freed space
    stays in the process: RSS went 274 -> 530 MB over 8 commits under 32 clients, and stayed
    flat with the threshold fixed, at no cost in query time (docs/reliability.md). A no-op
    where the C library has no ``mallopt``."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)


class IndexHolder:
    """Lazily opens the index at ``path``; thread-safe, read-only."""

    def __init__(self, path: str) -> None:
        _fix_mmap_threshold()
        self.path = path
        self._lock = threading.Lock()
        self._index: NewsIndex | None = None

    def get(self) -> NewsIndex:
        """The open index; raises IndexNotFound while there is none at ``path``."""
        index = self._index
        if index is not None:
            return index
        with self._lock:
            if self._index is None:
                self._index = open_index(self.path)
            return self._index

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None


def get_index() -> NewsIndex:
    """The current app's index (IndexNotFound when absent; the error handlers answer 503)."""
    holder = current_app.extensions["newsfind_index"]
    if not isinstance(holder, IndexHolder):  # pragma: no cover - set by create_app
        raise IndexNotFound(str(current_app.config["INDEX_DIR"]))
    return holder.get()
