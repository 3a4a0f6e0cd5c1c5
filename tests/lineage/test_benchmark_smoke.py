"""``python -m benchmarks.lineage --quick`` runs end to end and prints its tables (timings are
not checked here: the targets are read in the benchmark's output)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (REPO.parent / "shared" / "data" / "news" / "derived").is_dir(),
        reason="../shared/data/news is absent: the benchmark's corpora come from it",
    ),
]


def test_quick_run(tmp_path: Path) -> None:
    out = tmp_path / "lineage.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.lineage", "--quick", "--workdir", str(tmp_path / "w"),
         "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "precision" in proc.stdout and "leads right" in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["bbc"]["listed_pairs"] == 98
    # the planted copies' truth is exact: every pair found is checked against it
    assert 0 < data["planted"]["found_pairs"] and data["planted"]["copies"] > 0
