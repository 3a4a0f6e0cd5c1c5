"""``newsfind search``: flags, readable output, --json equal to the API's JSON, exit codes."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from indexer import open_index
from indexer.cli.commands import cli
from indexer.cli.render import render_article, render_results
from tests.conftest import BuildIndex


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
    # every passage of the seed that says "xi" also says "putin", so "-putin xi" finds nothing
    # (it found some until Whoosh's AND NOT bug was fixed); a word the seed lacks excludes none
    code, out, _ = run("search", "--index", str(seed_index), "--json", "--", "-putin xi")
    assert code == 0
    assert json.loads(out)["total_hits"] == 0
    code, out, _ = run("search", "--index", str(seed_index), "--json", "--", "-zanzibar xi")
    _, plain, _ = run("search", "--index", str(seed_index), "--json", "xi")
    assert code == 0
    assert json.loads(out)["total_hits"] == json.loads(plain)["total_hits"] > 0
    _, help_text, _ = run("search", "--help")
    assert "follows '--'" in help_text


def test_missing_index_exits_1(tmp_path: Path) -> None:
    code, _, err = run("search", "putin", "--index", str(tmp_path / "none"))
    assert code == 1
    assert "no index at" in err


# --- article text cannot drive the terminal ---------------------------------------------------

#: A colour, a window-title change ending in BEL, clear-screen, a carriage return that would
#: overwrite the line, a backspace, the one-byte C1 CSI and DEL.
ESCAPES = "\x1b[31m red \x1b]0;owned\x07 \x1b[2J \r over \x08 \x9b31m \x7f"


def control_article() -> dict[str, Any]:
    return {
        "id": f"ctl-{ESCAPES}",
        "url": f"https://example.test/{ESCAPES}",
        "headline": f"Alarm zapterm {ESCAPES}",
        "published": "2023-10-17T08:00:00Z",
        "source": f"Src {ESCAPES}",
        "byline": f"By {ESCAPES}",
        "dateline": f"PLACE {ESCAPES}",
        "paragraphs": [f"Body zapterm {ESCAPES}", f"Tab\tand\nnewline zapterm {ESCAPES}"],
        "captions": [{"text": f"Caption zapterm {ESCAPES}", "credit": f"Credit {ESCAPES}"}],
        "notes": [f"Note {ESCAPES}"],
    }


def controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc" and c != "\n"}


def test_search_and_show_print_control_characters_as_symbols(build_index: BuildIndex) -> None:
    ix = build_index(articles=[control_article()])
    code, caption_out, _ = run("search", "zapterm", "--index", str(ix), "--kind", "caption")
    assert code == 0 and "[caption]" in caption_out and "(Credit \u241b[31m" in caption_out
    code, search_out, _ = run("search", "zapterm", "--index", str(ix))
    assert code == 0
    with open_index(ix) as index:
        [article_id] = index.article_ids()
    code, show_out, _ = run("show", article_id, "--index", str(ix))
    assert code == 0
    for out in (caption_out, search_out, show_out):
        assert controls(out) == set(), out
        # shown, not obeyed: ESC as the symbol for ESC
        assert "\u241b[31m red \u241b]0;owned\u2407" in out
        assert "Alarm zapterm" in out and "Src" in out
    assert "Credit \u241b[31m" in show_out and "PLACE \u241b[31m" in show_out


#: What ``show --json`` adds to the article JSON.
LINEAGE_KEYS = {"story", "versions", "paragraph_reuse", "photo_reuse"}


def test_json_output_keeps_the_text_exact(build_index: BuildIndex) -> None:
    ix = build_index(articles=[control_article()])
    with open_index(ix) as index:
        [article_id] = index.article_ids()
        stored = index.article(article_id)
    assert stored is not None and "\x1b[31m" in (stored.headline or "")
    _, out, _ = run("show", article_id, "--index", str(ix), "--json")
    shown = json.loads(out)
    # the article's own keys exactly, and its lineage beside them (docs/lineage.md)
    assert {k: v for k, v in shown.items() if k not in LINEAGE_KEYS} == stored.to_json()
    assert set(shown) - set(stored.to_json()) == LINEAGE_KEYS
    _, out, _ = run("search", "zapterm", "--index", str(ix), "--json")
    assert json.loads(out)["results"][0]["headline"] == stored.headline


def test_colour_output_holds_only_our_own_escapes(build_index: BuildIndex) -> None:
    ix = build_index(articles=[control_article()])
    with open_index(ix) as index:
        results = index.search("zapterm")
        [article_id] = index.article_ids()
        article = index.article(article_id)
    assert article is not None
    for out in (render_results(results, color=True), render_article(article, color=True)):
        # every ESC left starts one of click's own SGR styles (bold, yellow, reset)
        assert re.findall(r"\x1b\[[0-9;]*m", out)
        assert all(m in ("\x1b[1m", "\x1b[33m", "\x1b[0m", "\x1b[22m", "\x1b[39m")
                   for m in re.findall(r"\x1b\[[0-9;]*m", out)), out  # fmt: skip
        assert controls(click.unstyle(out)) == set()
