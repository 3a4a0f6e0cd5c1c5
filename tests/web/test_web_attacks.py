"""The web app under attack: an XSS corpus in article fields and in query strings.

Every page and feed is parsed (HTML with bs4, Atom and OpenSearch as XML) and checked
structurally: no element or attribute the payload could have created, no ``javascript:`` URL,
snippets that hold nothing but text and ``<mark>``. Substring checks would miss an attribute
broken out of its quotes; a parser does not.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient

from indexer import article_from_json, index_articles
from webapp import create_app

# Each payload carries the word "zapxss" so a search finds the articles that hold it.
PAYLOADS = [
    "<script>alert('zapxss')</script>",
    '"><img src=x onerror=alert(1)> zapxss',
    "' onmouseover='alert(1)' zapxss",
    "javascript:alert('zapxss')",
    "</title><script>alert(1)</script> zapxss",
    "<svg/onload=alert(1)> zapxss",
    "]]><script>alert(1)</script><![CDATA[ zapxss",
    "<mark onclick=alert(1)>zapxss</mark>",
    "\u202egnp.exe zapxss \u200b\ufeff <\u0131mg src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt; zapxss",
    "<a href='javascript:alert(1)'>zapxss</a>",
    "{{7*7}} ${7*7} <%= 7*7 %> zapxss",
]
EVIL_URL = "javascript:alert('zapxss')"


def evil_articles() -> list[dict[str, Any]]:
    articles = []
    for i, payload in enumerate(PAYLOADS):
        articles.append(
            {
                "id": f"evil-{i}" if i % 2 else f"<b>evil</b>\"'{i}",
                "url": EVIL_URL if i % 3 == 0 else f"https://example.test/{quote(payload)}",
                "headline": f"Headline {payload}",
                "published": f"2023-10-{10 + i}T08:00:00Z",
                "source": payload[:40],
                "byline": payload,
                "dateline": payload,
                "paragraphs": [f"Paragraph zapxss {payload}", payload],
                "captions": [{"text": f"Caption zapxss {payload}", "credit": payload}],
                "notes": [payload],
            }
        )
    return articles


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    index_dir = tmp_path_factory.mktemp("attack") / "ix"
    report = index_articles(index_dir, [article_from_json(a) for a in evil_articles()])
    assert report.added == len(PAYLOADS)
    app: Flask = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app.test_client()
    app.extensions["newsfind_index"].close()


def assert_safe_html(html: str) -> BeautifulSoup:
    doc = BeautifulSoup(html, "html.parser")
    charts = doc.select("figure.timeline > svg.timeline-chart")  # the page's own timeline
    assert len(charts) <= 1
    for tag in doc.find_all(True):
        assert isinstance(tag, Tag)
        if tag in charts:
            assert tag.find_all(True, recursive=True) and all(
                t.name in {"title", "desc", "line", "text", "a", "rect"} for t in tag.find_all(True)
            ), tag
            continue
        assert tag.name not in {"svg", "iframe", "object", "embed"}, tag
        if tag.name == "script":
            # our own scripts only: from a file, never inline
            assert tag.get("src") and not tag.get_text(strip=True), tag
        if tag.name == "img":
            assert tag.get("src") != "x", tag
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr, value)
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower() in {"href", "src", "action", "formaction", "xlink:href"}:
                assert not text.strip().lower().startswith(("javascript:", "data:text")), tag
        if tag.name == "mark":
            assert not tag.attrs, tag
    return doc


def assert_snippet_safe(snippet: str) -> None:
    doc = BeautifulSoup(snippet, "html.parser")
    assert {t.name for t in doc.find_all(True)} <= {"mark"}, snippet
    assert all(not t.attrs for t in doc.find_all(True)), snippet


QUERIES = [*PAYLOADS, 'zapxss "><script>alert(1)</script>', "zapxss' onfocus='alert(1)"]


@pytest.mark.parametrize("query", QUERIES)
def test_search_page_escapes_payloads_in_results_and_query(client: FlaskClient, query: str) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code in (200, 400), response.status_code
    doc = assert_safe_html(response.get_data(as_text=True))
    assert doc.find("title") is not None
    # the query comes back as the value of the search box, as text, never as markup
    boxes = [i for i in doc.find_all("input") if i.get("name") == "q"]
    assert boxes and all(box.get("value") == query for box in boxes)
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp


def test_search_page_results_hold_payloads_as_text(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "zapxss", "per_page": "100"})
    assert response.status_code == 200
    text = assert_safe_html(response.get_data(as_text=True)).get_text()
    assert "<script>alert('zapxss')</script>" in text


def test_article_pages_escape_every_field(client: FlaskClient) -> None:
    for raw in evil_articles():
        response = client.get(f"/articles/{quote(raw['id'], safe='')}")
        assert response.status_code == 200, raw["id"]
        doc = assert_safe_html(response.get_data(as_text=True))
        # the payload is shown, as text
        headline = article_from_json(raw).headline
        assert headline and headline in doc.get_text()


def test_api_snippets_hold_only_text_and_mark(client: FlaskClient) -> None:
    for query in ["zapxss", "alert", "script", "onerror", "javascript"]:
        response = client.get("/api/search", query_string={"q": query, "per_page": "100"})
        assert response.status_code == 200
        data = response.get_json()
        assert response.mimetype == "application/json"
        for result in data["results"]:
            for hit in result["hits"]:
                assert_snippet_safe(hit["snippet"])


@pytest.mark.parametrize("query", QUERIES)
def test_atom_feed_is_well_formed_and_payloads_stay_text(client: FlaskClient, query: str) -> None:
    response = client.get("/search.atom", query_string={"q": query})
    if response.status_code == 400:
        return
    assert response.status_code == 200
    root = ET.fromstring(response.get_data())
    ns = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{ns}feed"
    for element in root.iter():
        # nothing the payload could have injected: only Atom elements
        assert element.tag.startswith(ns), element.tag
        for attr, value in element.attrib.items():
            assert not attr.lower().startswith("on")
            if attr == "href":
                assert not value.lower().startswith("javascript:"), value
        if element.tag == f"{ns}content" and element.get("type") == "html" and element.text:
            # html content is itself escaped markup: parse it as a page fragment
            assert_safe_html(element.text)


def test_opensearch_description_is_well_formed(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml", headers={"Host": 'evil"><x>.test'})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        root = ET.fromstring(response.get_data())
        for element in root.iter():
            assert element.tag.startswith("{http://a9.com/-/spec/opensearch/1.1/}"), element.tag


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "zapxss", "per_page": "1000000"},
        {"q": "zapxss", "page": "99999999999999999999"},
        {"q": "zapxss", "from": "<script>"},
        {"q": "\x00\x01 zapxss"},
        {"q": "(" * 500 + "zapxss"},
        {"q": "zapxss", "sort": "' OR 1=1 --"},
    ],
)
def test_hostile_parameters_get_a_4xx_or_results_never_a_5xx(
    client: FlaskClient, params: dict[str, str]
) -> None:
    for route in ("/api/search", "/search", "/search.atom"):
        response = client.get(route, query_string=params)
        assert response.status_code < 500, (route, params, response.status_code)
        if route == "/api/search" and response.status_code == 400:
            error = response.get_json()["error"]
            assert error["message"] and error["param"] in {"q", "per_page", "page", "from", "sort"}
        if route == "/search":
            assert_safe_html(response.get_data(as_text=True))


def test_unknown_article_ids_with_markup_are_404s(client: FlaskClient) -> None:
    for bad in ["<script>alert(1)</script>", "..%2F..%2Fetc%2Fpasswd", "%00", "x" * 3000]:
        for route in (f"/articles/{bad}", f"/api/articles/{bad}"):
            response = client.get(route)
            assert response.status_code in (404, 400), (route, response.status_code)
            if route.startswith("/articles"):
                assert_safe_html(response.get_data(as_text=True))


LOAD = Path(__file__).resolve().parents[2] / "benchmarks" / "load.py"


@pytest.mark.slow
def test_short_load_run_against_newsfind_serve(tmp_path: Path) -> None:
    """A bounded run of benchmarks/load.py (the 60 s run is a command, not a test): the real
    server under concurrent mixed queries answers no 5xx and drops no connection."""
    index_dir = tmp_path / "ix"
    assert index_articles(index_dir, [article_from_json(a) for a in evil_articles()]).added
    done = subprocess.run(
        [sys.executable, str(LOAD), "--index", str(index_dir), "--duration", "3",
         "--warmup", "1", "--concurrency", "8", "--max-rss-growth", "1000", "--json"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["server_errors_5xx"] == 0 and result["connection_failures"] == 0
    assert result["requests"] > 0 and set(result["statuses"]) <= {"200", "400", "404"}
