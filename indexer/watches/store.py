"""The watches' SQLite file: the saved searches, what each has reported, its outbox and the
articles that commits changed and a watch has not looked at yet.

Only the command line writes it (``WatchStore(path)``); the web app opens it read-only
(``WatchStore.open_readonly``). What a watch has reported is kept as a digest of each
document's kind and text per article, so a document re-indexed unchanged, or deleted and
indexed again, is recognised and never reported twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import NewsfindError

__all__ = ["Alert", "Batch", "Watch", "WatchError", "WatchStore", "doc_digest", "watches_path"]

#: A watch's name: it appears in URLs (/watches/NAME.atom) and on command lines.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: Alerts a watch keeps in its outbox (the oldest beyond this are dropped).
OUTBOX_LIMIT = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY, query TEXT NOT NULL, kind TEXT, source TEXT, exec TEXT,
    created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    watch TEXT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (watch, article_id));
CREATE TABLE IF NOT EXISTS seen (
    watch TEXT NOT NULL, article_id TEXT NOT NULL, digest TEXT NOT NULL,
    PRIMARY KEY (watch, article_id, digest));
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, watch TEXT NOT NULL, generation INTEGER NOT NULL,
    created REAL NOT NULL, delivered INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, watch TEXT NOT NULL, batch INTEGER NOT NULL,
    doc_id TEXT NOT NULL, article_id TEXT NOT NULL, kind TEXT NOT NULL, position INTEGER,
    headline TEXT, url TEXT, source TEXT, published TEXT, snippet TEXT NOT NULL,
    reason TEXT NOT NULL, found REAL NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_by_watch ON alerts (watch, id);
"""


class WatchError(NewsfindError):
    """A watch that cannot be saved, found or read (one line for the user)."""


def watches_path(location: str | os.PathLike[str]) -> str:
    """Where the watches of the index at ``location`` live: ``DIR.watches.sqlite`` beside an
    index directory; for an engine URL, a file named after it in the working directory."""
    text = os.fspath(location)
    if "://" in text:
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") + ".watches.sqlite"
    return os.path.normpath(text).rstrip(os.sep) + ".watches.sqlite"


def doc_digest(kind: str, text: str) -> str:
    """What identifies a reported document within its article: its kind and text."""
    return hashlib.sha256(f"{kind}\0{text}".encode()).hexdigest()


@dataclass(frozen=True)
class Watch:
    name: str
    query: str
    kind: str | None = None
    source: str | None = None
    exec: str | None = None
    created: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            "kind": self.kind,
            "source": self.source,
            "exec": self.exec,
        }


@dataclass(frozen=True)
class Alert:
    """One new match in a watch's outbox: ``snippet`` is HTML (text escaped, matches in
    ``<mark>``); ``reason`` says which clause matched which field."""

    id: int
    watch: str
    batch: int
    doc_id: str
    article_id: str
    kind: str
    position: int
    headline: str | None
    url: str | None
    source: str | None
    published: str | None
    snippet: str
    reason: str
    found: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "batch": self.batch,
            "doc_id": self.doc_id,
            "article_id": self.article_id,
            "kind": self.kind,
            "position": self.position,
            "headline": self.headline,
            "url": self.url,
            "source": self.source,
            "published": self.published,
            "snippet": self.snippet,
            "reason": self.reason,
            "found": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.found)),
        }


@dataclass(frozen=True)
class Batch:
    id: int
    watch: str
    generation: int
    delivered: bool
    attempts: int
    last_error: str | None


class WatchStore:
    """The watches file, opened to write (the CLI) or, with ``open_readonly``, to read."""

    def __init__(self, path: str, *, readonly: bool = False) -> None:
        self.path = path
        try:
            if readonly:
                uri = "file:" + os.path.abspath(path) + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                self._db = sqlite3.connect(path, timeout=30)
                self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise WatchError(f"{path}: cannot open the watches file: {exc}") from None
        self._db.row_factory = sqlite3.Row

    @classmethod
    def open_readonly(cls, path: str) -> WatchStore | None:
        """The file for reading, or None when no watch was ever saved."""
        return cls(path, readonly=True) if os.path.exists(path) else None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> WatchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, watch: Watch) -> None:
        if not NAME.fullmatch(watch.name):
            raise WatchError(
                f"watch name {watch.name[:40]!r}: use letters, digits, '.', '_' or '-' "
                "(at most 64, starting with a letter or digit)"
            )
        try:
            with self._db:
                self._db.execute(
                    "INSERT INTO watches VALUES (?, ?, ?, ?, ?, ?)",
                    (watch.name, watch.query, watch.kind, watch.source, watch.exec, time.time()),
                )
        except sqlite3.IntegrityError:
            raise WatchError(f"a watch named {watch.name!r} exists already") from None

    def remove(self, name: str) -> bool:
        with self._db:
            gone = self._db.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount
            for table in ("pending", "seen", "batches", "alerts"):
                self._db.execute(f"DELETE FROM {table} WHERE watch = ?", (name,))
        return bool(gone)

    def watches(self, names: Iterable[str] | None = None) -> list[Watch]:
        rows = self._db.execute("SELECT * FROM watches ORDER BY name").fetchall()
        found = [Watch(**dict(r)) for r in rows]
        if names is None:
            return found
        wanted = set(names)
        missing = wanted - {w.name for w in found}
        if missing:
            raise WatchError(f"no watch named {sorted(missing)[0]!r}")
        return [w for w in found if w.name in wanted]

    def get(self, name: str) -> Watch:
        return self.watches([name])[0]

    def add_pending(self, article_ids: Iterable[str]) -> None:
        """Journal articles a commit is about to change, for every watch (before the commit,
        so a crash after it leaves them here for the next run)."""
        ids = list(article_ids)
        with self._db:
            names = [r[0] for r in self._db.execute("SELECT name FROM watches")]
            self._db.executemany(
                "INSERT OR IGNORE INTO pending VALUES (?, ?)",
                [(n, a) for n in names for a in ids],
            )

    def pending(self, watch: str) -> list[str]:
        rows = self._db.execute(
            "SELECT article_id FROM pending WHERE watch = ? ORDER BY article_id", (watch,)
        )
        return [r[0] for r in rows]

    def mark_seen(self, watch: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Record ``(article_id, digest)`` pairs as reported without alerting (a new watch's
        baseline: what the index holds already is not news)."""
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)", ((watch, a, d) for a, d in pairs)
            )

    def was_seen(self, watch: str, article_id: str, digest: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM seen WHERE watch = ? AND article_id = ? AND digest = ?",
            (watch, article_id, digest),
        ).fetchone()
        return row is not None

    def record(
        self,
        watch: str,
        generation: int,
        checked: Iterable[str],
        alerts: list[tuple[str, dict[str, Any]]],
    ) -> int | None:
        """In one transaction: the new alerts (``(digest, fields)``) as one batch, their
        digests as seen, and the ``checked`` articles off the watch's pending list. The
        batch's id (None when nothing was new)."""
        now = time.time()
        batch: int | None = None
        with self._db:
            if alerts:
                cursor = self._db.execute(
                    "INSERT INTO batches (watch, generation, created) VALUES (?, ?, ?)",
                    (watch, generation, now),
                )
                batch = cursor.lastrowid
                for digest, fields in alerts:
                    self._db.execute(
                        "INSERT OR IGNORE INTO seen VALUES (?, ?, ?)",
                        (watch, fields["article_id"], digest),
                    )
                    names = ", ".join(fields)
                    marks = ", ".join("?" * len(fields))
                    self._db.execute(
                        f"INSERT INTO alerts (watch, batch, found, {names}) "
                        f"VALUES (?, ?, ?, {marks})",
                        (watch, batch, now, *fields.values()),
                    )
                self._trim(watch)
            self._db.executemany(
                "DELETE FROM pending WHERE watch = ? AND article_id = ?",
                [(watch, a) for a in checked],
            )
        return batch

    def _trim(self, watch: str) -> None:
        self._db.execute(
            "DELETE FROM alerts WHERE watch = ? AND id <= (SELECT id FROM alerts WHERE watch = ? "
            "ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (watch, watch, OUTBOX_LIMIT),
        )

    def alerts(self, watch: str, *, batch: int | None = None, limit: int = 100) -> list[Alert]:
        """The watch's alerts, newest first (one batch's when ``batch`` is given)."""
        sql = "SELECT * FROM alerts WHERE watch = ?" + (" AND batch = ?" if batch else "")
        args: tuple[Any, ...] = (watch, batch) if batch else (watch,)
        rows = self._db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [Alert(**dict(r)) for r in rows]

    def undelivered(self, watch: str) -> list[Batch]:
        rows = self._db.execute(
            "SELECT * FROM batches WHERE watch = ? AND delivered = 0 ORDER BY id", (watch,)
        )
        return [_batch(r) for r in rows]

    def batches(self, watch: str) -> list[Batch]:
        rows = self._db.execute("SELECT * FROM batches WHERE watch = ? ORDER BY id", (watch,))
        return [_batch(r) for r in rows]

    def delivered(self, batch: int, error: str | None) -> None:
        """Record a run of the watch's command for ``batch``: done, or failed with ``error``."""
        with self._db:
            self._db.execute(
                "UPDATE batches SET attempts = attempts + 1, delivered = ?, last_error = ? "
                "WHERE id = ?",
                (int(error is None), error, batch),
            )

    def watch_json(self, name: str, limit: int = 100) -> dict[str, Any]:
        """The watch, its outbox newest first, and its batches' delivery state (the JSON of
        ``watch show --json`` and ``/api/watches/NAME``)."""
        watch = self.get(name)
        return {
            "watch": watch.to_json(),
            "pending": len(self.pending(name)),
            "alerts": [a.to_json() for a in self.alerts(name, limit=limit)],
            "undelivered": [
                {"batch": b.id, "attempts": b.attempts, "error": b.last_error}
                for b in self.undelivered(name)
            ]
            if watch.exec
            else [],
        }


def _batch(row: sqlite3.Row) -> Batch:
    return Batch(
        id=row["id"],
        watch=row["watch"],
        generation=row["generation"],
        delivered=bool(row["delivered"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


def batch_json(watch: str, batch: int, alerts: list[Alert]) -> str:
    """What a watch's command reads on stdin: the batch's new matches, oldest first."""
    body = {"watch": watch, "batch": batch, "alerts": [a.to_json() for a in reversed(alerts)]}
    return json.dumps(body, ensure_ascii=False)
