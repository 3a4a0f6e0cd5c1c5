"""The sphinx engine's ranking on a real cluster: BM25 normalises by passage length (its
own ``bm25a`` did not, so long passages won on word counts alone)."""

from __future__ import annotations

from indexer import article_from_json, index_articles, open_index

from .conftest import StartCluster


def test_a_short_passage_naming_the_word_beats_a_long_one_repeating_it(
    new_cluster: StartCluster,
) -> None:
    location, _ = new_cluster()
    filler = " ".join(f"word{i}" for i in range(400))
    items = [
        {"id": "short", "paragraphs": ["The okapi grazed at dawn."]},
        {"id": "long", "paragraphs": [f"okapi {filler} okapi"]},
    ] + [{"id": f"other{i}", "paragraphs": [f"A giraffe {i} grazed at dusk."]} for i in range(10)]
    index_articles(location, [article_from_json(a) for a in items])
    with open_index(location) as ix:
        found = ix.search("okapi")
        assert [r.article_id for r in found.results] == ["short", "long"]
        assert found.results[0].score > 1.5 * found.results[1].score
