"""Local sphinx clusters for the benchmarks: written by the engine's own ``conf`` on free ports
under a directory, started and stopped by its ``cluster``; the location is kept in
``DIR/location.txt`` so a later step (search, web) can reopen the same index."""

from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["available", "location_of", "pids", "start", "stop"]

LOCATION_FILE = "location.txt"


def available() -> str | None:
    """None when a cluster can run here, else why not."""
    if shutil.which("searchd") is None:
        return "searchd is not installed (apt-get install sphinxsearch)"
    try:
        import pymysql  # noqa: F401
    except ImportError:
        return "PyMySQL is not installed (pip install 'newsfind[sphinx]')"
    return None


def start(directory: Path, shards: int = 2, mirrors: int = 1) -> str:
    """A fresh running cluster in ``directory`` (emptied first); its location."""
    from indexer.engine.sphinx import cluster
    from indexer.engine.sphinx.conf import DISTRIBUTED, free_local_cluster, write_local

    if directory.exists():
        stop(directory)
        shutil.rmtree(directory)
    layout = free_local_cluster(shards, mirrors)
    write_local(layout, directory)
    cluster.start(directory)
    location = f"sphinx://{layout.head.address}/{DISTRIBUTED}"
    (directory / LOCATION_FILE).write_text(location + "\n", encoding="utf-8")
    return location


def location_of(directory: Path) -> str:
    return (directory / LOCATION_FILE).read_text(encoding="utf-8").strip()


def pids(directory: Path) -> list[int]:
    """The running searchd processes of the cluster (for memory sampling)."""
    from indexer.engine.sphinx import cluster

    return [s.pid for s in cluster.status(directory) if s.pid is not None]


def stop(directory: Path) -> None:
    from indexer.engine.sphinx import cluster

    if (directory / "cluster.txt").exists():
        cluster.stop(directory)
