"""Writing in batches on a real cluster: few statements per batch, not per article; nothing
visible before the commit; a shard down fails its articles one by one in the report."""

from __future__ import annotations

from typing import Any

from indexer import ArticleWriter, article_from_json, index_articles, open_index
from indexer.engine.sphinx.engine import SphinxEngine
from indexer.engine.sphinx.writer import shard_of

from .conftest import StartCluster
from .test_faults import _kill


def _articles(n: int) -> list[Any]:
    return [
        article_from_json(
            {"id": f"tide{i}", "headline": f"Tide table {i}", "paragraphs": [f"Low water {i}."]}
        )
        for i in range(n)
    ]


def _selects(engine: SphinxEngine) -> int:
    """SELECTs the shards' searchds have answered since they started."""
    total = 0
    for mirrors in engine.pools:
        for pool in mirrors:
            total += int(dict(pool.run("SHOW STATUS"))["queries"])
    return total


def test_indexing_asks_each_shard_per_batch_not_per_article(new_cluster: StartCluster) -> None:
    location, _ = new_cluster()
    items = _articles(120)
    engine = SphinxEngine.open(location, "read")
    try:
        before = _selects(engine)
        report = index_articles(location, items)
        assert report.added == 120
        written = _selects(engine)
        # per shard: one stored-hash lookup and one old-id lookup (per article it was 2 x 120)
        assert written - before <= 2 * len(engine.pools)
        again = index_articles(location, items)
        assert again.unchanged == 120
        assert _selects(engine) - written <= len(engine.pools)
    finally:
        engine.close()


def test_replaced_articles_are_visible_at_the_commit_not_before(
    new_cluster: StartCluster,
) -> None:
    location, _ = new_cluster()
    engine = SphinxEngine.open(location, "create")
    try:
        writer = engine.writer(lock_timeout=1.0)
        for article in _articles(6):
            writer.replace(article, article.content_hash())
        with open_index(location) as ix:
            assert ix.stats().articles == 0
        writer.commit()
        with open_index(location) as ix:
            assert ix.stats().articles == 6
    finally:
        engine.close()


def test_a_shard_lost_after_its_lookup_counts_its_articles_failed_not_added(
    new_cluster: StartCluster,
) -> None:
    location, directory = new_cluster()
    items = _articles(16)
    lost = {a.id for a in items if shard_of(a.id, 2) == 1}
    with ArticleWriter(location) as writer:
        writer.prefetch([a.id for a in items])
        _kill(directory, "shard1")  # its articles fail when the batch is written
        for article in items:
            writer.add(article)
    report = writer.report
    assert (report.added, report.failed) == (16 - len(lost), len(lost))
    assert {e.split("'")[1] for e in report.errors} == lost
    assert all("does not answer" in e for e in report.errors)
    assert report.documents == 2 * (16 - len(lost))
