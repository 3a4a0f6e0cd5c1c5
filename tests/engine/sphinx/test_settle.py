"""A run that wrote leaves each shard settled: a big RAM chunk written out as a disk chunk,
disk chunks merged into one (searches visit fewer, restarts replay less binlog)."""

from __future__ import annotations

import time

import pytest

from indexer import article_from_json, index_articles
from indexer.engine.sphinx import writer
from indexer.engine.sphinx.engine import SphinxEngine

from .conftest import StartCluster


def _status(engine: SphinxEngine) -> list[dict[str, int]]:
    return [writer.index_status(pool) for mirrors in engine.pools for pool in mirrors]


def _articles(start: int, count: int) -> list[object]:
    return [
        article_from_json(
            {"id": f"s{i}", "headline": f"Settled {i}", "paragraphs": [f"Pelicans {i} dive."]}
        )
        for i in range(start, start + count)
    ]


def test_each_run_writes_big_ram_chunks_out_and_merges_disk_chunks(
    new_cluster: StartCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    location, _ = new_cluster()
    # every RAM chunk counts as big here, so each run leaves a disk chunk behind
    monkeypatch.setattr(writer, "SETTLE_RAM_BYTES", 1)
    engine = SphinxEngine.open(location, "read")
    try:
        for run in range(3):
            assert index_articles(location, _articles(run * 40, 40)).failed == 0
            assert all(s["ram_chunk"] < 4096 for s in _status(engine)), _status(engine)
        deadline = time.monotonic() + 60
        while any(s["disk_chunks"] != 1 for s in _status(engine)):
            assert time.monotonic() < deadline, f"disk chunks never merged: {_status(engine)}"
            time.sleep(0.2)
        assert engine.stats().articles == 120
    finally:
        engine.close()


def test_a_small_run_stays_in_ram(new_cluster: StartCluster) -> None:
    location, _ = new_cluster()
    engine = SphinxEngine.open(location, "read")
    try:
        assert index_articles(location, _articles(0, 20)).failed == 0
        assert all(s["disk_chunks"] == 0 and s["ram_chunk"] > 0 for s in _status(engine))
    finally:
        engine.close()
