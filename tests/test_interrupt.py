"""Ctrl-C and SIGTERM during ``newsfind index``: the run stops reading, commits every whole
article it read, says in one line how many it kept, and exits 130 or 143, with no traceback
from it or its writing processes; and a batch is committed by time, not only by count.

The runs are real: the CLI in a subprocess reading a file and then a pipe that never ends, so
the signal is sure to come while the batch is uncommitted (the default batch is far larger).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import Article, index_articles, open_index
from tests.test_crash import check_whole, make_corpus, write_corpus

N = 300


def _blocked_on_stdin(pid: int) -> bool:
    """Whether ``pid`` sits in read(0, ...): it has read the file and now waits on the pipe."""
    try:
        fields = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return len(fields) > 1 and fields[0] == "0" and int(fields[1], 16) == 0


def _interrupted_run(tmp_path: Path, signum: int, procs: int) -> tuple[int, str, Path]:
    corpus = make_corpus(N)
    jsonl = write_corpus(tmp_path / "in.jsonl", corpus)
    index_dir = tmp_path / "ix"
    command = [sys.executable, "-m", "indexer", "index", str(jsonl), "-", "--index",
               str(index_dir), "-q", "--procs", str(procs)]  # fmt: skip
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not _blocked_on_stdin(child.pid):
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the run never reached its stdin"
            time.sleep(0.05)
        # as a terminal does: the whole process group, writing processes included
        os.killpg(child.pid, signum)
        _, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert check_whole(index_dir, [corpus]) == N
    return child.returncode, stderr, index_dir


@pytest.mark.parametrize(
    ("signum", "code", "procs"),
    [(signal.SIGINT, 130, 1), (signal.SIGTERM, 143, 1), (signal.SIGINT, 130, 2)],
)
def test_a_signal_commits_what_was_read_and_says_so(
    tmp_path: Path, signum: int, code: int, procs: int
) -> None:
    returncode, stderr, index_dir = _interrupted_run(tmp_path, signum, procs)
    assert returncode == code, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    name = signal.Signals(signum).name
    assert lines[0] == (
        f"interrupted by {name}: {N} articles added or updated were committed (0 unchanged); "
        "run the same command again to continue"
    )
    with open_index(index_dir) as ix:
        assert ix.stats().articles == N


def _stream(index_dir: Path, seen: list[int]) -> Iterator[Article]:
    """Articles one by one; before each, how many the index on disk already holds."""
    from indexer import article_from_json

    for i, raw in enumerate(make_corpus(5)):
        if i:
            with open_index(index_dir) as ix:
                seen.append(ix.stats().articles)
        yield article_from_json(raw)


def test_a_batch_is_committed_by_time_not_only_by_count(tmp_path: Path) -> None:
    """With ``commit_seconds=0`` every article commits at once although the batch is huge: each
    article is on disk before the next is read. (Without the time rule: 0 until the end.)"""
    index_dir = tmp_path / "ix"
    seen: list[int] = []
    report = index_articles(
        index_dir, _stream(index_dir, seen), batch_articles=1_000_000, commit_seconds=0.0
    )
    assert report.added == 5
    assert seen == [1, 2, 3, 4]


def test_the_cli_takes_commit_every(tmp_path: Path) -> None:
    jsonl = write_corpus(tmp_path / "in.jsonl", make_corpus(3))
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(jsonl), "--index", str(tmp_path / "ix"),
         "-q", "--commit-every", "-1"],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--commit-every" in done.stderr
