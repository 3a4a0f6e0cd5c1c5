"""The relevance harness: trec_eval metrics on hand-computed cases, and our ranking against bm25s
on a handful of DEV queries of the TIME collection (../shared/data/relevance)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.metrics import (
    average_precision,
    mean_scores,
    ndcg_at,
    precision_at,
    recall_at,
    score_run,
)
from benchmarks.relevance import Report, evaluate, load_collection, render_markdown
from indexer import Article, iter_articles
from indexer.engine.whoosh.ranking import UNTUNED

from .conftest import shared_path

#: The first queries of the DEV file, in file order (not chosen for how they score).
SAMPLE_QUERIES = 12

# --- metrics: trec_eval definitions, binary judgments -------------------------------------------

RELEVANT = {"a", "b", "c"}
RANKED = ["a", "x", "b", "y"]  # relevant at ranks 1 and 3; "c" never retrieved


def test_precision_counts_a_short_list_against_k() -> None:
    assert precision_at(RANKED, RELEVANT, 10) == pytest.approx(2 / 10)
    assert precision_at(RANKED, RELEVANT, 1) == 1.0
    assert precision_at(RANKED, RELEVANT, 2) == 0.5


def test_recall_is_over_all_relevant_documents() -> None:
    assert recall_at(RANKED, RELEVANT, 100) == pytest.approx(2 / 3)
    assert recall_at(RANKED, RELEVANT, 1) == pytest.approx(1 / 3)


def test_average_precision_counts_unretrieved_relevant_as_zero() -> None:
    # precision 1/1 at rank 1 and 2/3 at rank 3, divided by all 3 relevant documents
    assert average_precision(RANKED, RELEVANT) == pytest.approx((1 + 2 / 3) / 3)
    assert average_precision(["a", "b", "c"], RELEVANT) == 1.0
    assert average_precision([], RELEVANT) == 0.0


def test_ndcg_uses_log2_rank_plus_one_and_an_ideal_from_the_judgments() -> None:
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at(RANKED, RELEVANT, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at(["c", "b", "a", "x"], RELEVANT, 10) == 1.0
    # the ideal list is cut at k too: 12 relevant documents, the first 10 ranked all relevant
    many = {f"r{i}" for i in range(12)}
    assert ndcg_at([f"r{i}" for i in range(10)], many, 10) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}, 10) == pytest.approx(1 / math.log2(3))


def test_a_repeated_document_counts_once() -> None:
    assert precision_at(["a", "a", "x"], RELEVANT, 2) == 0.5
    assert average_precision(["a", "a", "b"], {"a", "b"}) == 1.0


def test_every_judged_query_is_averaged_even_with_no_results() -> None:
    qrels = {"1": {"a"}, "2": {"b"}}
    rows = score_run({"1": ["a"]}, qrels)
    assert [r.qid for r in rows] == ["1", "2"]
    means = mean_scores(rows)
    assert means["map"] == 0.5
    assert means["ndcg@10"] == 0.5
    assert means["p@10"] == pytest.approx(0.05)
    assert means["recall@100"] == 0.5


# --- the collection and the harness -------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return shared_path("data", "relevance")


def test_queries_are_lowercased_and_otherwise_as_written(data_dir: Path) -> None:
    collection = load_collection(data_dir)
    raw = dict(
        line.split("\t", 1)
        for line in (data_dir / "queries.dev.tsv").read_text(encoding="utf-8").splitlines()
        if line
    )
    assert dict(collection.queries) == {qid: text.lower() for qid, text in raw.items()}
    assert set(collection.qrels) == set(raw)


def test_every_judged_document_is_in_the_collection(data_dir: Path) -> None:
    # the numbering trap of TIME.REL (README): a mismatch would score a correct system zero
    collection = load_collection(data_dir)
    articles = list(iter_articles([str(collection.documents)]))
    ids = {a.id for a in articles if isinstance(a, Article)}
    assert len(ids) == len(articles)  # nothing failed to parse
    judged = set().union(*collection.qrels.values())
    assert judged <= ids
    assert len(ids) == 423


@pytest.fixture(scope="module")
def report(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    pytest.importorskip("bm25s", reason="the bm25s baseline needs the test extra (bm25s)")
    pytest.importorskip("Stemmer", reason="the bm25s baseline needs the test extra (PyStemmer)")
    collection = load_collection(data_dir).head(SAMPLE_QUERIES)
    index = tmp_path_factory.mktemp("relevance") / "index"
    # 10 ranked ids are all nDCG@10 needs, and a page of 100 costs 100 articles' snippets
    return evaluate(
        collection, index_dir=index, configs=[("untuned", UNTUNED), ("ours", None)], depth=10
    )


def test_ours_ranks_at_least_as_well_as_bm25s(report: Report) -> None:
    bm25s, untuned, ours = report.systems
    assert [s.name for s in report.systems] == ["bm25s", "untuned", "ours"]
    assert len(ours.per_query) == SAMPLE_QUERIES
    assert not ours.errors
    assert ours.overall["ndcg@10"] >= bm25s.overall["ndcg@10"], render_markdown(report)
    # the tuning is what got us there
    assert ours.overall["ndcg@10"] > untuned.overall["ndcg@10"], render_markdown(report)


def test_report_tables_and_json_name_every_query(report: Report) -> None:
    text = render_markdown(report)
    for qid, _ in report.collection.queries:
        assert f"\n| {qid} | " in text
    data = report.to_json()
    assert [s["name"] for s in data["systems"]] == ["bm25s", "untuned", "ours"]
    for system in data["systems"]:
        assert set(system["per_query"]) == set(report.collection.qrels)
        assert set(system["overall"]) == {"ndcg@10", "map", "p@10", "recall@100"}
