"""A filesystem that fills up while ``newsfind index`` writes: one line, exit 1, and the index
opens and answers exactly as before. The filesystem is a real, small tmpfs mounted for the test
(skipped where mounting is not allowed)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import open_index
from tests.test_crash import make_corpus, write_corpus

SIZE = "3m"


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _index(jsonl: Path, index_dir: Path, procs: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(jsonl), "--index", str(index_dir), "-q",
         "--procs", str(procs)],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )


def _answers(index_dir: Path) -> tuple[object, list[str]]:
    with open_index(index_dir) as ix:
        found = ix.search("harbour", per_page=100)
        return ix.stats().to_json(), [r.article_id for r in found.results]


@pytest.mark.parametrize("procs", [1, 2])
def test_a_full_disk_stops_in_one_line_and_keeps_the_index(
    tmp_path: Path, small_fs: Path, procs: int
) -> None:
    index_dir = small_fs / "ix"
    first = _index(write_corpus(tmp_path / "small.jsonl", make_corpus(40)), index_dir, procs)
    assert first.returncode == 0, first.stderr
    before = _answers(index_dir)
    big = make_corpus(6000, version=2)
    for i, article in enumerate(big):
        article["id"] = f"big-{i}"
        article["paragraphs"] = [f"{p} unique{i}x{p} " * 40 for p in article["paragraphs"]]  # type: ignore[attr-defined]
    done = _index(write_corpus(tmp_path / "big.jsonl", big), index_dir, procs)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"Error: no space left on device writing {index_dir}; nothing of this batch was "
        "committed; the index is as it was (free some space and run the same command again)"
    ], done.stderr
    assert _answers(index_dir) == before
