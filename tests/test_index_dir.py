"""The index directory itself: no-op runs leave no orphan files behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_crash import make_corpus, write_corpus


def _run(jsonl: Path, index_dir: Path, procs: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(jsonl), "--index", str(index_dir), "-q",
         "--procs", str(procs)],  # fmt: skip
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
