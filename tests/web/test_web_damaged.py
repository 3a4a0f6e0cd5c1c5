"""A damaged index on the web: 503 on /healthz and a page saying so, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from indexer import index_articles, iter_articles
from tests.conftest import SEED
from webapp import create_app


@pytest.mark.parametrize("path", ["/search?q=putin", "/api/search?q=putin", "/healthz", "/"])
def test_a_damaged_index_is_a_503_saying_so(tmp_path: Path, path: str) -> None:
    index_articles(tmp_path / "ix", iter_articles([str(SEED)]))
    (seg,) = (tmp_path / "ix").glob("*.seg")
    seg.write_bytes(seg.read_bytes()[:100])
    app = create_app({"INDEX_DIR": str(tmp_path / "ix"), "TESTING": True})
    try:
        response = app.test_client().get(path)
    finally:
        app.extensions["newsfind_index"].close()
    assert response.status_code == 503, response.get_data(as_text=True)
    if response.is_json:
        message = response.get_json()["error"]["message"]
    else:
        message = BeautifulSoup(response.get_data(as_text=True), "html.parser").get_text()
    assert f"is damaged: {seg.name}: 100 bytes where the commit wrote" in message
