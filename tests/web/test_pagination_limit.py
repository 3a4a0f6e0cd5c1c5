"""More pages than MAX_PAGE: no link, "page N of M" or Next offers a page the API refuses, and
the page says how to narrow the search (web and CLI)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient

from indexer import MAX_PAGE, index_articles, iter_articles
from tests.conftest import write_jsonl
from webapp import create_app

ARTICLES = MAX_PAGE + 3


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    jsonl = write_jsonl(
        root / "in.jsonl",
        ({"id": f"a{i}", "headline": f"Wombat count {i}"} for i in range(ARTICLES)),
    )
    index_articles(root / "ix", iter_articles([str(jsonl)]))
    return root / "ix"


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app.test_client()
    app.extensions["newsfind_index"].close()


@pytest.mark.parametrize("page", [1, MAX_PAGE - 1, MAX_PAGE])
def test_no_link_past_the_last_page_the_api_accepts(client: FlaskClient, page: int) -> None:
    response = client.get("/search", query_string={"q": "wombat", "per_page": 1, "page": page})
    assert response.status_code == 200
    html = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for link in html.select(".pagination a"):
        found = re.search(r"[?&]page=(\d+)", str(link["href"]))
        target = int(found.group(1)) if found else 1
        assert 1 <= target <= MAX_PAGE, link
        assert client.get(str(link["href"])).status_code == 200
    assert (html.select_one(".page-next") is None) == (page == MAX_PAGE)
    count = html.select_one(".results-count").get_text(" ", strip=True)
    assert f"page {page} of {MAX_PAGE} shown" in count
    note = html.select_one(".pagination-limit").get_text(" ", strip=True)
    assert f"{ARTICLES:,} in all" in note and "narrow the search" in note


def test_the_cli_says_how_far_it_can_page_and_how_to_narrow(index_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "search", "wombat", "--per-page", "1",
         "--index", str(index_dir)],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    tail = done.stdout.strip().splitlines()[-2:]
    assert re.fullmatch(
        rf"{ARTICLES:,} articles, {ARTICLES:,} hits, {ARTICLES:,} stories; page 1 of {MAX_PAGE} "
        r"\(search \d+ ms, opening the index \d+ ms\)",
        tail[0],
    ), tail
    assert tail[1].startswith(f"only the first {MAX_PAGE:,} pages can be shown")
