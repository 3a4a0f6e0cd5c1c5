"""The seam: WhooshEngine behind the Engine protocol, engines chosen by location, capabilities
checked by the facade for every engine, and Whoosh imported nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer import NewsfindError, NewsIndex, QueryError, article_from_json, index_articles
from indexer.engine.base import Engine, open_engine, register_engine
from indexer.engine.whoosh.engine import WhooshEngine

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    article = {
        "id": "a1",
        "headline": "Belt and Road talks",
        "paragraphs": ["The Belt and Road Forum; a road and a belt.", "Visiting <b>ministers</b>."],
    }
    index_articles(path, [article_from_json(article)])
    return path


def test_whoosh_engine_is_an_engine(small: Path) -> None:
    with WhooshEngine(small) as engine:
        assert isinstance(engine, Engine)
        assert isinstance(open_engine(small), WhooshEngine)


class _NoFuzzy(WhooshEngine):
    name = "limited"
    capabilities = WhooshEngine.capabilities - {"fuzzy", "phrase"}


def test_a_query_needing_an_undeclared_capability_is_a_query_error_naming_the_engine(
    small: Path,
) -> None:
    with NewsIndex(_NoFuzzy(small)) as ix:
        assert ix.search("belt").total_articles == 1
        for query in ("roda~", 'forum "belt road"'):
            with pytest.raises(QueryError, match="the limited engine cannot run"):
                ix.search(query)


def test_an_unknown_scheme_is_a_clear_error_and_a_registered_one_is_used(small: Path) -> None:
    with pytest.raises(NewsfindError, match=r"nosuch://x: no search engine is registered"):
        open_engine("nosuch://x")
    register_engine("testwhoosh", lambda location, mode: WhooshEngine(small, mode=mode))
    with NewsIndex("testwhoosh://anything") as ix:
        assert ix.engine_name == "whoosh" and ix.search("forum").total_hits == 1


def test_highlight_marks_what_the_index_matches(small: Path) -> None:
    text = "The Belt and Road Forum; a road and a belt."
    with NewsIndex(small) as ix:
        assert ix.highlight([text], '"belt road"') == [
            "The <mark>Belt and Road</mark> Forum; a road and a belt."
        ]
        assert ix.highlight(["Visiting <b>ministers</b>"], "visit") == [
            "<mark>Visiting</mark> &lt;b&gt;ministers&lt;/b&gt;"
        ]
        # a query that cannot run marks nothing (the article page still renders)
        assert ix.highlight([text], '"belt road') == [text]
        assert ix.highlight([text], "belt", time_budget=0) == [text]


def test_the_article_page_marks_with_the_library(small: Path) -> None:
    from webapp import create_app

    client = create_app({"INDEX_DIR": str(small)}).test_client()
    page = client.get("/articles/a1", query_string={"q": '"belt road"'}).get_data(as_text=True)
    assert re.findall(r"<mark>(.*?)</mark>", page) == ["Belt and Road", "Belt and Road"]
    broken = client.get("/articles/a1", query_string={"q": '"belt road'})
    assert broken.status_code == 200 and "<mark>" not in broken.get_data(as_text=True)


def test_whoosh_is_imported_only_by_its_engine() -> None:
    found = []
    for tree in ("indexer", "webapp"):
        for path in sorted((ROOT / tree).rglob("*.py")):
            if path.is_relative_to(ROOT / "indexer" / "engine" / "whoosh"):
                continue
            text = path.read_text()
            if re.search(r"^\s*(from|import) whoosh\b", text, re.MULTILINE):
                found.append(str(path.relative_to(ROOT)))
    assert found == []


class _NoCloseness(WhooshEngine):
    name = "plain"
    capabilities = WhooshEngine.capabilities - {"near", "sentence", "join"}


@pytest.mark.parametrize(
    ("query", "needs"),
    [
        ('"belt road"~3', "near"),
        ("belt NEAR/3 road", "near"),
        ("belt SENTENCE road", "sentence"),
        ("said:(belt) pictured:(road)", "join"),
        ("pictured:(belt NEAR/2 road)", "join or near"),
    ],
)
def test_an_engine_without_proximity_or_joins_refuses_them_by_name(
    small: Path, query: str, needs: str
) -> None:
    with NewsIndex(_NoCloseness(small)) as ix:
        assert ix.search("belt road").total_articles == 1
        with pytest.raises(QueryError, match=f"the plain engine cannot run {needs} queries"):
            ix.search(query)
