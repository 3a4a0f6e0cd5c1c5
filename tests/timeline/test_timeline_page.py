"""The timeline on the search page (server-rendered SVG, parsed with bs4), its CSV download,
the timeline in the JSON API, and the "Watch this search" command."""

from __future__ import annotations

import csv
import io
import shlex
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from tests.conftest import BuildIndex
from tests.timeline.test_timeline import CORPUS
from webapp import create_app


@pytest.fixture
def client(build_index: BuildIndex) -> FlaskClient:
    return create_app({"INDEX_DIR": str(build_index(articles=CORPUS))}).test_client()


def test_bars_are_accessible_links_to_the_narrowed_search(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search?q=strike&interval=month&kind=all").data, "html.parser")
    svg = page.select_one("svg.timeline-chart")
    assert svg is not None and svg["role"] == "img"
    assert svg.select_one("title").get_text() == "Matching articles per month"
    assert "2023-10 to 2025-03" in svg.select_one("desc").get_text()
    links = svg.select("a.timeline-link")
    # only periods with matches link somewhere; every bar has a readable title
    assert [a["data-period"] for a in links] == ["2023-10", "2023-12", "2025-03"]
    assert len(svg.select("rect.timeline-bar")) == 18
    assert links[0]["aria-label"] == "2023-10: 3 matching articles"
    args = parse_qs(urlsplit(links[0]["href"]).query)
    assert args == {"q": ["strike"], "kind": ["all"], "from": ["2023-10-01"], "to": ["2023-10-31"]}
    assert [t.get_text() for t in svg.select("text.timeline-tick")] == ["0", "1.5", "3"]
    narrowed = client.get(links[0]["href"]).get_data(as_text=True)
    assert len(BeautifulSoup(narrowed, "html.parser").select("li.result")) == 3


def test_normalized_chart_shows_shares(client: FlaskClient) -> None:
    page = BeautifulSoup(
        client.get("/search?q=strike&interval=month&normalize=1").data, "html.parser"
    )
    label = page.select_one("a.timeline-link")["aria-label"]
    assert label == "2023-10: 3 matching articles (75.0% of the period's articles)"
    assert page.select_one("#timeline-title").get_text() == "Share of all articles per month"


def test_csv_download_is_the_series(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search?q=strike&interval=month").data, "html.parser")
    link = page.select_one("a.timeline-csv")["href"]
    answer = client.get(link)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert len(rows) == 18 + 1  # every month, then the undated
    assert rows[0]["label"] == "2023-10" and rows[0]["articles"] == "3"
    assert rows[-1]["label"] == "undated" and rows[-1]["articles"] == "2"
    bad = client.get("/search/timeline.csv?q=strike&interval=hour")
    assert bad.status_code == 400 and bad.get_json()["error"]["param"] == "interval"


def test_api_search_has_the_timeline(client: FlaskClient) -> None:
    data = client.get("/api/search?q=strike&interval=year").get_json()
    timeline = data["timeline"]
    assert [(p["label"], p["articles"]) for p in timeline["periods"]] == [
        ("2023", 4),
        ("2024", 0),
        ("2025", 1),
    ]
    assert timeline["undated"]["articles"] == 2
    assert client.get("/api/search?q=strike&normalize=2").status_code == 400


def test_watch_this_search_shows_the_exact_command(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search?q=-calm+strike&kind=paragraph").data, "html.parser")
    command = page.select_one(".watch-command").get_text()
    assert shlex.split(command) == [
        "newsfind", "watch", "add", "calm-strike", "--kind", "paragraph", "--", "-calm strike"
    ]  # fmt: skip


def test_a_search_without_matches_draws_no_chart(client: FlaskClient) -> None:
    page = BeautifulSoup(client.get("/search?q=nomatchword").data, "html.parser")
    assert page.select_one("svg.timeline-chart") is None
