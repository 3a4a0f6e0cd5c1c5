"""The article page lists a crawled article's captures, linked to a replay only when a web
archive is configured (``WAYBACK_BASE``), with the URL escaped like every other input text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from indexer import Article, index_articles
from indexer.cli.commands import cli
from webapp import create_app

URL = 'https://example.com/news/quay?a=1&b="<x>"'


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("captures")
    index_articles(
        path,
        [
            Article(
                id="quay",
                headline="Quay opening delayed",
                paragraphs=("The harbour quay opens next spring.",),
                url=URL,
                captures=(
                    datetime(2024, 1, 5, 10, 0, 0, tzinfo=UTC),
                    datetime(2024, 3, 1, 12, 30, 5, tzinfo=UTC),
                ),
            ),
            Article(id="plain", headline="Ferry reopens", paragraphs=("The ferry runs.",)),
        ],
    )
    return path


def _captures(index_dir: Path, article_id: str, **config: object) -> BeautifulSoup | None:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, **config})
    try:
        page = app.test_client().get(f"/articles/{article_id}")
    finally:
        app.extensions["newsfind_index"].close()
    assert page.status_code == 200
    found = BeautifulSoup(page.data, "html.parser").find("section", class_="article-captures")
    return found if found is None else BeautifulSoup(str(found), "html.parser")


def test_captures_are_listed_without_links_by_default(index_dir: Path) -> None:
    section = _captures(index_dir, "quay")
    assert section is not None
    assert section.h2 is not None and section.h2.get_text() == "Captured 2 times"
    assert [t["datetime"] for t in section.find_all("time")] == [
        "2024-01-05T10:00:00+00:00",
        "2024-03-01T12:30:05+00:00",
    ]
    assert section.find("a") is None


def test_wayback_base_links_each_capture_to_its_replay(index_dir: Path) -> None:
    section = _captures(index_dir, "quay", WAYBACK_BASE="https://web.archive.org/web/")
    assert section is not None
    assert [a["href"] for a in section.find_all("a")] == [
        f"https://web.archive.org/web/20240105100000/{URL}",
        f"https://web.archive.org/web/20240301123005/{URL}",
    ]
    assert "<x>" not in str(section).replace("&lt;x&gt;", "")


def test_an_article_never_crawled_has_no_captures_section(index_dir: Path) -> None:
    assert _captures(index_dir, "plain", WAYBACK_BASE="https://web.archive.org/web") is None


def test_bad_wayback_base_is_one_line_naming_the_option(index_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--index", str(index_dir), "--wayback-base", "javascript:alert(1)"]
    )
    assert result.exit_code == 2
    assert "--wayback-base" in result.output and "WAYBACK_BASE must be an http(s) URL" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_search_page_offers_the_crawled_sort(index_dir: Path) -> None:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    try:
        client = app.test_client()
        plain = BeautifulSoup(client.get("/search?q=harbour").data, "html.parser")
        ranked = BeautifulSoup(client.get("/search?q=harbour&sort=crawled").data, "html.parser")
    finally:
        app.extensions["newsfind_index"].close()
    sorts = [li.get_text(strip=True) for li in plain.select("nav.sort li")]
    assert sorts == ["Relevance", "Newest", "Oldest", "Crawled"]
    current = ranked.select_one("nav.sort .sort-current")
    assert current is not None and current.get_text() == "Crawled"
