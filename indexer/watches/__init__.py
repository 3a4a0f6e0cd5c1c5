"""Saved searches that alert: watches, their state in SQLite beside the index, and the run
that checks what each commit added or changed (engine-neutral: the engine only streams
matches restricted to a set of articles)."""

from __future__ import annotations

from .run import WatchHooks, WatchReport, baseline, run_watches
from .store import Alert, Batch, Watch, WatchError, WatchStore, watches_path

__all__ = [
    "Alert",
    "Batch",
    "Watch",
    "WatchError",
    "WatchHooks",
    "WatchReport",
    "WatchStore",
    "baseline",
    "run_watches",
    "watches_path",
]
