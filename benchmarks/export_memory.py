"""Memory of a whole export: stream every match of a broad query and watch the process's memory.

    .venv/bin/python -m benchmarks.export_memory --passages 200000 [--target 100000] [--quick]
        [--workdir DIR] [--json FILE]

Builds (or reuses) the benchmark corpus of ``--passages`` passages (``perf_corpus``) and its
index, picks an OR of common words matching at least ``--target`` documents, then in a fresh
process: opens the index, runs the same search for one page (the baseline: columns and matching
arrays loaded), and streams the JSON Lines export to /dev/null, sampling memory every 2,000 rows.
It prints a table: rows written against ``total_hits``, peak RSS, peak anonymous memory (RSS
less file-backed pages: the index's memory-mapped files count in RSS but are the page cache's),
each beside the baseline, and the sha256 of two exports (they must be equal).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["main"]

#: Frequent words of the news corpora, joined with OR until the query matches enough.
_WORDS = ("said", "the", "year", "would", "new", "mln", "pct", "also", "last", "market", "us")
_SAMPLE_EVERY = 2000


def _memory() -> tuple[float, float]:
    """(RSS, anonymous) in MB for this process."""
    import psutil

    info = psutil.Process().memory_info()
    return info.rss / 2**20, (info.rss - info.shared) / 2**20


def child(index: str, query: str) -> dict[str, Any]:
    """Run in a fresh interpreter: the baseline search, then two exports, memory sampled."""
    from indexer import open_index

    with open_index(index) as ix:
        open_rss, open_anon = _memory()
        results = ix.search(query, per_page=1)
        base_rss, base_anon = _memory()
        peak_rss, peak_anon = base_rss, base_anon
        started = time.perf_counter()
        export = ix.export(query, fmt="jsonl")
        rows = 0
        with open("/dev/null", "w", encoding="utf-8") as sink:
            for line in export:
                sink.write(line)
                rows += 1
                if rows % _SAMPLE_EVERY == 0:
                    rss, anon = _memory()
                    peak_rss, peak_anon = max(peak_rss, rss), max(peak_anon, anon)
        seconds = time.perf_counter() - started
        again = ix.export(query, fmt="jsonl")
        for _ in again:
            pass
    return {
        "query": query,
        "total_hits": results.total_hits,
        "rows": export.manifest.rows,
        "seconds": seconds,
        "open_rss": open_rss,
        "open_anon": open_anon,
        "base_rss": base_rss,
        "base_anon": base_anon,
        "peak_rss": peak_rss,
        "peak_anon": peak_anon,
        "same_bytes": export.manifest.sha256 == again.manifest.sha256,
    }


def _index(passages: int, work: Path) -> Path:
    from indexer import index_articles, iter_articles

    from .perf_corpus import build_corpus

    corpus = build_corpus(passages, work / "corpora")
    index = work / f"index-{passages}"
    if not (index / "done").exists():
        started = time.perf_counter()
        index_articles(index, iter_articles([str(corpus.path)]), procs=2, batch_articles=50_000)
        (index / "done").write_text(f"{time.perf_counter() - started:.0f} s\n")
    return index


def _query(index: Path, target: int) -> str:
    from indexer import open_index

    words: list[str] = []
    with open_index(index) as ix:
        for word in _WORDS:
            words.append(word)
            if ix.search(" OR ".join(words), per_page=1).total_hits >= target:
                break
    return " OR ".join(words)


def report(found: dict[str, Any], passages: int) -> str:
    growth = found["peak_anon"] - found["base_anon"]
    lines = [
        f"export of {found['query']!r} on {passages:,} passages",
        "| measure | value |",
        "|---|---|",
        f"| total_hits | {found['total_hits']:,} |",
        f"| rows exported | {found['rows']:,} |",
        f"| rows == total_hits | {found['rows'] == found['total_hits']} |",
        f"| after opening the index (MB) | RSS {found['open_rss']:.0f}, "
        f"anonymous {found['open_anon']:.0f} |",
        f"| peak RSS while streaming (MB) | {found['peak_rss']:.0f} "
        f"(after the one-page search: {found['base_rss']:.0f}) |",
        f"| peak anonymous memory (MB) | {found['peak_anon']:.0f} "
        f"(after the one-page search: {found['base_anon']:.0f}) |",
        f"| growth while streaming, anonymous (MB) | {growth:.0f} |",
        f"| rows per second | {found['rows'] / max(found['seconds'], 1e-9):,.0f} |",
        f"| two exports byte-identical | {found['same_bytes']} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--target", type=int, default=100_000, help="documents to match")
    parser.add_argument("--workdir", "--work", dest="work", type=Path, default=Path("bench-work"))
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the figures here")
    parser.add_argument("--quick", action="store_true", help="2,000 passages, 500 matches")
    parser.add_argument("--child", nargs=2, metavar=("INDEX", "QUERY"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    passages, target = (2_000, 500) if args.quick else (args.passages, args.target)
    index = _index(passages, args.work)
    query = _query(index, target)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_memory", "--child", str(index), query],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)
    print(report(found, passages))
    if args.json_out:
        args.json_out.write_text(json.dumps({"passages": passages, **found}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
