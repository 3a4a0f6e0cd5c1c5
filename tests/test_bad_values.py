"""Issue 19, point 3: one odd parameter or query date is a clear 400 (or works), never a 500.

The cases of the issue go through a real ``newsfind serve`` and a real ``newsfind search``
subprocess; the date arithmetic at 0001-01-01 and 9999-12-31 is checked against an index holding
articles on exactly those days, in every form a date can take.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from indexer import QueryError, article_from_json, index_articles, open_index
from indexer.params import make_params

from .serving import ROOT, serving

HUGE = "9" * 4400


def _article(key: str, published: str | None, photo: str | None) -> dict[str, Any]:
    article: dict[str, Any] = {
        "id": key,
        "headline": f"Oil prices {key}",
        "paragraphs": ["Oil rose."],
        "captions": [{"text": "An oil rig", "date": photo}],
    }
    if published:
        article["published"] = published
    return article


#: An article on the first day there is, one on the last, one in between and one undated.
ARTICLES = [
    _article("first", "0001-01-01T00:00:00Z", "0001-01-01"),
    _article("mid", "2023-10-10T08:00:00Z", "2023-10-09"),
    _article("last", "9999-12-31T23:00:00Z", "9999-12-31"),
    _article("undated", None, None),
]


@pytest.fixture(scope="module")
def extremes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("extremes") / "ix"
    report = index_articles(index_dir, [article_from_json(a) for a in ARTICLES])
    assert report.added == len(ARTICLES), report.errors
    return index_dir


@pytest.fixture(scope="module")
def base_url(extremes: Path) -> Iterator[str]:
    with serving(extremes, extremes.parent / "serve.log") as base:
        yield base


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --- over HTTP --------------------------------------------------------------------------------

#: (raw query string after q=oil, the parameter the 400 must name); sent exactly as written
REFUSED = [
    ("page=%C2%B2", "page"),  # '²': str.isdigit() says yes, int() says no
    ("page=%E2%91%A0", "page"),  # '①'
    ("page=%D9%A3", "page"),  # Arabic-Indic 3: int() takes it, but a page number is ASCII
    (f"page={HUGE}", "page"),  # over Python's 4,300-digit int() limit
    (f"per_page={HUGE}", "per_page"),
    ("page=--5", "page"),
    ("from=%D9%A2%D9%A0%D9%A2%D9%A3-01-01", "from"),
    ("to=10000-01-01", "to"),
    ("q=oil+published:%D9%A2%D9%A0%D9%A2%D9%A3", "q"),
]


@pytest.mark.parametrize(("extra", "param"), REFUSED)
def test_a_bad_parameter_is_a_400_naming_it(base_url: str, extra: str, param: str) -> None:
    query = extra if extra.startswith("q=") else f"q=oil&{extra}"
    for route in ("/api/search", "/search.atom"):
        if route == "/search.atom" and param == "per_page":
            continue  # the feed has its own length and ignores per_page
        status, body = _get(f"{base_url}{route}?{query}")
        assert status == 400, (route, body[:300])
        error = json.loads(body)["error"]
        assert error["param"] == param
        assert 0 < len(error["message"]) < 200 and "\n" not in error["message"]
    status, page = _get(f"{base_url}/search?{query}")
    assert status == 400
    shown = BeautifulSoup(page, "html.parser").get_text()
    assert HUGE[:100] not in shown  # the value is cut, not echoed back whole


#: (query string, article ids expected): the extremes are valid and mean what they say
ACCEPTED = [
    ("q=oil&to=9999-12-31", ["first", "last", "mid"]),
    ("q=oil&from=0001-01-01", ["first", "last", "mid"]),
    ("q=oil&from=9999-12-31&to=9999-12-31", ["last"]),
    ("q=oil&to=0001-01-01", ["first"]),
    ("q=oil+published:9999-12-31", ["last"]),
    ("q=oil+photo_date:9999-12-31", ["last"]),
    ("q=oil+published:0001-01-01..9999-12-31", ["first", "last", "mid"]),
    ("q=oil&page=0001&per_page=%20100%20", ["first", "last", "mid", "undated"]),
]


@pytest.mark.parametrize(("query", "expected"), ACCEPTED)
def test_extreme_but_valid_values_answer_200(
    base_url: str, query: str, expected: list[str]
) -> None:
    status, body = _get(f"{base_url}/api/search?{query}")
    assert status == 200, body[:300]
    assert sorted(r["article_id"] for r in json.loads(body)["results"]) == expected
    for route in ("/search", "/search.atom"):
        assert _get(f"{base_url}{route}?{query}")[0] == 200, route


# --- the command line -------------------------------------------------------------------------


def _newsfind(index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", "search", "--index", str(index_dir), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["oil", "--page", "²"], "page must be a whole number, not '²'"),
        (["oil", "--page", "①"], "page must be a whole number, not '①'"),
        (["oil", "--per-page", HUGE], "per_page must be between 1 and 100, not a 4,400-digit"),
        (["oil published:٢٠٢٣"], "published: '٢٠٢٣' is not a date"),
    ],
)
def test_the_cli_refuses_a_bad_value_in_one_line(
    extremes: Path, args: list[str], message: str
) -> None:
    proc = _newsfind(extremes, *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert "bug" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["oil", "--to", "9999-12-31"],
        ["oil published:0001-01-01..9999-12-31"],
        ["oil photo_date:9999"],
    ],
)
def test_the_cli_answers_at_the_extreme_dates(extremes: Path, args: list[str]) -> None:
    proc = _newsfind(extremes, *args, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "last" in {r["article_id"] for r in json.loads(proc.stdout)["results"]}


# --- every date form at both ends, on both engines ----------------------------------------------

#: (the date part of ``published:``/``photo_date:``, the dated articles it must find)
DATE_FORMS = [
    ("9999-12-31", ["last"]),
    ("9999-12", ["last"]),
    ("9999", ["last"]),
    (">=9999-12-31", ["last"]),
    (">9999-12-30", ["last"]),
    (">9999-12-31", []),
    (">9999-12", []),
    (">9999", []),
    ("<=9999-12-31", ["first", "last", "mid"]),
    ("<=9999", ["first", "last", "mid"]),
    ("<9999-12-31", ["first", "mid"]),
    ("0001-01-01", ["first"]),
    ("0001-01", ["first"]),
    ("0001", ["first"]),
    (">=0001-01-01", ["first", "last", "mid"]),
    (">0001-01-01", ["last", "mid"]),
    ("<=0001-01-01", ["first"]),
    ("<0001-01-01", []),
    ("<0001", []),
    ("0001-01-01..9999-12-31", ["first", "last", "mid"]),
    ("0001..9999", ["first", "last", "mid"]),
    ("9999-12-31..", ["last"]),
    ("..9999-12-31", ["first", "last", "mid"]),
    ("..0001-01-01", ["first"]),
    ("9999-12-31..9999-12-31", ["last"]),
]


@pytest.mark.parametrize("field", ["published", "photo_date"])
@pytest.mark.parametrize(("value", "expected"), DATE_FORMS)
def test_every_date_form_works_at_both_ends(
    extremes: Path, field: str, value: str, expected: list[str]
) -> None:
    with open_index(extremes) as ix:
        results = ix.search(f"oil {field}:{value}", per_page=100)
    assert sorted(r.article_id for r in results.results) == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (None, "9999-12-31", ["first", "last", "mid"]),
        (None, "2023-12-31", ["first", "mid"]),
        ("0001-01-01", "9999-12-31", ["first", "last", "mid"]),
        (date.min, date.max, ["first", "last", "mid"]),
        (datetime(9999, 12, 31, 12), date.max, ["last"]),
        ("9999-12-31", None, ["last"]),
    ],
)
def test_from_and_to_at_the_extremes_leave_out_undated_articles(
    extremes: Path, date_from: Any, date_to: Any, expected: list[str]
) -> None:
    """``to`` alone once let undated articles through (its lower bound was the undated value)."""
    with open_index(extremes) as ix:
        results = ix.search("oil", date_from=date_from, date_to=date_to, per_page=100)
    assert sorted(r.article_id for r in results.results) == expected


# --- make_params --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"page": 10**5000}, "page", "between 1 and 1000, not a number that large"),
        ({"page": -(10**5000)}, "page", "between 1 and 1000, not a number that large"),
        ({"per_page": "-" + HUGE}, "per_page", "not a 4,400-digit number"),
        ({"page": "٣"}, "page", "must be a whole number"),
        ({"page": "1_0"}, "page", "must be a whole number"),
        ({"page": 2.5}, "page", "must be a whole number"),
        ({"page": True}, "page", "must be a whole number"),
        ({"date_from": "x" * 5000}, "from", "characters)"),
        ({"date_to": 20231017}, "to", "must be a date"),
    ],
)
def test_make_params_names_the_bad_value(params: dict[str, Any], param: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        make_params("oil", **params)
    assert info.value.param == param
    assert message in info.value.message and len(info.value.message) < 200


def test_leading_zeros_and_big_in_range_values_are_fine() -> None:
    params = make_params("oil", page="0" * 5000 + "7", per_page=" 0100 ")
    assert (params.page, params.per_page) == (7, 100)
