"""The term-at-a-time path scores exactly as the general matcher path does."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import article_from_json, delete_articles, index_articles, open_index
from indexer.engine.whoosh import match as match_module
from indexer.engine.whoosh import search as search_module
from indexer.engine.whoosh.compile import compile_query
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.ranking import DEFAULT, UNTUNED
from indexer.params import make_params
from indexer.query.parser import parse_query

from ...conftest import SEED

QUERIES = [
    "putin xi",
    "putin",
    "belt road forum beijing",
    "harbour storm",
    "china russia military alliance cooperation ukraine sanctions",
    "putin xi kind:caption",
    "putin source:ap",
    "headline:putin xi",
    "dateline:taipei taiwan",
    "credit:ng forum",
    '"belt and road"',
    '"belt and road" forum putin',
    '"xi jinping" "vladimir putin"',
    '"storm harbour" budget',
    '"harbour storm"',
]


def _articles(n: int) -> list[Any]:
    words = ["harbour", "storm", "putin", "beijing", "council", "budget", "ferry", "strike"]
    return [
        article_from_json(
            {
                "id": f"t{i}",
                "headline": f"{words[i % 8]} {words[(i * 3) % 8]} report {i}",
                "published": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "source": ["AP", "Reuters"][i % 2],
                "paragraphs": [
                    " ".join(words[(i + k) % 8] for k in range(1 + i % 5)) + " today.",
                    f"The {words[(i * 5) % 8]} and the {words[(i * 7) % 8]} again.",
                ],
            }
        )
        for i in range(n)
    ]


@pytest.fixture
def segmented_index(tmp_path: Any) -> Any:
    """Several segments (small batches) and deleted documents, the cases lengths depend on."""
    from indexer import iter_articles
    from indexer.engine.whoosh import writer as store

    path = tmp_path / "ix"
    with pytest.MonkeyPatch.context() as patch:
        # keep every batch's segment (small segments are otherwise folded together)
        patch.setattr(store, "MERGE_BELOW_DOCS", 0)
        index_articles(path, iter_articles([str(SEED)]))
        index_articles(path, _articles(60), batch_articles=15)
        delete_articles(path, ["t3", "t17", "t40"])
    return path


@pytest.mark.parametrize("ranking", [DEFAULT, UNTUNED], ids=["default", "untuned"])
@pytest.mark.parametrize("query", QUERIES)
def test_fast_path_equals_matcher_path(segmented_index, monkeypatch, query, ranking):
    with WhooshEngine(segmented_index) as ix, ix.searcher() as searcher:
        assert len(list(searcher.leaf_searchers())) > 1
        params = make_params(query)
        compiled = compile_query(parse_query(query), searcher)
        fast = search_module.find_hits(searcher, compiled, params, ranking).pairs()
        monkeypatch.setattr(match_module, "array_clauses", lambda clauses: None)
        general = search_module.find_hits(searcher, compiled, params, ranking).pairs()
    assert fast, query
    assert fast == general


def test_array_clauses_only_for_words_and_phrases(seed_index):
    from whoosh import query as wq

    from indexer.engine.whoosh.arrays.clause_scores import array_clauses

    with WhooshEngine(seed_index) as ix, ix.searcher() as searcher:

        def clauses(q: str) -> Any:
            return array_clauses(compile_query(parse_query(q), searcher).clauses)

        assert clauses("putin xi") == [
            (wq.Term("text", "putin"), wq.Term("headline", "putin")),
            (wq.Term("text", "xi"), wq.Term("headline", "xi")),
        ]
        [(text, headline)] = clauses('"belt and road"')
        assert type(text) is wq.Phrase and text.words == ["belt", "road"]
        assert type(headline) is wq.Phrase and headline.fieldname == "headline"
        assert clauses("infra*") is None
        assert clauses("puttin~") is None
        assert clauses('"belt and road" infra*') is None


def test_segments_with_the_same_name_in_two_indexes(tmp_path):
    """Whoosh names segments with the random module; reseeding it (as hypothesis does between
    examples) gives two indexes segments of the same name. Their lengths must not be mixed up."""
    import random

    def build(name: str, n: int) -> Any:
        random.seed(1234)
        articles = [
            article_from_json({"id": f"{name}{i}", "headline": f"harbour {i}", "paragraphs": [
                "harbour storm " + "word " * (i % 7)
            ]})
            for i in range(n)
        ]  # fmt: skip
        index_articles(tmp_path / name, articles)
        return tmp_path / name

    small, big = build("small", 2), build("big", 40)
    with open_index(small) as a:
        assert a.search("harbour").total_hits == 4
        with open_index(big) as b:
            fast = b.search("harbour", per_page=100).to_json()
            assert fast["total_hits"] == 80
    # opened again (fresh readers, nothing cached), the same search scores the same
    with open_index(big) as fresh:
        assert fresh.search("harbour", per_page=100).to_json()["results"] == fast["results"]


def test_lengths_read_whole_equal_lengths_read_per_document(segmented_index):
    import numpy as np

    from indexer.engine.whoosh.arrays import term_scores

    with WhooshEngine(segmented_index) as ix, ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            for field in ("text", "headline"):
                fast = term_scores._raw_lengths(sub.reader(), field)
                assert fast is not None, "the whoosh3 codec's length column is read whole"
                slow = [sub.doc_field_length(d, field, 1) or 0 for d in range(sub.doc_count_all())]
                assert fast.tolist() == slow
                assert np.any(fast > 0)


def test_postings_are_read_a_block_at_a_time_and_equal_the_matcher(segmented_index):
    """The block reader must engage on the codec both supported Whoosh distributions write,
    and give exactly the matcher's postings, deleted documents left out."""
    from indexer.engine.whoosh.arrays import term_scores

    with WhooshEngine(segmented_index) as ix, ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            for word in ("putin", "harbour", "storm", "today"):
                if ("text", word) not in reader:
                    continue
                leaf = reader.postings("text", word)
                leaf = leaf.child if type(leaf).__name__ == "FilterMatcher" else leaf
                assert term_scores._leaf_blocks(leaf, True) is not None
                ids, weights = term_scores.postings_arrays(sub, "text", word)
                values = term_scores.posting_values(sub, "text", word)
                expected = list(reader.postings("text", word).items_as("positions"))
                assert ids.tolist() == [d for d, _ in expected]
                decode = reader.schema["text"].format.decode_positions
                assert [list(decode(v)) for v in values] == [list(p) for _, p in expected]
                assert weights.tolist() == [float(len(p)) for _, p in expected]


def test_columns_read_whole_equal_columns_read_value_by_value(segmented_index):
    from indexer.engine.whoosh.columns import whole_column

    with WhooshEngine(segmented_index) as ix, ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            reader = sub.reader()
            columns = [("article_id", True), ("kind", True), ("source", True), ("month", True)]
            columns += [("published", False), ("position", True), ("credit_exact", True)]
            for name, translate in columns:
                if not reader.has_column(name):
                    continue
                whole = whole_column(reader, name, translate)
                assert whole is not None, name
                one_by_one = list(reader.column_reader(name, translate=translate))
                assert whole[: len(one_by_one)] == one_by_one, name
