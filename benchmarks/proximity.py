"""What proximity and the said: side cost beside the plain query they narrow (issue 14).

Usage::

    python -m benchmarks.proximity                      # the first 5,000 Reuters articles
    python -m benchmarks.proximity --articles 0         # all of Reuters-21578
    python -m benchmarks.proximity --quick              # 300 articles, one pass (the test)

Each row is a proximity query and the AND of the same words, run in turn (warm, after one
untimed run each) through the public API, so machine load hits both alike; the ratio of their
medians is the figure to read. Hits are exact totals (every candidate checked), so a proximity
query finds at most what its AND finds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from indexer import open_index

from .attack import _table, build_index

#: (proximity query, the plain query it narrows)
PAIRS = [
    ('"oil prices"~3', "oil AND prices"),
    ("oil NEAR/3 prices", "oil AND prices"),
    ("oil SENTENCE prices", "oil AND prices"),
    ("(crude OR oil) NEAR/5 opec", "(crude OR oil) AND opec"),
    ('"interest rates" NEAR/5 cut', '"interest rates" AND cut'),
    ("trade NEAR/2 deficit", "trade AND deficit"),
    ("billion SENTENCE dlrs", "billion AND dlrs"),
    ("said:(oil NEAR/3 prices)", "oil AND prices"),
    ("said:(trade deficit) source:Reuters", "trade deficit source:Reuters"),
]


def _time(ix: Any, query: str) -> tuple[float, int]:
    started = time.perf_counter()
    found = ix.search(query)
    return (time.perf_counter() - started) * 1000, found.total_hits


def measure(index: Path, passes: int) -> list[dict[str, Any]]:
    rows = []
    with open_index(index) as ix:
        for near, plain in PAIRS:
            _time(ix, near), _time(ix, plain)  # warm: postings decoded, columns read
            near_ms, plain_ms = [], []
            for _ in range(passes):
                ms, near_hits = _time(ix, near)
                near_ms.append(ms)
                ms, plain_hits = _time(ix, plain)
                plain_ms.append(ms)
            a, b = statistics.median(near_ms), statistics.median(plain_ms)
            rows.append(
                {"query": near, "hits": near_hits, "ms": round(a, 1), "plain": plain,
                 "plain_hits": plain_hits, "plain_ms": round(b, 1), "ratio": round(a / b, 2)}
            )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="0: all of Reuters")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="300 articles, one pass")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.passes = 300, 1
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsfind-proximity-"))
    work.mkdir(parents=True, exist_ok=True)
    index = build_index(work, args.articles or None)
    rows = measure(index, args.passes)
    header = ["query", "hits", "ms p50", "plain query", "hits", "ms p50", "ratio"]
    table = [[f"`{r['query']}`", r["hits"], r["ms"], f"`{r['plain']}`", r["plain_hits"],
              r["plain_ms"], r["ratio"]] for r in rows]  # fmt: skip
    print(f"### Proximity beside the plain query ({args.articles or 'all'} Reuters articles, "
          f"{args.passes} passes, warm)\n")  # fmt: skip
    print(_table(table, header))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
