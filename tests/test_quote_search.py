"""Quotations in the index: quote documents of their article, ``kind:quote`` and ``speaker:``
queries, the speaker facet and hit field, the capability an engine declares for them, and
quotes shown inline (once) by ``newsfind show`` and the article page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import NewsIndex, QueryError, index_articles, iter_articles, open_index
from indexer.cli import cli
from indexer.engine.whoosh.engine import WhooshEngine
from webapp import create_app

from .conftest import SEED, write_jsonl

SEED_ID = "608a415901ee4207"
GABUEV = 5  # quotations of Alexander Gabuev in the seed article (tests/data/quotes_labelled)
PUTIN = 4


def test_quotes_are_documents_of_their_article_with_speakers(seed_index: Path) -> None:
    with open_index(seed_index) as ix:
        found = ix.search("kind:quote", per_page=1)
        assert (found.total_hits, found.total_articles) == (10, 1)
        assert found.facets["kind"] == {"quote": 10}
        assert found.facets["speaker"] == {
            "alexander gabuev": GABUEV,
            "vladimir putin": PUTIN,
            "viktor orban": 1,
        }
        same = ix.search("cooperation", kind="quote")
        assert [h.kind for r in same.results for h in r.hits] == ["quote", "quote"]


@pytest.mark.parametrize(
    ("query", "speaker", "total"),
    [
        ("speaker:putin", "Vladimir Putin", PUTIN),
        ('speaker:"alexander gabuev"', "Alexander Gabuev", GABUEV),
        ("speaker:gabuev kind:quote", "Alexander Gabuev", GABUEV),
        ("speaker:putin satisfaction", "Vladimir Putin", 1),
    ],
)
def test_speaker_queries_find_that_speakers_quotes(
    seed_index: Path, query: str, speaker: str, total: int
) -> None:
    with open_index(seed_index) as ix:
        found = ix.search(query, per_page=1)
        assert found.total_hits == total
        hits = [h for r in found.results for h in r.hits]
        assert hits and {h.kind for h in hits} == {"quote"}
        assert {h.speaker for h in hits} == {speaker}
        assert {h["speaker"] for h in found.to_json()["results"][0]["hits"]} == {speaker}
        assert found.facets["speaker"] == {speaker.lower(): total}


def test_a_quote_hit_carries_speaker_as_a_caption_hit_carries_credit(seed_index: Path) -> None:
    with open_index(seed_index) as ix:
        data = ix.search("lifeline").to_json()
    by_kind = {h["kind"]: h for h in data["results"][0]["hits"]}
    assert by_kind["quote"]["speaker"] == "Alexander Gabuev"
    assert by_kind["paragraph"]["speaker"] is None
    assert "<mark>lifeline</mark>" in by_kind["quote"]["snippet"]


def test_reindexing_the_same_article_is_unchanged(seed_index: Path) -> None:
    again = index_articles(seed_index, iter_articles([str(SEED)]))
    assert (again.unchanged, again.updated, again.documents) == (1, 0, 0)
    with open_index(seed_index) as ix:
        assert ix.stats().kinds["quote"] == 10


def test_a_changed_quote_replaces_the_old_one(tmp_path: Path) -> None:
    article = {"id": "a", "headline": "Talks", "paragraphs": ['"We agree," said Jane Smith.']}
    index_articles(
        tmp_path / "ix", iter_articles([str(write_jsonl(tmp_path / "1.jsonl", [article]))])
    )
    article["paragraphs"] = ['"We disagree," said John Brown.']
    index_articles(
        tmp_path / "ix", iter_articles([str(write_jsonl(tmp_path / "2.jsonl", [article]))])
    )
    with open_index(tmp_path / "ix") as ix:
        assert ix.search("speaker:smith").total_hits == 0
        assert ix.search("speaker:brown").total_hits == 1
        assert ix.stats().kinds["quote"] == 1


class _NoQuotes(WhooshEngine):
    name = "limited"
    capabilities = WhooshEngine.capabilities - {"quotes"}


@pytest.mark.parametrize(
    ("query", "kind"),
    [("speaker:putin", None), ('speaker:"alexander gabuev"', None), ("kind:quote", None),
     ("cooperation", "quote")],
)  # fmt: skip
def test_an_engine_without_quotes_refuses_them_clearly(
    seed_index: Path, query: str, kind: str | None
) -> None:
    with NewsIndex(_NoQuotes(seed_index)) as ix:
        assert ix.search("cooperation").total_hits > 0
        with pytest.raises(QueryError, match="the limited engine cannot run quotes queries"):
            ix.search(query, kind=kind)


def test_show_prints_each_quote_once_in_its_paragraph_with_its_speaker(seed_index: Path) -> None:
    out = (
        CliRunner()
        .invoke(cli, ["show", SEED_ID, "--index", str(seed_index)], catch_exceptions=False)
        .stdout
    )
    flat = " ".join(out.split())
    assert flat.count("We just see a desire for cooperation") == 1
    assert "We just see a desire for cooperation,” [Vladimir Putin] he told state" in flat
    assert flat.count("[Alexander Gabuev]") == GABUEV
    assert "“no-limits” relationship" in flat and "[" not in flat.split("no-limits")[1][:30]


def test_the_article_page_shows_quotes_inline_once_and_escaped(tmp_path: Path) -> None:
    hostile = {
        "id": "h",
        "headline": "Odd",
        "paragraphs": ['"<b>Hello</b> & goodbye," said John Smith.'],
    }
    corpus = write_jsonl(tmp_path / "h.jsonl", [hostile])
    index_articles(tmp_path / "ix", iter_articles([str(SEED), str(corpus)]))
    app = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True})
    try:
        client = app.test_client()
        page = BeautifulSoup(client.get(f"/articles/{SEED_ID}?q=lifeline").data, "lxml")
        quotes = page.select(".article-body .quote")
        assert len(quotes) == 10
        assert len(page.select(".article-body p")) == 24 + 1  # paragraphs and the note
        assert [c.get_text() for c in page.select(".article-body .speaker")].count(
            "Alexander Gabuev"
        ) == GABUEV
        assert page.select_one(".article-body .quote mark").get_text() == "lifeline"
        # each quote hit of a search links to its quote on this page
        hits = client.get("/api/search?q=speaker:putin").get_json()["results"][0]["hits"]
        for hit in hits:
            assert "quote" in page.select_one(f"#doc-{hit['position']}")["class"]
        odd = BeautifulSoup(client.get("/articles/h").data, "lxml")
        quote = odd.select_one(".article-body .quote")
        assert quote.get_text() == "<b>Hello</b> & goodbye,"
        assert quote.find("b") is None
        assert odd.select_one(".article-body .speaker").get_text() == "John Smith"
        search = BeautifulSoup(client.get("/search?q=speaker:putin").data, "lxml")
        assert search.select_one(".hit-quote .speaker").get_text() == "Vladimir Putin"
        facet = search.find(string="Speaker")
        assert facet is not None
    finally:
        app.extensions["newsfind_index"].close()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("speaker:", "'speaker:' needs something after it"),
        ("speaker:>=putin", "speaker: takes a name"),
        ("speaker:2023-10-01..2023-10-31", "ranges work on published: and photo_date:"),
        ("-speaker:putin", "only excludes"),
        ('speaker:"alexander gabuev', "unbalanced quotes"),
    ],
)
def test_bad_speaker_input_is_one_clear_message(seed_index: Path, query: str, message: str) -> None:
    with open_index(seed_index) as ix, pytest.raises(QueryError, match=re.escape(message)):
        ix.search(query)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(alphabet=st.sampled_from('ab "()<>=.*~:-+\u201cé1'), max_size=12))
def test_speaker_values_fuzzed_give_results_or_our_query_error(
    seed_index: Path, value: str
) -> None:
    with open_index(seed_index) as ix:
        for query in (f"speaker:{value}", f"putin speaker:{value} kind:quote"):
            try:
                ix.search(query)
            except QueryError:
                pass


def _documented_examples() -> list[str]:
    from .conftest import ROOT

    found = []
    for doc in ("README.md", "docs/query-language.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        found += re.findall(r"^\| `((?:kind:quote|speaker:)[^`]*)` \|", text, flags=re.M)
    return found


def test_the_documented_quote_examples_find_quotes_in_the_seed(seed_index: Path) -> None:
    examples = _documented_examples()
    assert len(examples) == 6  # three rows in each of the two tables
    with open_index(seed_index) as ix:
        for example in examples:
            found = ix.search(example)
            assert found.total_hits > 0, example
            assert {h.kind for r in found.results for h in r.hits} == {"quote"}, example
