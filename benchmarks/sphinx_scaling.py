"""How the sphinx engine's indexing and search time change from 1 to 2 to 4 shards, at one
corpus size, on this machine.

    .venv/bin/python -m benchmarks.sphinx_scaling --passages 20000 --shards 1,2,4

Each shard count gets a fresh local cluster (``sphinx_cluster``), the same corpus indexed by the
real ``newsfind index``, and the committed query mix through the public search API (one warm-up
pass, then ``--passes`` timed passes). On one machine every shard shares the same cores, so this
shows the cost of distributing (more agents to ask and merge), not a speed-up.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import sphinx_cluster
from .perf_corpus import build_corpus
from .perf_queries import QUERIES_FILE, load_queries

__all__ = ["main"]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def measure(shards: int, corpus: Path, passages: int, work: Path, passes: int) -> dict[str, float]:
    """Index ``corpus`` into a fresh cluster of ``shards`` and time the query mix on it."""
    from indexer import QueryError, open_index

    directory = work / f"cluster-{shards}"
    location = sphinx_cluster.start(directory, shards=shards)
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "indexer", "index", str(corpus), "--index", location, "-q"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{shards} shards: indexing failed: {done.stderr[-300:]}")
        latencies: list[float] = []
        queries = load_queries(QUERIES_FILE)
        with open_index(location) as ix:
            for p in range(passes + 1):
                for q in queries:
                    t0 = time.perf_counter()
                    try:
                        ix.search(q.text, **q.api_kwargs())  # type: ignore[arg-type]
                    except QueryError:
                        continue  # fuzzy queries: refused by this engine
                    if p:
                        latencies.append((time.perf_counter() - t0) * 1000)
        return {
            "docs_per_s": passages / wall,
            "p50": statistics.median(latencies),
            "p95": _percentile(latencies, 95),
            "p99": _percentile(latencies, 99),
        }
    finally:
        sphinx_cluster.stop(directory)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sphinx_scaling")
    ap.add_argument("--passages", type=int, default=20_000)
    ap.add_argument("--shards", default="1,2,4")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "newsfind-scaling"))
    args = ap.parse_args(argv)
    why = sphinx_cluster.available()
    if why:
        print(f"error: {why}", file=sys.stderr)
        return 1
    work = Path(args.workdir)
    corpus = build_corpus(args.passages, work / "corpora")
    counts = [int(s) for s in args.shards.split(",") if s.strip()]
    print(f"{corpus.passages:,} passages ({corpus.articles:,} articles), "
          f"{args.passes} timed passes of the query mix\n")  # fmt: skip
    print("| shards | index docs/s | search p50 ms | p95 ms | p99 ms |")
    print("|---:|---:|---:|---:|---:|")
    for n in counts:
        m = measure(n, corpus.path, corpus.passages, work, args.passes)
        print(
            f"| {n} | {m['docs_per_s']:,.0f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
