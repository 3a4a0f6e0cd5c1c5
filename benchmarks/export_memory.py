"""Memory of a whole export: stream every match of a broad query and watch the process's memory.

    .venv/bin/python -m benchmarks.export_memory --passages 200000 [--target 100000] [--quick]
        [--workdir DIR] [--json FILE]

Builds (or reuses) the benchmark corpus of ``--passages`` passages (``perf_corpus``) and its
index, picks an OR of common words matching at least ``--target`` documents, then in a fresh
process: opens the index, runs the same search for one page (the baseline: columns and matching
arrays loaded), and streams the JSON Lines export to /dev/null, sampling memory every 2,000 rows.
It prints a table: rows written against ``total_hits``, peak RSS, peak anonymous memory (RSS
less file-backed pages: the index's memory-mapped files count in RSS but are the page cache's),
each beside the baseline, and the sha256 of two exports (they must be equal), for the index
opened to search (segment files held in memory) and opened to stream (``open_index(...,
stream=True)``, as ``newsfind search --all`` opens it: files read from disk as used), each in a
fresh process of its own.
"""

from __future__ import annotations

import argparse
import json
import resource
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


def child(index: str, query: str, stream: bool) -> dict[str, Any]:
    """Run in a fresh interpreter: the baseline search, then two exports, memory sampled;
    ``stream``: the index opened to stream, as ``newsfind search --all`` opens it."""
    from indexer import open_index

    with open_index(index, stream=stream) as ix:
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
        "max_rss": _high_water(),
    }


def _high_water() -> float:
    """The kernel's high-water mark of this process's RSS in MB, between samples too: VmHWM
    (reset by exec; ru_maxrss is not: it would carry the parent's figure over)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def _rows(f: dict[str, Any]) -> list[str]:
    """One column of the table: the figures of one run."""
    return [
        f"{f['total_hits']:,}",
        f"{f['rows']:,}",
        str(f["rows"] == f["total_hits"]),
        f"RSS {f['open_rss']:.0f}, anonymous {f['open_anon']:.0f}",
        f"{f['peak_rss']:.0f} (after the one-page search: {f['base_rss']:.0f})",
        f"{f['peak_anon']:.0f} (after the one-page search: {f['base_anon']:.0f})",
        f"{f['peak_anon'] - f['base_anon']:.0f}",
        f"{f['max_rss']:.0f}",
        f"{f['rows'] / max(f['seconds'], 1e-9):,.0f}",
        str(f["same_bytes"]),
    ]


_MEASURES = (
    "total_hits",
    "rows exported",
    "rows == total_hits",
    "after opening the index (MB)",
    "peak RSS while streaming (MB)",
    "peak anonymous memory (MB)",
    "growth while streaming, anonymous (MB)",
    "high-water RSS of the process (VmHWM, MB)",
    "rows per second",
    "two exports byte-identical",
)


def report(runs: dict[str, dict[str, Any]], passages: int) -> str:
    """The table: one column per way of opening the index."""
    query = next(iter(runs.values()))["query"]
    names = list(runs)
    columns = [_rows(runs[name]) for name in names]
    lines = [
        f"export of {query!r} on {passages:,} passages",
        "| measure | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for i, measure in enumerate(_MEASURES):
        lines.append(f"| {measure} | " + " | ".join(col[i] for col in columns) + " |")
    return "\n".join(lines)


#: the ways of opening the index compared: (column name, --child mode)
_OPENINGS = (
    ("opened to search (resident)", "read"),
    ("opened to stream (CLI --all)", "stream"),
)


def _run_child(index: Path, query: str, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.export_memory", "--child", str(index), query, mode],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--target", type=int, default=100_000, help="documents to match")
    parser.add_argument("--workdir", "--work", dest="work", type=Path, default=Path("bench-work"))
    parser.add_argument("--json", dest="json_out", type=Path, help="also write the figures here")
    parser.add_argument("--quick", action="store_true", help="2,000 passages, 500 matches")
    parser.add_argument("--only", choices=("read", "stream"), help="measure one opening only")
    parser.add_argument(
        "--child", nargs=3, metavar=("INDEX", "QUERY", "MODE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        index, query, mode = args.child
        print(json.dumps(child(index, query, stream=mode == "stream")))
        return 0
    passages, target = (2_000, 500) if args.quick else (args.passages, args.target)
    index = _index(passages, args.work)
    query = _query(index, target)
    runs = {
        name: _run_child(index, query, mode)
        for name, mode in _OPENINGS
        if args.only in (None, mode)
    }
    print(report(runs, passages))
    if args.json_out:
        # the figures of the last opening (to stream, as the CLI exports) at the top level, and
        # each opening's under its mode
        figures = {mode: runs[name] for name, mode in _OPENINGS if name in runs}
        last = list(figures.values())[-1]
        out = {"passages": passages, **last, "openings": figures}
        args.json_out.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
