"""The index directory itself: no-op runs leave no orphan files behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_crash import make_corpus, write_corpus


def _run(jsonl: Path, index_dir: Path, procs: int) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "indexer",
            "index",
            str(jsonl),
            "--index",
            str(index_dir),
            "-q",
            "--procs",
            str(procs),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_no_op_re_index_runs_leave_no_orphan_files(tmp_path: Path) -> None:
    jsonl = write_corpus(tmp_path / "in.jsonl", make_corpus(30))
    index_dir = tmp_path / "ix"
    _run(jsonl, index_dir, 2)
    after_first = sorted(p.name for p in index_dir.iterdir())
    for procs in (1, 2, 2, 1):
        _run(jsonl, index_dir, procs)
    assert sorted(p.name for p in index_dir.iterdir()) == after_first


def test_a_first_run_under_way_says_so_instead_of_zero_articles(tmp_path: Path) -> None:
    from indexer import ArticleWriter, IndexBuilding, article_from_json, open_index

    index_dir = tmp_path / "ix"
    with ArticleWriter(index_dir) as writer:
        writer.add(article_from_json(make_corpus(1)[0]))  # uncommitted: the lock is held
        with pytest.raises(IndexBuilding) as caught:
            open_index(index_dir)
        assert str(caught.value).startswith(f"the index at {index_dir} is being built")
        done = subprocess.run(
            [sys.executable, "-m", "indexer", "search", "harbour", "--index", str(index_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1
        assert done.stderr.strip().splitlines() == [f"Error: {caught.value}"]
    with open_index(index_dir) as ix:  # committed: searches answer
        assert ix.stats().articles == 1


def test_index_into_an_existing_file_says_what_is_wrong(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("not an index")
    jsonl = write_corpus(tmp_path / "in.jsonl", make_corpus(2))
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(jsonl), "--index", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"Error: {target} is a file, not an index directory: give --index a directory (a new "
        "one is created)"
    ]
