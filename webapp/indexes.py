"""One open NewsIndex per app, opened on first use and shared by every request thread.

Opening a searcher costs far more than a query, and NewsIndex already refreshes itself when
another process commits, so requests share one instance instead of opening their own. An index
that is missing at start-up is looked for again on later requests, so a server started before
``newsfind index`` finishes begins answering once the index appears.
"""

from __future__ import annotations

import threading

from flask import current_app

from indexer import IndexNotFound, NewsIndex, open_index

__all__ = ["IndexHolder", "get_index"]


class IndexHolder:
    """Lazily opens the index at ``path``; thread-safe, read-only."""

    def __init__(self, path: str) -> None:
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
