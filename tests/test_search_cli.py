"""``newsfind search``: flags, readable output, --json equal to the API's JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import open_index
from indexer.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_equals_the_api(seed_index: Path) -> None:
    code, out, _ = run(
        "search", "putin xi", "--index", str(seed_index), "--json", "--per-page", "2",
        "--kind", "caption", "--source", "ap", "--from", "2023-10-01", "--to", "2023-10-31",
        "--sort", "newest", "--page", "1",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    with open_index(seed_index) as ix:
        expected = ix.search(
            "putin xi", per_page=2, kind="caption", source="ap", date_from="2023-10-01",
            date_to="2023-10-31", sort="newest",
        ).to_json()  # fmt: skip
    data.pop("took_ms")
    expected.pop("took_ms")
    assert data == expected
    assert data["total_hits"] > 0


def test_readable_output(seed_index: Path) -> None:
    code, out, _ = run("search", "airport", "--index", str(seed_index), "--kind", "caption")
    assert code == 0
    assert out.startswith("1. Putin begins visit in China")
    assert "[caption]" in out and "(Parker Song/Pool Photo via AP)" in out
    assert "2023-10-17 · AP" in out
    assert "more hits in this article" in out
    assert "1 article, " in out.splitlines()[-1]


def test_matches_are_emphasised_without_colour(seed_index: Path) -> None:
    _, out, _ = run("search", "visiting", "--index", str(seed_index))
    assert "*visit*" in out


def test_suggestion_is_shown(seed_index: Path) -> None:
    _, out, _ = run("search", "Puttin Jinpin", "--index", str(seed_index))
    assert out.startswith("Did you mean: putin jinping?")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["putin AND"], "Error: AND needs a word on both sides"),
        (["foo:bar"], "unknown field 'foo:'"),
        (["putin", "--kind", "photo"], "kind must be one of"),
        (["putin", "--per-page", "500"], "per_page must be between 1 and 100"),
        (["putin", "--from", "2023-13-01"], "from must be a date"),
        (["putin", "--sort", "best"], "sort must be one of"),
    ],
)
def test_query_errors_exit_2_with_one_line(seed_index: Path, args: list[str], message: str) -> None:
    code, out, err = run("search", *args, "--index", str(seed_index))
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_query_beginning_with_dash_follows_double_dash(seed_index: Path) -> None:
    code, out, _ = run("search", "--index", str(seed_index), "--json", "--", "-putin xi")
    assert code == 0
    assert json.loads(out)["total_hits"] > 0
    _, help_text, _ = run("search", "--help")
    assert "follows '--'" in help_text


def test_missing_index_exits_1(tmp_path: Path) -> None:
    code, _, err = run("search", "putin", "--index", str(tmp_path / "none"))
    assert code == 1
    assert "no index at" in err
