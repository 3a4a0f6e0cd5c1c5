"""Smoke test of the attack and commit-churn benchmark: it runs end to end on a small Reuters index
and prints its tables and JSON. Timings are not checked here (they live in the benchmark's
output, docs/reliability.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(
        not (SHARED / "data" / "news" / "derived").is_dir(),
        reason="../shared/data/news is absent: the benchmark's corpus comes from it",
    ),
]


def test_attack_benchmark_runs_on_a_small_index(tmp_path: Path) -> None:
    out_json = tmp_path / "attack.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.attack",
            "--quick",
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(out_json),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "### Attack" in proc.stdout and "### Commit churn" in proc.stdout
    assert "p95 with attackers / alone:" in proc.stdout
    report = json.loads(out_json.read_text())
    (round_,) = report["attack"]["rounds"]
    assert round_["alone"]["responses"] > 0 and round_["attacked"]["responses"] > 0
    # attackers get answers or 400s, never a 5xx or a dropped connection
    assert set(round_["attackers"]["statuses"]) <= {200, 400}
    churn = report["churn"]
    assert churn["commits"] >= 1
    assert churn["committing"]["failures"] == 0
    assert all(0 < s < 500 for s in churn["committing"]["statuses"])
