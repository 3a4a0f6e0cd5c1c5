"""Story lineage measured: same-story precision and recall, leads, and what it costs.

Run: ``.venv/bin/python -m benchmarks.lineage [--originals N] [--copies N] [--background N]
[--passages N] [--quick] [--workdir DIR] [--json FILE]``.

1. Planted copies (``lineage_corpus``): real Reuters-21578 originals with copies made by the
   edits a syndicating paper makes, among other real articles; indexed for real, stories read
   back from the index. Pairwise precision and recall of "same story" over every pair that
   involves a planted article, and whether each planted story's lead is its original.
2. The real BBC duplicates (the 98 byte-identical files): how many pairs share a story, and how
   many other pairs the stories join.
3. MinHash: this project's numpy module against datasketch on the same real bodies.
4. Cost, side by side in one run: indexing docs/s with and without fingerprints, the one-off
   build of a generation's stories, and search p50/p95 with and without collapse on the query
   mix (``queries.txt``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.lineage_corpus import (
    BBC,
    REUTERS,
    Planted,
    bbc_duplicates,
    load,
    plant_copy,
    planted,
)
from benchmarks.perf_queries import load_queries
from indexer import Article, QueryError, open_index
from indexer.lineage.fingerprint import fingerprint
from indexer.lineage.minhash import PERMUTATIONS, signature
from indexer.lineage.shingles import SHINGLE_WORDS, shingle_hashes, words
from indexer.lineage.stories import THRESHOLD, StoryRecord, build_stories
from indexer.writing import ArticleWriter


def index(path: Path, articles: list[Article], *, fingerprints: bool = True) -> float:
    """Index ``articles`` into a new index at ``path``; seconds taken."""
    started = time.perf_counter()
    with ArticleWriter(path, fingerprints=fingerprints) as writer:
        for a in articles:
            writer.add(a)
    return time.perf_counter() - started


def groups_of(path: Path) -> dict[str, str]:
    """Article id -> story id, read from the index (the first search builds the stories)."""
    with open_index(path) as ix:
        return {a: ix.story(a).story_id for a in ix.article_ids()}  # type: ignore[union-attr]


def pairs(groups: dict[str, set[str]], keep: set[str]) -> set[tuple[str, str]]:
    return {
        (a, b)
        for members in groups.values()
        for a, b in itertools.combinations(sorted(members), 2)
        if a in keep or b in keep
    }


def planted_scores(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    corpus = planted(args.originals, args.copies, args.background)
    path = workdir / "planted"
    index(path, corpus.articles)
    story = groups_of(path)
    copies = {a for a, o in corpus.origin.items() if a != o}
    involved = copies | {corpus.origin[a] for a in copies}
    truth: dict[str, set[str]] = defaultdict(set)
    found: dict[str, set[str]] = defaultdict(set)
    for a in corpus.articles:
        truth[corpus.origin[a.id]].add(a.id)
        found[story[a.id]].add(a.id)
    true_pairs, found_pairs = pairs(truth, involved), pairs(found, involved)
    hit = len(true_pairs & found_pairs)
    with open_index(path) as ix:
        leads_right = sum(
            ix.story(o).lead.article_id == o  # type: ignore[union-attr]
            for o in {corpus.origin[c] for c in copies}
        )
    background = {a.id for a in corpus.articles} - involved
    return {
        "articles": len(corpus.articles),
        "originals": len({corpus.origin[c] for c in copies}),
        "copies": len(copies),
        "background": len(background),
        "edits": dict(sorted(corpus.edits.items())),
        "words_changed": dict(sorted(corpus.word_rates.items())),
        "true_pairs": len(true_pairs),
        "found_pairs": len(found_pairs),
        "precision": hit / len(found_pairs) if found_pairs else 1.0,
        "recall": hit / len(true_pairs) if true_pairs else 1.0,
        "leads_right": leads_right,
        "background_pairs_joined": len(pairs(found, background) - pairs(found, involved)),
    }


def bbc_scores(workdir: Path) -> dict[str, Any]:
    articles, listed = bbc_duplicates()
    path = workdir / "bbc"
    index(path, articles)
    story = groups_of(path)
    found: dict[str, set[str]] = defaultdict(set)
    for a, s in story.items():
        found[s].add(a)
    joined = pairs(found, set(story))
    together = sum(story[a] == story[b] for a, b in listed)
    return {
        "articles": len(articles),
        "listed_pairs": len(listed),
        "listed_pairs_joined": together,
        "other_pairs_joined": len(joined - {tuple(sorted(p)) for p in listed}),
        "stories": len(found),
    }


def minhash_speed(articles: list[Article]) -> dict[str, Any]:
    """Signatures per second of both MinHash implementations on the same shingle sets, and how
    often their similarity estimates of neighbouring articles differ by more than 0.1."""
    sets = [shingle_hashes(words(a.paragraphs)) for a in articles if a.paragraphs]
    started = time.perf_counter()
    ours = [signature(s) for s in sets]
    ours_s = time.perf_counter() - started
    out: dict[str, Any] = {"bodies": len(sets), "numpy_per_s": len(sets) / ours_s}
    try:
        from datasketch import MinHash
    except ImportError:
        out["datasketch_per_s"] = None
        return out
    started = time.perf_counter()
    theirs = []
    for s in sets:
        m = MinHash(num_perm=PERMUTATIONS, seed=1)
        m.update_batch([int(v).to_bytes(4, "little") for v in s.tolist()])
        theirs.append(m)
    out["datasketch_per_s"] = len(sets) / (time.perf_counter() - started)
    gaps = [
        abs(float((ours[i] == ours[i + 1]).mean()) - theirs[i].jaccard(theirs[i + 1]))
        for i in range(0, min(len(sets), 2000) - 1)
    ]
    out["estimates_differ_over_0.1"] = sum(g > 0.1 for g in gaps) / max(1, len(gaps))
    return out


def passages_corpus(limit: int, seed: int = 7, articles: int | None = None) -> list[Article]:
    """Reuters then BBC articles, then planted copies of Reuters ones (``plant_copy``), until
    about ``limit`` passages (headline + paragraphs): the real corpora hold about 147,000."""
    real = load(REUTERS) + load(BBC)
    out: list[Article] = []
    count = 0
    rng = random.Random(seed)
    vocab = sorted({w for a in real[:2000] for p in a.paragraphs for w in p.split()})
    scratch = Planted(articles=[], origin={})
    n = 0
    while count < limit and (articles is None or n < articles):
        if n < len(real):
            a = real[n]
        else:
            a = plant_copy(rng.choice(real[:21000]), n, rng, vocab, scratch)
        n += 1
        out.append(a)
        count += 1 + len(a.paragraphs)
    return out


def indexing_cost(workdir: Path, articles: list[Article], rounds: int) -> dict[str, Any]:
    """Indexing docs/s with and without fingerprints (alternating runs, best of ``rounds``)."""
    passages = sum(1 + len(a.paragraphs) for a in articles)
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for flag in (False, True):
            with tempfile.TemporaryDirectory(dir=workdir) as tmp:
                times[flag].append(index(Path(tmp) / "ix", articles, fingerprints=flag))
    out: dict[str, Any] = {
        "articles": len(articles),
        "passages": passages,
        "docs_per_s_without": passages / min(times[False]),
        "docs_per_s_with": passages / min(times[True]),
    }
    out["ratio"] = out["docs_per_s_with"] / out["docs_per_s_without"]
    return out


def search_cost(workdir: Path, articles: list[Article]) -> dict[str, Any]:
    """The first story build of an index, and search percentiles with and without collapse
    (each query run both ways in turn, the mix twice)."""
    path = workdir / "search"
    index(path, articles)
    out: dict[str, Any] = {
        "articles": len(articles),
        "passages": sum(1 + len(a.paragraphs) for a in articles),
    }
    queries = load_queries()
    with open_index(path) as ix:
        started = time.perf_counter()
        ix.story(articles[0].id)
        out["story_build_s"] = time.perf_counter() - started
        lat: dict[str, list[float]] = {"story": [], "none": []}
        for _ in range(2):
            for q in queries:
                for mode in ("none", "story"):
                    t = time.perf_counter()
                    try:
                        ix.search(q.text, collapse=mode, **q.api_kwargs())  # type: ignore[arg-type]
                    except QueryError:
                        continue
                    lat[mode].append((time.perf_counter() - t) * 1000)
    for mode, values in lat.items():
        values.sort()
        out[f"p50_ms_{mode}"] = statistics.median(values)
        out[f"p95_ms_{mode}"] = values[int(0.95 * (len(values) - 1))]
    out["p95_ratio"] = out["p95_ms_story"] / out["p95_ms_none"]
    return out


def first_search(path: Path, articles: int, commits: int) -> str:
    """The first search after each of ``commits`` one-article commits into an index of about
    ``articles`` articles at ``path`` (built there when absent, reused otherwise: building is
    what takes long), against the second search on the same generation. The first search is
    what issue 15 left stalling: the story table is worked out for each new generation."""
    if not path.exists():
        corpus = passages_corpus(10**9, articles=articles)
        index(path, corpus)
    rows = ["| commit | articles | first search s | second search s |", "|---|---|---|---|"]
    firsts: list[float] = []
    with open_index(path) as ix:
        ix.search("oil prices", collapse="story")  # the generation as opened, warmed
        size = len(ix.article_ids())
        for n in range(commits):
            extra = Article(
                id=f"bench-commit-{time.time_ns()}-{n}",
                headline="Oil prices after the commit",
                paragraphs=(f"Oil prices rose {n} cents in early trading on the commit day.",),
            )
            with ArticleWriter(path) as writer:
                writer.add(extra)
            t = time.perf_counter()
            ix.search("oil prices", collapse="story")
            first = time.perf_counter() - t
            t = time.perf_counter()
            ix.search("oil prices", collapse="story")
            firsts.append(first)
            rows.append(
                f"| {n + 1} | {size + n + 1:,} | {first:.3f} | {time.perf_counter() - t:.3f} |"
            )
    rows.append(
        f"median first search after a one-article commit: {statistics.median(firsts):.3f} s"
    )
    return "\n".join(rows)


def sweep(args: argparse.Namespace, thresholds: list[float]) -> str:
    """Pairwise precision and recall on the planted corpus per threshold (fingerprints built
    directly, no index), and how many pairs of background articles each joins: the data the
    threshold was chosen on (docs/lineage.md)."""
    corpus = planted(args.originals, args.copies, args.background)
    records = [
        StoryRecord(a.id, a.published, a.source, a.headline, fingerprint(a))
        for a in corpus.articles
    ]
    copies = {a for a, o in corpus.origin.items() if a != o}
    involved = copies | {corpus.origin[a] for a in copies}
    background = {a.id for a in corpus.articles} - involved
    truth: dict[str, set[str]] = defaultdict(set)
    for a in corpus.articles:
        truth[corpus.origin[a.id]].add(a.id)
    true_pairs = pairs(truth, involved)
    lines = ["| threshold | precision | recall | background pairs joined |", "|---|---|---|---|"]
    for t in thresholds:
        stories = build_stories(records, threshold=t)
        found: dict[str, set[str]] = defaultdict(set)
        for a in corpus.articles:
            found[stories.story_of(a.id) or ""].add(a.id)
        found_pairs = pairs(found, involved)
        hit = len(true_pairs & found_pairs)
        joined = len(pairs(found, background) - found_pairs)
        lines.append(
            f"| {t:.2f} | {hit / max(1, len(found_pairs)):.4f} | {hit / len(true_pairs):.4f} "
            f"| {joined:,} |"
        )
    return "\n".join(lines)


def report(results: dict[str, Any]) -> str:
    p, b, m = results["planted"], results["bbc"], results["minhash"]
    c, s = results["indexing"], results["search"]
    lines = [
        f"shingles of {SHINGLE_WORDS} words, MinHash {PERMUTATIONS} slots, threshold {THRESHOLD}",
        "",
        f"planted: {p['articles']:,} articles = {p['originals']} originals + {p['copies']} copies"
        f" + {p['background']:,} background (Reuters-21578)",
        f"  edits: {p['edits']}",
        f"  words changed per copy: {p['words_changed']}",
        f"  pairs: {p['true_pairs']:,} true, {p['found_pairs']:,} found; precision "
        f"{p['precision']:.4f}, recall {p['recall']:.4f} (targets 0.98 / 0.95)",
        f"  leads right: {p['leads_right']} of {p['originals']}",
        "  real near-copies joined among background articles: "
        f"{p['background_pairs_joined']:,} pairs",
        "",
        f"BBC: {b['articles']:,} articles; listed duplicate pairs in one story: "
        f"{b['listed_pairs_joined']} of {b['listed_pairs']}; other pairs joined: "
        f"{b['other_pairs_joined']}; {b['stories']:,} stories",
        "",
        "MinHash signatures/s on the same bodies ({:,}): numpy {:,.0f}, datasketch {}".format(
            m["bodies"],
            m["numpy_per_s"],
            "absent" if m.get("datasketch_per_s") is None else f"{m['datasketch_per_s']:,.0f}",
        ),
        "",
        "| | scale | without | with | ratio |",
        "|---|---|---|---|---|",
        f"| indexing docs/s (fingerprints) | {c['passages']:,} passages | "
        f"{c['docs_per_s_without']:,.0f} | {c['docs_per_s_with']:,.0f} | {c['ratio']:.2f}"
        " (target >= 0.85) |",
        f"| search p50 ms (collapse) | {s['passages']:,} passages | {s['p50_ms_none']:.1f} | "
        f"{s['p50_ms_story']:.1f} | {s['p50_ms_story'] / s['p50_ms_none']:.2f} |",
        f"| search p95 ms (collapse) | {s['passages']:,} passages | {s['p95_ms_none']:.1f} | "
        f"{s['p95_ms_story']:.1f} | {s['p95_ratio']:.2f} (target <= 1.2) |",
        f"first story build of that index's generation ({s['articles']:,} articles): "
        f"{s['story_build_s']:.2f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lineage", description=__doc__)
    parser.add_argument("--originals", type=int, default=300)
    parser.add_argument("--copies", type=int, default=4, help="mean copies per original")
    parser.add_argument("--background", type=int, default=5000)
    parser.add_argument("--passages", type=int, default=30_000, help="indexing cost scale")
    parser.add_argument("--search-passages", type=int, default=200_000, help="search scale")
    parser.add_argument("--rounds", type=int, default=2, help="indexing runs per setting")
    parser.add_argument("--quick", action="store_true", help="a small run (smoke test)")
    parser.add_argument(
        "--sweep",
        type=lambda s: [float(x) for x in s.split(",")],
        default=None,
        metavar="T1,T2,...",
        help="only print precision/recall per threshold (how THRESHOLD was chosen)",
    )
    parser.add_argument(
        "--first-search",
        type=Path,
        default=None,
        metavar="INDEX",
        help="only time the first search after one-article commits into INDEX (built if absent)",
    )
    parser.add_argument("--articles", type=int, default=20_000, help="--first-search index size")
    parser.add_argument("--commits", type=int, default=5, help="--first-search commits")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.originals, args.background, args.rounds = 20, 200, 1
        args.passages, args.search_passages = 2000, 3000
    if args.sweep:
        print(sweep(args, args.sweep))
        return 0
    if args.first_search:
        print(first_search(args.first_search, args.articles, args.commits))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = {
            "planted": planted_scores(workdir, args),
            "bbc": bbc_scores(workdir),
            "minhash": minhash_speed(load(REUTERS)[: 3000 if not args.quick else 300]),
            "indexing": indexing_cost(workdir, passages_corpus(args.passages), args.rounds),
            "search": search_cost(workdir, passages_corpus(args.search_passages)),
        }
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
