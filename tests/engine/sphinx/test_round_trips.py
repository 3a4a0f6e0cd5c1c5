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


def _head_queries(engine: SphinxEngine) -> int:
    """Search statements the head has answered since it started."""
    return int(dict(engine.head.run("SHOW STATUS"))["queries"])


def test_a_search_asks_the_head_four_statements(new_cluster: StartCluster) -> None:
    """The page and one grouping for every facet, then the page's hits and its stored
    articles by id: four statements in two round trips, whatever the facets hold."""
    location, _ = new_cluster()
    items = [
        {
            "id": f"heron{i}",
            "headline": f"Herons wading {i}",
            "source": f"Source {i % 3}",
            "published": f"2024-0{1 + i % 4}-02",
            "captions": [{"text": "A heron.", "credit": f"Photographer {i % 2}"}],
            "paragraphs": ["Herons waded."],
        }
        for i in range(6)
    ]
    index_articles(location, [article_from_json(a) for a in items])
    status = SphinxEngine.open(location, "read")
    try:
        with open_index(location) as ix:
            ix.search("herons")  # the index's mean length is asked once per open engine
            before = _head_queries(status)
            found = ix.search("herons")
            after = _head_queries(status)
        assert after - before == 4
        assert found.facets["credit"] == {"Photographer 0": 3, "Photographer 1": 3}
        # headline, caption and paragraph of two articles each
        assert found.facets["source"] == {"Source 0": 6, "Source 1": 6, "Source 2": 6}
        assert found.results[0].headline and found.results[0].headline.startswith("Herons")
    finally:
        status.close()
