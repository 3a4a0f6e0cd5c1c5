"""A headline hit is not listed under the identical title: the title is marked instead, and
the passages are the hits shown (web page and CLI); the JSON keeps every hit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from indexer import index_articles, iter_articles
from tests.conftest import write_jsonl
from webapp import create_app

ARTICLE = {
    "id": "wombats",
    "headline": "Wombat census counts more wombats",
    "paragraphs": ["Rangers said the wombat census took a week.", "Nothing else here."],
}


def _index(tmp_path: Path) -> Path:
    jsonl = write_jsonl(tmp_path / "in.jsonl", [ARTICLE])
    index_articles(tmp_path / "ix", iter_articles([str(jsonl)]))
    return tmp_path / "ix"


def test_the_page_marks_the_title_instead_of_repeating_it(tmp_path: Path) -> None:
    app = create_app({"INDEX_DIR": str(_index(tmp_path)), "TESTING": True})
    client = app.test_client()
    try:
        page = BeautifulSoup(client.get("/search?q=wombat").get_data(as_text=True), "html.parser")
        data = client.get("/api/search?q=wombat").get_json()
    finally:
        app.extensions["newsfind_index"].close()
    title = page.select_one(".result-title a")
    assert [m.get_text() for m in title.select("mark")] == ["Wombat", "wombats"]
    assert page.select(".hit-headline") == []
    assert [h.get_text(" ", strip=True) for h in page.select(".hit .snippet")] == [
        "Rangers said the wombat census took a week."
    ]
    assert {h["kind"] for h in data["results"][0]["hits"]} == {"headline", "paragraph"}


def test_the_cli_marks_the_title_instead_of_repeating_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "search", "wombat", "--index", str(_index(tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "[headline]" not in done.stdout
    assert "[paragraph]" in done.stdout
