"""Running watches: each looks at the articles commits changed since its last run, records
the documents that match and that it has never reported, and hands each new batch to its
command (retried on the next run while it fails; a failure never stops indexing).

The index run calls ``WatchHooks``: ``before_commit`` journals the batch's articles in the
watches file before the engine commits, ``after_commit`` runs the watches. A crash between
the two leaves the journal in place, so the next run (``index`` or ``watch run``) catches up;
reported documents are remembered by digest, so nothing is reported twice.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryError
from ..index import NewsIndex, open_index
from ..query.parser import parse_query
from ..snippets import hit_snippet
from .reasons import explain
from .store import Watch, WatchStore, batch_json, doc_digest

__all__ = ["EXEC_TIMEOUT", "WatchHooks", "WatchReport", "baseline", "run_watches"]

#: Seconds a watch's command may run before it counts as failed (and is retried next run).
EXEC_TIMEOUT = 60.0


@dataclass
class WatchReport:
    """What one watch's run did: new alerts, and its command's failures (one line each)."""

    name: str
    checked: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)


def _alert_fields(index: NewsIndex, watch: Watch, tree: Any, match: Any) -> dict[str, Any]:
    return {
        "doc_id": match.doc_id,
        "article_id": match.article_id,
        "kind": match.kind,
        "position": match.position,
        "headline": match.headline,
        "url": match.url,
        "source": match.source,
        "published": match.published.isoformat() if match.published else None,
        "snippet": hit_snippet(match.kind, match.text, match.spans),
        "reason": explain(index, tree, match),
    }


def _check(index: NewsIndex, store: WatchStore, watch: Watch, report: WatchReport) -> None:
    """Match the watch against its pending articles and record what is new."""
    pending = store.pending(watch.name)
    if not pending:
        return
    report.checked = len(pending)
    stream = index.matches(
        watch.query,
        kind=watch.kind,
        source=watch.source,
        sort="newest",
        article_ids=frozenset(pending),
        spans=True,
    )
    tree = parse_query(watch.query)
    alerts: list[tuple[str, dict[str, Any]]] = []
    fresh: set[str] = set()
    for match in stream.rows:
        digest = doc_digest(match.kind, match.text)
        key = f"{match.article_id}\0{digest}"
        if key in fresh or store.was_seen(watch.name, match.article_id, digest):
            continue
        fresh.add(key)
        alerts.append((digest, _alert_fields(index, watch, tree, match)))
    # oldest first in the outbox, so "newest first" reads them back in publication order
    alerts.reverse()
    store.record(watch.name, stream.generation, pending, alerts)
    report.new = len(alerts)


def _deliver(store: WatchStore, watch: Watch, report: WatchReport) -> None:
    """Run the watch's command once per undelivered batch, the batch's JSON on stdin."""
    if not watch.exec:
        return
    for batch in store.undelivered(watch.name):
        payload = batch_json(watch.name, batch.id, store.alerts(watch.name, batch=batch.id))
        error = _run_command(watch.exec, payload)
        store.delivered(batch.id, error)
        if error is not None:
            report.errors.append(f"watch {watch.name}: batch {batch.id}: {error}")


def _run_command(command: str, payload: str) -> str | None:
    """None when ``command`` ran and exited 0, else why not (one line)."""
    try:
        done = subprocess.run(
            command,
            shell=True,
            input=payload.encode("utf-8"),
            capture_output=True,
            timeout=EXEC_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"--exec command ran over {EXEC_TIMEOUT:.0f} s; it will be retried"
    except OSError as exc:
        return f"--exec command could not start: {exc.strerror}; it will be retried"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {said[-1][:200]}" if said else ""
        return f"--exec command exited {done.returncode}{tail}; it will be retried"
    return None


def baseline(index: NewsIndex, store: WatchStore, watch: Watch) -> int:
    """Mark what ``watch`` matches in the index now as reported, so that it alerts only for
    documents later commits add or change; how many there were."""
    stream = index.matches(watch.query, kind=watch.kind, source=watch.source, sort="oldest")
    store.mark_seen(watch.name, ((m.article_id, doc_digest(m.kind, m.text)) for m in stream.rows))
    return stream.total


def run_watches(
    index: NewsIndex, store: WatchStore, names: Sequence[str] | None = None
) -> list[WatchReport]:
    """Run the named watches (all by default): check pending articles, deliver batches."""
    reports = []
    for watch in store.watches(names):
        report = WatchReport(watch.name)
        try:
            _check(index, store, watch, report)
        except QueryError as exc:
            report.errors.append(f"watch {watch.name}: {exc.message}")
        _deliver(store, watch, report)
        reports.append(report)
    return reports


class WatchHooks:
    """The index run's hooks (``writing.CommitHooks``): journal before each commit, run the
    watches after it. Errors are reported through ``on_error``, never raised: indexing goes on."""

    def __init__(self, location: str | os.PathLike[str], store: WatchStore, on_error: Any) -> None:
        self.location = os.fspath(location)
        self.store = store
        self.on_error = on_error
        self.reports: list[WatchReport] = []
        self._index: NewsIndex | None = None
        self._active = bool(store.watches())

    def before_commit(self, article_ids: Sequence[str]) -> None:
        if self._active:
            self.store.add_pending(article_ids)

    def after_commit(self) -> None:
        if not self._active:
            return
        try:
            if self._index is None:
                self._index = open_index(self.location)
            reports = run_watches(self._index, self.store)
        except Exception as exc:  # a watch must never stop indexing: report, go on
            self.on_error(f"watches not run ({type(exc).__name__}: {exc}); `watch run` retries")
            return
        for report in reports:
            for error in report.errors:
                self.on_error(error)
        self.reports.extend(reports)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self.store.close()
