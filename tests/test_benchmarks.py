"""Smoke test of the performance benchmark: it runs end to end on a tiny corpus and prints its
tables and JSON. Timings are not checked here (speed targets live in the benchmark's output)."""

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
        reason="../shared/data/news is absent: the benchmark's corpora come from it",
    ),
]


def test_query_mix_covers_every_category() -> None:
    from benchmarks.perf_queries import load_queries

    queries = load_queries()
    categories = {q.category for q in queries}
    assert len(queries) >= 200
    assert categories == {
        "one",
        "two",
        "three",
        "phrase",
        "field",
        "date",
        "fuzzy",
        "prefix",
        "long",
    }
    assert all(q.clauses for q in queries)


def test_corpus_beyond_the_real_articles_is_made_of_changed_copies(tmp_path: Path) -> None:
    from benchmarks.perf_corpus import build_corpus, iter_passages

    small = build_corpus(500, tmp_path)
    assert small.copied_articles == 0 and small.passages >= 500
    big = build_corpus(150_000, tmp_path)
    assert big.copied_articles > 0 and big.passages >= 150_000
    ids = set()
    with big.path.open() as fh:
        for line in fh:
            ids.add(json.loads(line)["id"])
    assert len(ids) == big.articles
    assert sum(1 for _ in iter_passages(small.path)) == small.passages


def test_benchmark_runs_on_a_tiny_corpus(tmp_path: Path) -> None:
    out_json = tmp_path / "perf.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.perf",
            "--sizes",
            "300",
            "--quick",
            "--web-seconds",
            "1",
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
    assert "### Indexing" in proc.stdout
    assert "### Search latency" in proc.stdout
    assert "| ours |" in proc.stdout and "| whoosh |" in proc.stdout
    report = json.loads(out_json.read_text())
    size = report["sizes"]["300"]
    assert size["corpus"]["passages"] >= 300
    for engine in ("ours", "whoosh", "fts5"):
        assert size["indexing"][engine]["docs_per_s"] > 0, size["indexing"][engine]
    assert size["search"]["fts5"]["warm"]["p50"] > 0
    ours = size["indexing"]["ours"]
    if Path("/proc/self/smaps_rollup").exists():
        # shared pages count once in PSS, once per process in RSS (read a moment apart)
        assert 0 < ours["peak_pss_mib"] <= ours["peak_rss_mib"] * 1.1, ours
    assert "peak PSS MiB" in proc.stdout
