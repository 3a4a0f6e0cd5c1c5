"""A date sort on several words keeps only the real matches (a relevance floor), so "oil
prices" by newest is about oil prices, not every newer story with "prices"; totals and facets
follow the same rule, and a one-word query keeps every match."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import open_index

OIL = [
    {"id": f"oil{i}", "headline": f"Oil prices climb {i}", "published": f"2023-01-0{i + 1}",
     "paragraphs": ["Crude oil prices rose as supply tightened."]}
    for i in range(3)
]  # fmt: skip
NOISE = [
    {"id": f"stock{i}", "headline": f"Markets {i}", "published": f"2023-06-{i + 10}",
     "paragraphs": ["Stock and bond prices moved little."]}
    for i in range(12)
]  # fmt: skip


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_date_sort_keeps_only_real_matches(build_index: Any, sort: str) -> None:
    with open_index(build_index(articles=OIL + NOISE)) as ix:
        relevance = ix.search("oil prices", per_page=100)
        assert relevance.total_articles == 15  # under OR every "prices" story matches
        dated = ix.search("oil prices", sort=sort, per_page=100)
        ids = [r.article_id for r in dated.results]
        assert sorted(ids) == ["oil0", "oil1", "oil2"]
        assert ids == sorted(ids, reverse=sort == "newest")
        assert dated.total_articles == 3
        assert dated.total_hits == sum(len(r.hits) + r.more_hits for r in dated.results)
        assert sum(dated.facets["kind"].values()) == dated.total_hits


def test_one_word_by_date_keeps_every_match(build_index: Any) -> None:
    with open_index(build_index(articles=OIL + NOISE)) as ix:
        assert ix.search("prices", sort="newest", per_page=100).total_articles == 15
