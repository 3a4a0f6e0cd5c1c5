"""The sphinx engine's own promises beyond the contract: generations, locations, shards."""

from __future__ import annotations

import pytest

from indexer import IndexNotFound, NewsfindError, article_from_json, index_articles, open_index
from indexer.engine.sphinx.location import parse_location
from indexer.engine.sphinx.writer import shard_of

from .conftest import StartCluster


def test_every_commit_changes_the_generation(new_cluster: StartCluster) -> None:
    location, _ = new_cluster()
    index_articles(location, [article_from_json({"id": "a", "headline": "Quokka"})])
    with open_index(location) as ix:
        before = ix.generation()
        index_articles(location, [article_from_json({"id": "b", "headline": "Wombat"})])
        assert ix.generation() != before
        assert ix.article("nope") is None


def test_an_unknown_index_name_is_index_not_found(new_cluster: StartCluster) -> None:
    location, _ = new_cluster()
    with pytest.raises(IndexNotFound):
        open_index(location.rsplit("/", 1)[0] + "/other")


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("sphinx://127.0.0.1:99999/newsfind", "the port must be a number from 1 to 65535"),
        ("sphinx://127.0.0.1:9306/news-find", "the index name must be letters, digits and _"),
        ("sphinx://127.0.0.1:9306/newsfind?strictt=1", "unknown setting 'strictt'"),
        ("sphinx://127.0.0.1:9306/newsfind?strict=maybe", "strict must be 1 or 0"),
    ],
)
def test_a_bad_location_is_one_clear_error(location: str, says: str) -> None:
    with pytest.raises(NewsfindError) as caught:
        parse_location(location)
    assert says in str(caught.value)


def test_a_head_that_does_not_answer_says_how_to_start_it() -> None:
    with pytest.raises(NewsfindError) as caught:
        open_index("sphinx://127.0.0.1:1/newsfind")
    assert "start the cluster: newsfind sphinx start --dir DIR" in str(caught.value)


def test_shards_are_stable_and_spread() -> None:
    ids = [f"article-{i}" for i in range(1000)]
    first = [shard_of(a, 4) for a in ids]
    assert first == [shard_of(a, 4) for a in ids]
    assert all(150 < first.count(s) < 350 for s in range(4))
