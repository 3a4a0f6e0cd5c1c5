"""What a warm search on a real cluster does not ask the servers again."""

from __future__ import annotations

from indexer import article_from_json, index_articles, open_index
from indexer.engine.sphinx.engine import SphinxEngine

from .conftest import StartCluster


def _keyword_calls(engine: SphinxEngine) -> int:
    """CALL KEYWORDS statements the shards' searchds have answered since they started."""
    return sum(
        int(dict(pool.run("SHOW STATUS"))["command_keywords"])
        for mirrors in engine.pools
        for pool in mirrors
    )


def test_a_repeated_search_does_not_ask_for_the_words_normal_forms_again(
    new_cluster: StartCluster,
) -> None:
    location, _ = new_cluster()
    items = [
        {"id": f"gull{i}", "headline": f"Gulls nesting {i}", "paragraphs": ["Gulls nested."]}
        for i in range(4)
    ]
    index_articles(location, [article_from_json(a) for a in items])
    status = SphinxEngine.open(location, "read")
    try:
        with open_index(location) as ix:
            before = _keyword_calls(status)
            first = ix.search("nesting gulls")
            middle = _keyword_calls(status)
            second = ix.search("nesting gulls")
            after = _keyword_calls(status)
        shown = first.results[0].hits[0].snippet
        assert shown == second.results[0].hits[0].snippet
        assert "<mark>" in shown
        # the first search looked the shown words up; the second only counts them for the
        # spelling suggestion (once per shard)
        assert after - middle == (middle - before) - 1 == len(status.pools)
    finally:
        status.close()
