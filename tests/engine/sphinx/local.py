"""Real local clusters for the tests: written by the engine's own ``conf``, started by its
``cluster.start`` on free ports in a test's directory, stopped at the end of the session."""

from __future__ import annotations

import atexit
import shutil
from pathlib import Path

import pytest

from indexer.engine.sphinx import cluster
from indexer.engine.sphinx.conf import DISTRIBUTED, Cluster, free_local_cluster, write_local

__all__ = ["need_searchd", "start_cluster", "stop_all"]

_started: list[Path] = []


def need_searchd() -> None:
    """Skip, saying why, when searchd is not installed (CI installs sphinxsearch)."""
    if shutil.which("searchd") is None:
        pytest.skip("searchd is absent: install Debian's sphinxsearch to run the sphinx engine")


def start_cluster(directory: Path, shards: int = 2, mirrors: int = 1) -> tuple[str, Cluster]:
    """A running cluster in ``directory``: its location and layout."""
    need_searchd()
    layout = free_local_cluster(shards, mirrors)
    write_local(layout, directory)
    _started.append(directory)
    cluster.start(directory)
    return f"sphinx://{layout.head.address}/{DISTRIBUTED}", layout


def stop_all() -> None:
    """Stop every cluster these tests started (by their pid files only)."""
    while _started:
        directory = _started.pop()
        try:
            cluster.stop(directory)
        except Exception as exc:  # noqa: BLE001 - a stuck node must not hide the others
            print(f"stopping {directory}: {exc}")


atexit.register(stop_all)
