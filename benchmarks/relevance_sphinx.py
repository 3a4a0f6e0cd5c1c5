"""The relevance benchmark's sphinx engine: the same collection indexed into a local two-shard
cluster and the same queries through the same public search, scored beside the others."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from indexer import index_articles, iter_articles, open_index

from . import sphinx_cluster
from .relevance import Run, ranked_ids

__all__ = ["sphinx_run"]



def sphinx_run(
    documents: Path,
    queries: tuple[tuple[str, str], ...],
    depth: int,
    say: Callable[[str], None],
    shards: int = 2,
) -> tuple[Run, dict[str, str]]:
    """Ranked article ids per query on the sphinx engine, and the queries it refused."""
    why = sphinx_cluster.available()
    if why:
        raise RuntimeError(f"the sphinx engine cannot run here: {why}")
    with tempfile.TemporaryDirectory(prefix="relevance-sphinx-") as tmp:
        directory = Path(tmp) / "cluster"
        location = sphinx_cluster.start(directory, shards=shards)
        try:
            say(f"indexing {documents.name} into {location}")
            report = index_articles(location, iter_articles([str(documents)]))
            if report.failed:
                raise RuntimeError(f"indexing failed: {report.errors[:3]}")
            with open_index(location) as ix:
                return ranked_ids(ix, queries, depth)
        finally:
            sphinx_cluster.stop(directory)
