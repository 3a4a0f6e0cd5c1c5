"""The language facet on the search page: a value narrows the query with ``lang:`` and its
active link (and chip) undoes it; the page and the JSON API count the same."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import BuildIndex
from webapp import create_app
from webapp.facets import with_language, without_language

ARTICLES = [
    {"id": "fr1", "headline": "Tempête sur la côte", "language": "fr"},
    {"id": "fr2", "headline": "Tempête et inondations", "language": "fr"},
    {"id": "en1", "headline": "Tempête is the French word for storm", "language": "en"},
]


@pytest.fixture
def app(build_index: BuildIndex) -> Iterator[Flask]:
    app = create_app({"INDEX_DIR": str(build_index(articles=ARTICLES)), "TESTING": True})
    yield app
    app.extensions["newsfind_index"].close()


def _q(href: str) -> str:
    return parse_qs(urlsplit(href).query).get("q", [""])[0]


def test_language_facet_narrows_and_undoes(app: Flask) -> None:
    client: FlaskClient = app.test_client()
    data = client.get("/api/search", query_string={"q": "tempête"}).get_json()
    assert data["facets"]["language"] == {"fr": 2, "en": 1}
    page = BeautifulSoup(client.get("/search", query_string={"q": "tempête"}).data, "lxml")
    values = {
        li.select_one(".facet-label").get_text(): li
        for li in page.select(".facet-language .facet-value")
    }
    assert {k: v.select_one(".facet-count").get_text() for k, v in values.items()} == {
        "fr": "2",
        "en": "1",
    }
    narrowed = _q(values["fr"].select_one("a")["href"])
    assert narrowed == "tempête AND lang:fr"
    found = client.get("/api/search", query_string={"q": narrowed}).get_json()
    assert {r["article_id"] for r in found["results"]} == {"fr1", "fr2"}
    applied = BeautifulSoup(client.get("/search", query_string={"q": narrowed}).data, "lxml")
    active = applied.select_one(".facet-language .facet-value.is-active a")
    assert active is not None and _q(active["href"]) == "tempête"
    chips = [c["href"] for c in applied.select(".active-filters .chip-remove")]
    assert [_q(h) for h in chips] == ["tempête"]


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("", "fr", "lang:fr"),
        ("storm", "fr", "storm AND lang:fr"),
        ("storm OR rain", "fr", "(storm OR rain) AND lang:fr"),
        ("storm AND lang:en", "fr", "storm AND lang:fr"),
    ],
)
def test_with_language(query: str, language: str, expected: str) -> None:
    assert with_language(query, language) == expected
    assert without_language(expected) == query.replace(" AND lang:en", "")


def test_article_page_and_json_show_language_and_modification(build_index: BuildIndex) -> None:
    article = {
        "id": "m1",
        "headline": "Tempête sur la côte",
        "published": "2023-10-17T08:00:00+00:00",
        "modified": "2023-10-18T09:30:00+00:00",
        "language": "fr",
    }
    app = create_app({"INDEX_DIR": str(build_index(articles=[article])), "TESTING": True})
    try:
        client = app.test_client()
        data = client.get("/api/articles/m1").get_json()
        assert (data["language"], data["modified"]) == ("fr", "2023-10-18T09:30:00+00:00")
        page = BeautifulSoup(client.get("/articles/m1").data, "lxml")
        assert page.select_one(".language").get_text() == "fr"
        assert page.select_one(".modified time")["datetime"] == "2023-10-18T09:30:00+00:00"
    finally:
        app.extensions["newsfind_index"].close()
