"""The public API (``indexer.__all__``) and the limits it exports, which every caller states.

The web app's OpenAPI description, its pages and the CLI help tell people which sorts and kinds
exist and how far page, per_page and q go. They must read those from ``indexer``, never restate
them: a restated number keeps promising the old value after the library changes. So the probe
below sets the library's constants to other values in a fresh interpreter, imports the web app
and the CLI afterwards, and checks that everything they state followed; the same probe with the
real values checks what is served today.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

import indexer

from .conftest import ROOT, BuildIndex

#: Names the limits are patched under in every ``indexer`` module that holds them.
LIMIT_NAMES = (
    "DEFAULT_PER_PAGE",
    "DEFAULT_SORT",
    "FACETS",
    "HITS_SHOWN",
    "KINDS",
    "MAX_FUZZY",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_QUERY_CHARS",
    "MIN_PREFIX",
    "SORTS",
)

#: Values no caller could state by accident (a kind and a sort more, fewer facets, odd numbers,
#: another default order).
OTHER_LIMITS: dict[str, Any] = {
    "DEFAULT_PER_PAGE": 7,
    "DEFAULT_SORT": "newest",
    "FACETS": ("kind", "source", "month"),
    "HITS_SHOWN": 5,
    "KINDS": (*indexer.KINDS, "sidebar"),
    "MAX_FUZZY": 1,
    "MAX_PAGE": 77,
    "MAX_PER_PAGE": 55,
    "MAX_QUERY_CHARS": 1234,
    "MIN_PREFIX": 3,
    "SORTS": (*indexer.SORTS, "shortest"),
}

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

ARTICLE = {
    "id": "a1",
    "headline": "Putin meets Xi",
    "published": "2023-10-17T10:00:00Z",
    "source": "AP",
    "paragraphs": [f"Putin and Xi spoke, part {i}." for i in range(8)],
    "captions": [{"text": "Putin waves", "credit": "Song"}],
}


def real_limits() -> dict[str, Any]:
    return {name: getattr(indexer, name) for name in LIMIT_NAMES}


def probe(index_dir: str, patch: dict[str, Any]) -> dict[str, Any]:
    """Run in a fresh interpreter: give the library's constants the values in ``patch``, then
    import the web app and the CLI and collect what they state to people."""
    patch = {k: tuple(v) if isinstance(v, list) else v for k, v in patch.items()}
    for name, module in list(sys.modules.items()):
        if name != "indexer" and not name.startswith("indexer."):
            continue
        for const, value in patch.items():
            if hasattr(module, const) and getattr(module, const) == getattr(indexer, const):
                setattr(module, const, value)
    assert "webapp" not in sys.modules and "indexer.cli" not in sys.modules
    from click.testing import CliRunner

    from indexer.cli import cli
    from webapp import create_app

    client = create_app({"INDEX_DIR": index_dir, "TESTING": True}).test_client()
    help_text = CliRunner().invoke(cli, ["search", "--help"], terminal_width=1000).output
    return {
        "openapi": client.get("/api/openapi.json").get_json(),
        "cli_help": help_text,
        "help_page": client.get("/help").text,
        "search_page": client.get("/search?q=putin").text,
    }


def run_probe(index_dir: Path, patch: dict[str, Any]) -> dict[str, Any]:
    code = (
        "import json, sys\n"
        "from tests.test_public_api import probe\n"
        "print(json.dumps(probe(sys.argv[1], json.loads(sys.argv[2]))))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, str(index_dir), json.dumps(patch)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def either(names: tuple[str, ...]) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}"


def check_openapi(doc: dict[str, Any], limits: dict[str, Any]) -> None:
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    q = params["q"]
    assert q["schema"]["maxLength"] == limits["MAX_QUERY_CHARS"]
    assert f"At most {limits['MAX_QUERY_CHARS']:,} characters." in q["description"]
    kinds = params["kind"]["schema"]["enum"]
    assert kinds[0] == "all" and sorted(kinds[1:]) == sorted(limits["KINDS"])
    assert params["sort"]["schema"] == {
        "type": "string",
        "enum": list(limits["SORTS"]),
        "default": limits["DEFAULT_SORT"],
    }
    assert params["page"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": limits["MAX_PAGE"],
        "default": 1,
    }
    assert params["per_page"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": limits["MAX_PER_PAGE"],
        "default": limits["DEFAULT_PER_PAGE"],
    }
    schemas = doc["components"]["schemas"]
    assert sorted(schemas["Hit"]["properties"]["kind"]["enum"]) == sorted(limits["KINDS"])
    assert schemas["ArticleResult"]["properties"]["hits"]["maxItems"] == limits["HITS_SHOWN"]
    facets = schemas["SearchResults"]["properties"]["facets"]["properties"]
    assert sorted(facets) == sorted(limits["FACETS"])


def check_cli_help(text: str, limits: dict[str, Any]) -> None:
    text = re.sub(r"\s+", " ", text)
    assert f"--kind K Only {either(limits['KINDS'])} hits." in text
    sorts = f"--sort ORDER {either(limits['SORTS'])}. [default: {limits['DEFAULT_SORT']}]"
    assert sorts in text
    per_page = (
        f"Articles a page (1-{limits['MAX_PER_PAGE']}). [default: {limits['DEFAULT_PER_PAGE']}]"
    )
    assert f"--per-page N {per_page}" in text


def check_help_page(html: str, limits: dict[str, Any]) -> None:
    soup = BeautifulSoup(html, "html.parser")
    rows = {
        row.code.get_text(): row.find_all("td")[1].get_text()
        for row in soup.select("table.syntax tbody tr")
    }
    assert f"(at least {WORDS[limits['MIN_PREFIX']]} letters before the *)" in rows["econom*"]
    fuzzy = limits["MAX_FUZZY"]
    assert rows["puttin~"].endswith(f"(~{fuzzy} for {WORDS[fuzzy]})")
    listed = re.fullmatch(r"only photo captions \(also (.*)\)", rows["kind:caption"])
    assert listed is not None, rows["kind:caption"]
    assert sorted(listed[1].split(", ")) == sorted(set(limits["KINDS"]) - {"caption"})
    assert f"its {WORDS[limits['HITS_SHOWN']]} best passages" in soup.get_text(" ")
    check_searchbox(soup, limits)


def check_searchbox(soup: BeautifulSoup, limits: dict[str, Any]) -> None:
    box = soup.find("input", id="q")
    assert box is not None and box["maxlength"] == str(limits["MAX_QUERY_CHARS"])


def check_search_page(html: str, limits: dict[str, Any]) -> None:
    soup = BeautifulSoup(html, "html.parser")
    items = soup.select("nav.sort li")
    assert [li.get_text(strip=True) for li in items] == [s.capitalize() for s in limits["SORTS"]]
    for sort, li in zip(limits["SORTS"], items, strict=True):
        link = li.find("a")
        if sort == limits["DEFAULT_SORT"]:
            assert link is None  # the current order, and the default: no link, no parameter
        else:
            assert link is not None and f"sort={sort}" in link["href"]
    check_searchbox(soup, limits)


def check_all(seen: dict[str, Any], limits: dict[str, Any]) -> None:
    check_openapi(seen["openapi"], limits)
    check_cli_help(seen["cli_help"], limits)
    check_help_page(seen["help_page"], limits)
    check_search_page(seen["search_page"], limits)


@pytest.fixture
def small_index(build_index: BuildIndex) -> Path:
    return build_index(articles=[ARTICLE])


def test_every_public_name_imports() -> None:
    assert len(set(indexer.__all__)) == len(indexer.__all__)
    namespace: dict[str, Any] = {}
    exec("from indexer import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(indexer.__all__)
    for name in indexer.__all__:
        assert getattr(indexer, name) is not None, name


def test_the_name_lists_cannot_be_changed_by_a_caller() -> None:
    for name in ("KINDS", "SORTS", "FACETS"):
        assert isinstance(getattr(indexer, name), tuple), name
    assert indexer.DEFAULT_SORT in indexer.SORTS
    assert 1 <= indexer.DEFAULT_PER_PAGE <= indexer.MAX_PER_PAGE


def test_the_library_enforces_the_limits_it_exports(small_index: Path) -> None:
    with indexer.open_index(small_index) as ix:
        for sort in indexer.SORTS:
            ix.search("putin", sort=sort)
        for kind in indexer.KINDS:
            ix.search("putin", kind=kind)
        ix.search("p" * indexer.MAX_QUERY_CHARS)
        ix.search("putin", page=indexer.MAX_PAGE, per_page=indexer.MAX_PER_PAGE)
        results = ix.search("putin")
        for too_far in (
            {"page": indexer.MAX_PAGE + 1},
            {"per_page": indexer.MAX_PER_PAGE + 1},
            {"query": "p" * (indexer.MAX_QUERY_CHARS + 1)},
        ):
            with pytest.raises(indexer.QueryError):
                ix.search(**{"query": "putin", **too_far})
    assert results.per_page == indexer.DEFAULT_PER_PAGE
    assert sorted(results.facets) == sorted(indexer.FACETS)
    [article] = results.results
    assert len(article.hits) == indexer.HITS_SHOWN and article.more_hits > 0


def test_what_is_served_states_the_library_limits(small_index: Path) -> None:
    check_all(run_probe(small_index, {}), real_limits())


def test_what_is_served_follows_when_the_library_limits_change(small_index: Path) -> None:
    """A restated number (``maximum: 100`` in openapi.py, ``1-100`` in the CLI help,
    ``maxlength="2000"`` in a template) keeps the old value here and fails."""
    limits = {**real_limits(), **OTHER_LIMITS}
    check_all(run_probe(small_index, OTHER_LIMITS), limits)


def test_every_error_a_caller_may_catch_is_public() -> None:
    """Programmatic callers catch what the library raises (a sphinx shard missing, strict
    results incomplete) by the names ``indexer`` exports, not by reaching into a module."""
    from indexer import errors

    raised = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.NewsfindError)
    }
    assert raised - set(indexer.__all__) == set()
