"""The ``newsfind`` command line: index, show, export, stats, delete, and bad input."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli.commands import cli

from ..conftest import SEED, write_jsonl


@pytest.fixture
def run(tmp_path):
    index_dir = tmp_path / "ix"

    def invoke(*args: str, input: str | bytes | None = None):
        return CliRunner().invoke(
            cli, [*args, "--index", str(index_dir)], input=input, catch_exceptions=False
        )

    invoke.index_dir = index_dir  # type: ignore[attr-defined]
    return invoke


def _seed_id(run) -> str:
    return json.loads(run("export").stdout.splitlines()[0])["id"]


def test_index_seed_then_stats(run):
    result = run("index", str(SEED))
    assert result.exit_code == 0, result.output
    assert "1 article: 1 added, 0 updated, 0 unchanged, 0 failed; 54 documents written" in (
        result.stderr
    )
    assert result.stdout == ""
    stats = run("stats", "--json")
    assert json.loads(stats.stdout) == {
        "articles": 1,
        "documents": 54,
        "kinds": {"headline": 1, "paragraph": 24, "caption": 18, "note": 1, "quote": 10},
    }
    assert run("stats").stdout.strip() == (
        "1 article, 54 documents (headline 1, paragraph 24, caption 18, note 1, quote 10)"
    )


def test_reindex_reports_unchanged(run):
    run("index", str(SEED))
    result = run("index", str(SEED))
    assert "0 added, 0 updated, 1 unchanged, 0 failed; 0 documents" in result.stderr


def test_show_text_and_json(run):
    run("index", str(SEED))
    article_id = _seed_id(run)
    shown = run("show", article_id)
    assert shown.exit_code == 0
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Putin begins visit in China")
    assert lines[1] == "TAIPEI, Taiwan · 2023-10-17 · AP"
    assert "[photo] Russian President Vladimir Putin, left" in shown.stdout
    as_json = json.loads(run("show", article_id, "--json").stdout)
    assert as_json["id"] == article_id
    assert len(as_json["paragraphs"]) == 24 and len(as_json["captions"]) == 18


def test_show_unknown_id_exits_1(run):
    run("index", str(SEED))
    result = run("show", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no article with id 'nope'"


def test_missing_index_exits_1(run):
    for args in (("stats",), ("show", "x"), ("export",), ("delete", "x")):
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: no index at "), args
        assert len(result.stderr.strip().splitlines()) == 1


def test_export_reindex_round_trip(run, tmp_path):
    run("index", str(SEED))
    exported = run("export").stdout
    path = tmp_path / "export.jsonl"
    path.write_text(exported, encoding="utf-8")
    other = CliRunner().invoke(cli, ["index", str(path), "--index", str(tmp_path / "ix2")])
    assert other.exit_code == 0, other.output
    again = CliRunner().invoke(cli, ["export", "--index", str(tmp_path / "ix2")]).stdout
    assert again == exported


def test_delete(run):
    run("index", str(SEED))
    article_id = _seed_id(run)
    result = run("delete", article_id, "unknown-id")
    assert result.exit_code == 1
    assert "deleted 1 article" in result.stderr
    assert "no article with id 'unknown-id'" in result.stderr
    assert json.loads(run("stats", "--json").stdout)["documents"] == 0


def test_stdin(run):
    line = json.dumps({"id": "s1", "headline": "From stdin", "paragraphs": ["Piped text."]})
    result = run("index", "-", input=line + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(run("show", "s1", "--json").stdout)["headline"] == "From stdin"


def test_directory_glob_and_gzip(run, tmp_path):
    folder = tmp_path / "in" / "nested"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("Headline A\n\nBody A.\n")
    (folder / "skip.bin").write_bytes(b"\x00\x01")  # unknown extension inside a directory
    with gzip.open(tmp_path / "in" / "b.jsonl.gz", "wt") as handle:
        handle.write(json.dumps({"headline": "Headline B", "paragraphs": ["Body B."]}) + "\n")
    result = run("index", str(tmp_path / "in"))
    assert result.exit_code == 0, result.output
    assert "2 articles: 2 added" in result.stderr
    (tmp_path / "c1.txt").write_text("Headline C1\n\nBody.\n")
    (tmp_path / "c2.txt").write_text("Headline C2\n\nBody.\n")
    result = run("index", str(tmp_path / "c*.txt"))
    assert "2 articles: 2 added" in result.stderr


BAD_INPUTS = [
    ("empty.txt", b"", "empty.txt: empty file"),
    ("binary.txt", b"\x7fELF\x00\x01\x02\x00" * 10, "binary.txt: binary file"),
    ("undecodable.txt", bytes(range(1, 32)) * 30, "undecodable.txt: binary or undecodable"),
    ("lines.jsonl", b'{"headline": "ok"}\n{"headline": \n', "lines.jsonl:2: invalid JSON"),
    ("empty.jsonl", b'{"url": "https://x"}\n', "empty.jsonl:1: article has neither"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUTS)
def test_bad_input_one_line_and_rest_indexed(run, tmp_path, name, data, message):
    bad = tmp_path / name
    bad.write_bytes(data)
    result = run("index", str(bad), str(SEED))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {tmp_path}/{message}"), errors[0]
    assert "Traceback" not in result.stderr
    assert json.loads(run("stats", "--json").stdout)["articles"] >= 1


def test_missing_path_and_empty_directory(run, tmp_path):
    (tmp_path / "empty_dir").mkdir()
    result = run("index", str(tmp_path / "nope.txt"), str(tmp_path / "empty_dir"), str(SEED))
    assert result.exit_code == 1
    assert f"error: {tmp_path}/nope.txt: no such file or directory" in result.stderr
    assert f"error: {tmp_path}/empty_dir: directory holds no article files" in result.stderr
    assert "1 added" in result.stderr


def test_every_input_failed_exits_1(run, tmp_path):
    result = run("index", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    assert "0 articles: 0 added" in result.stderr


def test_usage_error_exits_2(run):
    assert CliRunner().invoke(cli, ["index"]).exit_code == 2
    assert CliRunner().invoke(cli, ["frobnicate"]).exit_code == 2


def test_real_subprocess(tmp_path):
    """Once as users run it: the console script in a fresh process, env var for the index."""
    env = {**os.environ, "NEWSFIND_INDEX": str(tmp_path / "envix")}
    bad = write_jsonl(tmp_path / "mixed.jsonl", [{"headline": "Good one"}])
    with bad.open("a") as handle:
        handle.write("not json\n")
    newsfind = Path(sys.executable).with_name("newsfind")
    proc = subprocess.run(
        [str(newsfind), "index", str(SEED), str(bad)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 1
    assert f"error: {bad}:2: invalid JSON" in proc.stderr
    assert "2 articles: 2 added, 0 updated, 0 unchanged, 1 failed" in proc.stderr
    assert "Traceback" not in proc.stderr
    stats = subprocess.run(
        [sys.executable, "-m", "indexer", "stats", "--json"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["articles"] == 2


def _run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the console script with a pseudo-terminal as stderr, as a person at a shell would."""
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            args, stdout=subprocess.DEVNULL, stderr=follower, env=env, timeout=120
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(tmp_path):
    newsfind = str(Path(sys.executable).with_name("newsfind"))
    env = {**os.environ, "NEWSFIND_INDEX": str(tmp_path / "ix")}
    shown = _run_in_terminal([newsfind, "index", str(SEED)], env)
    assert "Indexing" in shown
    assert "1 article: 1 added" in shown
    quiet = _run_in_terminal([newsfind, "index", "--quiet", str(SEED)], env)
    assert "Indexing" not in quiet
    assert "1 article: 0 added, 0 updated, 1 unchanged" in quiet
    piped = subprocess.run(
        [newsfind, "index", str(SEED)], capture_output=True, text=True, env=env, timeout=120
    )
    assert "Indexing" not in piped.stderr
    assert piped.stderr.strip().splitlines()[-1].startswith("1 article: 0 added")
