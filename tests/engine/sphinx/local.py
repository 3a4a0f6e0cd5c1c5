"""Real local clusters for the tests: written by the engine's own ``conf``, started by its
``cluster.start`` on free ports in a test's directory, stopped at the end of the session."""

from __future__ import annotations

import atexit
import random
import shutil
import socket
from pathlib import Path

import pytest

from indexer.engine.sphinx import cluster
from indexer.engine.sphinx.conf import DISTRIBUTED, Cluster, local_cluster, write_local

__all__ = ["need_searchd", "start_cluster", "stop_all"]

_started: list[Path] = []


def need_searchd() -> None:
    """Skip, saying why, when searchd is not installed (CI installs sphinxsearch)."""
    if shutil.which("searchd") is None:
        pytest.skip("searchd is absent: install Debian's sphinxsearch to run the sphinx engine")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_layout(shards: int, mirrors: int) -> Cluster:
    """A layout whose every port is free now (another helper's cluster may hold some)."""
    span = 2 * (shards * mirrors + 1)
    for _ in range(200):
        base = random.randrange(20_000, 60_000, 2)
        if all(_free(p) for p in range(base, base + span)):
            return local_cluster(shards, base, mirrors)
    raise RuntimeError("no free ports for a local cluster")


def start_cluster(directory: Path, shards: int = 2, mirrors: int = 1) -> tuple[str, Cluster]:
    """A running cluster in ``directory``: its location and layout."""
    need_searchd()
    layout = _free_layout(shards, mirrors)
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
