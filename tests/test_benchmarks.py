"""Smoke tests of the benchmarks (perf on a tiny corpus, attack on a small index): each runs
end to end and prints its tables and JSON. Timings are not checked here (speed targets live in
the benchmarks' output)."""

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


def run_benchmark(
    name: str, tmp_path: Path, out_json: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """``python -m benchmarks.<name> --quick ...`` in a work dir of its own; it must succeed."""
    proc = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--quick", *args,
         "--workdir", str(tmp_path / "work"), "--json", str(out_json)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


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
    proc = run_benchmark("perf", tmp_path, out_json, "--sizes", "300", "--web-seconds", "1")
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


def test_attack_benchmark_runs_on_a_small_index(tmp_path: Path) -> None:
    """The attack and commit-churn benchmark end to end on a small Reuters index (timings are
    the benchmark's output, docs/reliability.md)."""
    out_json = tmp_path / "attack.json"
    proc = run_benchmark("attack", tmp_path, out_json)
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


def test_proximity_benchmark_runs_on_a_small_index(tmp_path: Path) -> None:
    """Each proximity query beside its plain AND: a narrowing finds at most what the AND finds."""
    out_json = tmp_path / "proximity.json"
    proc = run_benchmark("proximity", tmp_path, out_json)
    assert "### Proximity beside the plain query" in proc.stdout
    rows = json.loads(out_json.read_text())
    assert len(rows) >= 8 and any(r["hits"] for r in rows)
    assert all(r["hits"] <= r["plain_hits"] and r["ratio"] > 0 for r in rows)


def test_warc_benchmark_indexes_the_same_articles_both_ways(tmp_path: Path) -> None:
    """The archive-against-files benchmark on 82 records: every copy a distinct article, the
    same documents from the archive as from the files, and a memory row per record count."""
    out_json = tmp_path / "warc.json"
    proc = run_benchmark("warc", tmp_path, out_json)
    assert "archive / files docs per CPU second" in proc.stdout
    report = json.loads(out_json.read_text())
    assert report["warc"]["articles"] == report["files"]["articles"] == 82
    assert report["warc"]["documents"] == report["files"]["documents"] > 82
    assert sorted(report["memory"]) == ["41", "82"]
    assert all(run["peak_mb"] > 0 for run in report["memory"].values())


def test_export_memory_benchmark_exports_every_match(tmp_path: Path) -> None:
    """The export benchmark end to end on 2,000 passages: every match is a row, twice the same
    bytes (its memory figures are the benchmark's output, docs/research.md)."""
    out_json = tmp_path / "export.json"
    proc = run_benchmark("export_memory", tmp_path, out_json)
    assert "| rows == total_hits | True |" in proc.stdout
    found = json.loads(out_json.read_text())
    assert found["rows"] == found["total_hits"] >= 500 and found["same_bytes"]


def test_quotes_benchmark_scores_the_labelled_set(tmp_path: Path) -> None:
    out = tmp_path / "quotes.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.quotes", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "precision" in proc.stdout and "speaker_accuracy" in proc.stdout
    result = json.loads(out.read_text())
    assert result["labelled_quotes"] >= 290 and result["labelled_negatives"] > 0
    assert set(result["sets"]) == {
        "quotes_labelled.jsonl",
        "quotes_heldout.jsonl",
        "quotes_test.jsonl",
        "quotes_final.jsonl",
    }
    # the targets; a change to the rules that misses them fails here
    assert result["precision"] >= 0.95
    assert result["recall"] >= 0.90
    assert result["speaker_accuracy"] >= 0.90
    listed = proc.stdout.split("failures (")[1]
    assert int(listed.split(")")[0]) == len(result["failures"])
