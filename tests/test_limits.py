"""Limits that keep one client from making the server slow or dead: each is a clear 4xx."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer import QueryError, QueryTooSlow, index_articles, iter_articles, open_index
from webapp import create_app

from .conftest import SEED
from .serving import serving


def test_time_budget_refuses_a_search_that_runs_past_it(seed_index: Path) -> None:
    with open_index(seed_index) as ix:
        assert ix.search("putin", time_budget=None).total_hits > 0
        assert ix.search("putin", time_budget=60).total_hits > 0
        with pytest.raises(QueryTooSlow) as info:
            ix.search("putin xi beijing", time_budget=0)
    assert isinstance(info.value, QueryError)
    assert info.value.param == "q"
    assert "add words or a filter" in info.value.message


def test_time_budget_is_a_400_on_the_api_and_the_page(seed_index: Path) -> None:
    client = create_app({"INDEX_DIR": str(seed_index), "QUERY_TIME_BUDGET": 0}).test_client()
    response = client.get("/api/search", query_string={"q": "putin"})
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == "q"
    assert "needs more than 0 s" in response.get_json()["error"]["message"]
    page = client.get("/search", query_string={"q": "putin"})
    assert page.status_code == 400
    assert b"add words or a filter" in page.data
    # the default budget answers normally
    normal = create_app({"INDEX_DIR": str(seed_index)}).test_client()
    assert normal.get("/api/search", query_string={"q": "putin"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "param"),
    [({"q": "x" * 10_000}, "q"), ({"q": "putin", "per_page": "101"}, "per_page")],
)
def test_query_length_and_per_page(seed_index: Path, params: dict[str, str], param: str) -> None:
    client = create_app({"INDEX_DIR": str(seed_index)}).test_client()
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["param"] == param


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``newsfind serve`` on a free loopback port over the seed index."""
    root = tmp_path_factory.mktemp("limits")
    index_articles(root / "index", iter_articles([str(SEED)]))
    with serving(root / "index", root / "serve.log") as base:
        host, port = base.removeprefix("http://").split(":")
        yield host, int(port)


def _request(server: tuple[str, int], method: str, path: str, **kw: Any) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*server, timeout=30)
    try:
        conn.request(method, path, **kw)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_a_large_request_body_is_413(server: tuple[str, int]) -> None:
    status, _ = _request(server, "POST", "/api/search?q=putin", body=b"x" * (64 * 1024))
    assert status == 413


def test_huge_headers_are_refused(server: tuple[str, int]) -> None:
    status, _ = _request(server, "GET", "/api/search?q=putin", headers={"X-Big": "y" * 100_000})
    assert 400 <= status < 500


def test_a_10000_character_query_over_http_is_400(server: tuple[str, int]) -> None:
    status, body = _request(server, "GET", "/api/search?q=" + "x" * 10_000)
    assert status == 400
    assert json.loads(body)["error"]["param"] == "q"


def test_normal_requests_still_answer(server: tuple[str, int]) -> None:
    status, body = _request(server, "GET", "/api/search?q=putin")
    assert status == 200
    assert json.loads(body)["total_hits"] > 0
