"""How much a date sort keeps under each relevance floor, on the relevance set (TIME, DEV).

    .venv/bin/python -m benchmarks.sort_floor [--floors 0,0.1,0.2,0.3,0.5] [--workdir DIR]

Under "newest" or "oldest" only hits scoring at least ``floor`` times the best hit count
(``RankingConfig.date_sort_floor``). For each floor this prints, over the DEV queries, the mean
share of matching articles kept, the share of judged-relevant matching articles kept (recall
against no floor) and the share of kept articles that are relevant (precision), so the floor
can be chosen where noise goes and relevant articles stay.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from indexer import NewsIndex, QueryError
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.ranking import DEFAULT
from indexer.engine.whoosh.writer import index_exists

from .relevance import build_index, load_collection

__all__ = ["main"]


def _all_ids(ix: NewsIndex, text: str) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        results = ix.search(text, sort="newest", per_page=100, page=page)
        ids |= {r.article_id for r in results.results}
        if page >= results.reachable_pages:
            return ids
        page += 1


def _kept(index_dir: Path, queries: Sequence[tuple[str, str]], floor: float) -> dict[str, set[str]]:
    engine = WhooshEngine(index_dir, ranking=replace(DEFAULT, date_sort_floor=floor))
    found: dict[str, set[str]] = {}
    with NewsIndex(engine) as ix:
        for qid, text in queries:
            try:
                found[qid] = _all_ids(ix, text)
            except QueryError:
                found[qid] = set()
    return found


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sort_floor")
    ap.add_argument("--floors", default="0,0.1,0.2,0.3,0.4,0.5")
    ap.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "newsfind-floor"))
    args = ap.parse_args(argv)
    collection = load_collection()
    index_dir = Path(args.workdir) / "time"
    if not index_exists(index_dir):
        build_index(collection, index_dir)
    base = _kept(index_dir, collection.queries, 0.0)
    print("| floor | articles kept | relevant kept (recall) | kept that are relevant |")
    print("|---|---|---|---|")
    for floor in (float(f) for f in args.floors.split(",")):
        kept = _kept(index_dir, collection.queries, floor)
        share, recall, precision = [], [], []
        for qid, _ in collection.queries:
            relevant = collection.qrels.get(qid, set())
            if base[qid]:
                share.append(len(kept[qid]) / len(base[qid]))
            if base[qid] & relevant:
                recall.append(len(kept[qid] & relevant) / len(base[qid] & relevant))
            if kept[qid]:
                precision.append(len(kept[qid] & relevant) / len(kept[qid]))
        print(
            f"| {floor:g} | {statistics.fmean(share):.1%} | {statistics.fmean(recall):.1%} "
            f"| {statistics.fmean(precision):.1%} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
