"""A join's result on the page: its said and pictured hits in two labelled rows, the JSON
twin's hits saying their side, and the help page's join example finding the seed article."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from indexer import index_articles, iter_articles
from tests.conftest import SEED
from webapp import create_app

JOIN = 'said:("no limits") pictured:(putin xi)'


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    index = tmp_path_factory.mktemp("join") / "index"
    assert index_articles(index, iter_articles([str(SEED)])).failed == 0
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    yield app
    app.extensions["newsfind_index"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_a_join_result_shows_said_and_pictured_rows(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search", query_string={"q": JOIN}).data, "html.parser")
    rows = page.select(".result .join-row")
    assert [r.select_one(".join-label").get_text() for r in rows] == ["Said", "Pictured"]
    said, pictured = rows
    assert said.select(".hit-paragraph") and not said.select(".hit-caption")
    assert "no-limits" in said.select_one("mark").get_text()
    assert pictured.select(".hit-caption") and not pictured.select(".hit-paragraph")
    assert {m.get_text() for m in pictured.select("mark")} == {"Putin", "Xi"}


def test_a_plain_result_has_no_rows_and_the_json_says_each_side(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search", query_string={"q": "putin"}).data, "html.parser")
    assert page.select(".result .hits") and not page.select(".join-row")
    body = client.get("/api/search", query_string={"q": JOIN}).get_json()
    hits = body["results"][0]["hits"]
    assert {(h["kind"], h["side"]) for h in hits} == {
        ("paragraph", "said"),
        ("caption", "pictured"),
    }
    assert body["facets"]["kind"]["caption"] == body["total_hits"] - 1


def test_the_help_page_explains_the_join_with_an_example_that_finds_the_seed(
    client: FlaskClient,
) -> None:
    help_page = BeautifulSoup(client.get("/help").data, "html.parser")
    examples = [code.get_text() for code in help_page.select("a code")]
    assert JOIN in examples
    new = [e for e in examples if re.search(r'"~[0-9]|NEAR/|SENTENCE|said:|pictured:', e)]
    assert len(set(new)) == 4
    for example in new:
        body = client.get("/api/search", query_string={"q": example}).get_json()
        assert body.get("total_articles"), example


def test_the_article_page_marks_each_side_in_its_own_passages(client: FlaskClient) -> None:
    """said: words in the paragraphs, pictured: words in the captions, as the hits are marked."""
    body = client.get("/api/search", query_string={"q": JOIN}).get_json()
    url = f"/articles/{body['results'][0]['article_id']}"
    page = BeautifulSoup(client.get(url, query_string={"q": JOIN}).data, "html.parser")
    said = {m.get_text() for m in page.select(".article-body mark")}
    pictured = {m.get_text() for m in page.select(".article-photos mark")}
    assert said == {"no-limits"}
    assert pictured == {"Putin", "Xi"}
    plain = BeautifulSoup(client.get(url, query_string={"q": "putin"}).data, "html.parser")
    assert plain.select(".article-body mark") and plain.select(".article-photos mark")
