"""Exact totals and facets beyond max_matches: the servers group and count, and the agents'
counts add up because every article lives on one shard."""

from __future__ import annotations

from pathlib import Path

from indexer import article_from_json, index_articles, open_index
from indexer.engine.sphinx.search import MIN_MATCHES

from .conftest import StartCluster

N = 2 * MIN_MATCHES + 300


def test_totals_pages_and_facets_are_exact_past_max_matches(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, _ = new_cluster()
    articles = [
        article_from_json(
            {
                "id": f"a{i:05d}",
                "headline": f"Quokka {i}",
                "source": f"Source {i % 7}",
                "published": f"2023-{1 + i % 12:02d}-10",
                "paragraphs": ["quokka " * (1 + i % 5) + "wombat"],
            }
        )
        for i in range(N)
    ]
    assert index_articles(location, articles, batch_articles=500).failed == 0
    with open_index(location) as ix:
        first = ix.search("quokka", per_page=100)
        assert (first.total_articles, first.total_hits) == (N, 2 * N)
        assert first.facets["kind"] == {"headline": N, "paragraph": N}
        assert sum(first.facets["source"].values()) == 2 * N
        assert first.facets["source"]["Source 0"] == 2 * len(range(0, N, 7))
        assert sum(first.facets["month"].values()) == 2 * N
        seen: list[str] = []
        for page in range(1, first.pages + 1):
            results = ix.search("quokka", per_page=100, page=page)
            assert results.total_articles == N
            seen += [a.article_id for a in results.results]
        assert len(seen) == len(set(seen)) == N
        last = ix.search("quokka", per_page=10, page=N // 10)
        assert len(last.results) == 10 and last.results[-1].article_id in seen
        newest = ix.search("wombat", sort="newest", per_page=100).results
        dates = [a.published for a in newest]
        assert dates == sorted(dates, reverse=True)
