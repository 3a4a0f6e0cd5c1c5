"""The performance benchmark: indexing, search latency and web load, side by side with peers.

    .venv/bin/python -m benchmarks.perf --sizes 20000,200000,1000000 [--quick] [--json FILE]

For each size it builds a corpus from ../shared/data/news (see ``perf_corpus``), indexes it with
the real ``newsfind index`` and with each peer (each in a child process, so wall time and peak
RSS of the whole process tree are measured alike), times the committed query mix through our
public API and each peer (cold: the first run after opening; warm: the next run; engines take
turns per query so machine noise hits them alike; medians of ``--passes`` passes), and puts
``GET /api/search`` of a real ``newsfind serve`` under bounded load at concurrency 1, 8 and 32.
It prints Markdown tables with ratios to each peer and can write everything as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import sphinx_cluster
from .perf_corpus import DESCRIPTION, CorpusInfo, build_corpus, news_dir
from .perf_peers import ENGINES, PEERS, available, make_engine
from .perf_queries import QUERIES_FILE, BenchQuery, load_queries
from .perf_web import WRK, Server, load, urls_for

__all__ = ["main"]

CONCURRENCY = (1, 8, 32)
STATS = ("p50", "p95", "p99", "max")


def _newsfind() -> list[str]:
    script = Path(sys.executable).with_name("newsfind")
    return [str(script)] if script.exists() else [sys.executable, "-m", "indexer"]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _summary(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {k: float("nan") for k in (*STATS, "mean")}
    return {
        "p50": _percentile(latencies, 50),
        "p95": _percentile(latencies, 95),
        "p99": _percentile(latencies, 99),
        "max": max(latencies),
        "mean": statistics.fmean(latencies),
    }


def _median_of(passes: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(p[k] for p in passes) for k in passes[0]} if passes else {}


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- indexing -------------------------------------------------------------------------------


def _pss_bytes(pid: int) -> int | None:
    """Proportional set size: each page shared by n processes counts 1/n in each (Linux)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _run_measured(cmd: list[str], cwd: Path, servers: tuple[int, ...] = ()) -> dict[str, Any]:
    """Run a command to the end, sampling the memory of its whole process tree every 50 ms.

    Two sums: RSS counts a page once per process mapping it, so forked writer processes count
    the pages they share with their parent again; PSS splits shared pages among their sharers,
    so it adds up to what the tree really occupies (None where /proc has no smaps_rollup).
    Reading smaps_rollup walks the page tables (about 10 ms for a 600 MB process here), so PSS
    is sampled once a second, not every 50 ms, to keep the sampler off the cores it measures.
    """
    import psutil

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = psutil.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        peak = 0
        peak_pss: int | None = None
        samples = 0
        while proc.poll() is None:
            with_pss = samples % 20 == 0
            samples += 1
            try:
                # the servers the command writes to (a sphinx cluster's searchd) count too
                tree = [proc, *proc.children(recursive=True), *map(psutil.Process, servers)]
                rss = 0
                pss: int | None = 0
                for member in tree:
                    try:
                        rss += member.memory_info().rss
                    except psutil.Error:
                        continue
                    share = _pss_bytes(member.pid) if with_pss else None
                    pss = None if share is None or pss is None else pss + share
                peak = max(peak, rss)
                if pss is not None:
                    peak_pss = max(peak_pss or 0, pss)
            except psutil.Error:
                pass
            time.sleep(0.05)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {
            "returncode": proc.returncode,
            "wall_s": wall,
            "peak_rss_bytes": peak,
            "peak_pss_bytes": peak_pss,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


def _segments(index_dir: Path) -> int | None:
    try:
        from whoosh import index

        ix = index.open_dir(str(index_dir))
        with ix.reader() as reader:
            return len(reader.leaf_readers())
    except Exception:  # a peer's directory, or an unreadable index
        return None


def index_engine(name: str, corpus: CorpusInfo, index_dir: Path) -> dict[str, Any]:
    """Build one engine's index from scratch through its real path and measure it."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    repo = Path(__file__).resolve().parents[1]
    servers: tuple[int, ...] = ()
    if name == "sphinx":
        location = sphinx_cluster.start(index_dir)
        servers = tuple(sphinx_cluster.pids(index_dir))
        cmd = [*_newsfind(), "index", str(corpus.path), "--index", location, "--quiet"]
    elif name == "ours":
        cmd = [*_newsfind(), "index", str(corpus.path), "--index", str(index_dir), "--quiet"]
    else:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.perf_peers",
            "index",
            name,
            str(corpus.path),
            str(index_dir),
        ]
    run = _run_measured(cmd, repo, servers)
    if run["returncode"] != 0:
        tail = (run["stderr"] or run["stdout"]).strip().splitlines()[-3:]
        return {"error": f"exit {run['returncode']}: " + " | ".join(tail)}
    wall = run["wall_s"]
    return {
        "command": " ".join(cmd),
        "wall_s": wall,
        "docs_per_s": corpus.passages / wall,
        "articles_per_s": corpus.articles / wall,
        "peak_rss_mib": run["peak_rss_bytes"] / 2**20,
        "peak_pss_mib": None if run["peak_pss_bytes"] is None else run["peak_pss_bytes"] / 2**20,
        "index_mib": _dir_bytes(index_dir) / 2**20,
        "segments": _segments(index_dir) if name in ("ours", "whoosh") else None,
        "summary": run["stderr"].strip().splitlines()[-1:]
        if name in ("ours", "sphinx")
        else run["stdout"],
    }


# --- search ---------------------------------------------------------------------------------


def search_bench(
    dirs: dict[str, Path], queries: list[BenchQuery], passes: int
) -> dict[str, dict[str, Any]]:
    """Cold and warm latency per engine; engines take turns on every query."""
    names = list(dirs)
    cold: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    warm: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    opens: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, dict[str, Any]] = {n: {"count": 0, "first": None} for n in names}
    per_cat: dict[str, dict[str, list[float]]] = {n: {} for n in names}
    broken: dict[str, str] = {}
    for p in range(passes):
        engines = {}
        for name in names:
            if name in broken:
                continue
            t0 = time.perf_counter()
            engine = make_engine(name)
            engine.open(dirs[name])
            opens[name].append(time.perf_counter() - t0)
            engines[name] = engine
        for phase, store in (("cold", cold), ("warm", warm)):
            lat: dict[str, list[float]] = {n: [] for n in engines}
            for i, q in enumerate(queries):
                turn = (i + p) % len(names)
                for name in names[turn:] + names[:turn]:
                    if name not in engines or name in broken:
                        continue
                    t0 = time.perf_counter()
                    try:
                        engines[name].search(q)
                    except NotImplementedError as exc:
                        broken[name] = f"not implemented: {exc}"
                        continue
                    except Exception as exc:  # one failing query must not stop the run
                        errors[name]["count"] += 1
                        errors[name]["first"] = errors[name]["first"] or f"{q.text!r}: {exc!r}"
                        continue
                    ms = (time.perf_counter() - t0) * 1000
                    lat[name].append(ms)
                    if phase == "warm":
                        per_cat[name].setdefault(q.category, []).append(ms)
            for name, values in lat.items():
                if name not in broken and values:
                    store[name].append(_summary(values))
        for engine in engines.values():
            engine.close()
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in broken:
            out[name] = {"error": broken[name]}
            continue
        if not warm[name]:
            out[name] = {"error": f"every query failed, first: {errors[name]['first']}"[:300]}
            continue
        out[name] = {
            "open_s": statistics.median(opens[name]) if opens[name] else float("nan"),
            "cold": _median_of(cold[name]),
            "warm": _median_of(warm[name]),
            "errors": errors[name],
            "warm_p50_by_category": {
                c: _percentile(v, 50) for c, v in sorted(per_cat[name].items())
            },
        }
    return out


# --- web ------------------------------------------------------------------------------------


def web_bench(
    index_dir: Path | str, queries: list[BenchQuery], seconds: float, tool: str
) -> dict[str, Any]:
    urls = urls_for(queries)
    with Server(_newsfind(), index_dir) as server:
        status, body = server.get(urls[0])
        if status != 200:
            return {"error": f"GET {urls[0]} -> {status}: {body[:200]!r}"}
        for url in urls:  # warm-up: every query once, as the search bench's warm phase does
            server.get(url)
        runs = [load(server, urls, c, seconds, tool) for c in CONCURRENCY]
    return {"tool": tool, "seconds": seconds, "runs": runs}


# --- tables ---------------------------------------------------------------------------------


def _f(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _ratio(a: Any, b: Any) -> str:
    try:
        return f"{a / b:.2f}x" if a == a and b == b and b else "–"
    except TypeError:
        return "–"


def tables(size: int, r: dict[str, Any]) -> str:
    lines: list[str] = []
    c = r["corpus"]
    lines += [
        f"## {c['passages']:,} passages ({c['articles']:,} articles: {c['how']})",
        "",
        "### Indexing",
        "",
        "| engine | wall s | docs/s | articles/s | peak RSS MiB | peak PSS MiB | index MiB "
        "| segments |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    idx = r["indexing"]
    for name, m in idx.items():
        if "error" in m:
            lines.append(f"| {name} | {m['error']} |||||||")
            continue
        lines.append(
            f"| {name} | {_f(m['wall_s'])} | {_f(m['docs_per_s'], 0)} | "
            f"{_f(m['articles_per_s'], 0)} | {_f(m['peak_rss_mib'], 0)} | "
            f"{_f(m.get('peak_pss_mib'), 0)} | {_f(m['index_mib'], 0)} | {_f(m['segments'])} |"
        )
    ours = idx.get("ours", {})
    for peer in PEERS:
        pm = idx.get(peer)
        if "wall_s" in ours and pm and "wall_s" in pm:
            lines.append(
                f"| ours ÷ {peer} | {_ratio(ours['wall_s'], pm['wall_s'])} | "
                f"{_ratio(ours['docs_per_s'], pm['docs_per_s'])} | "
                f"{_ratio(ours['articles_per_s'], pm['articles_per_s'])} | "
                f"{_ratio(ours['peak_rss_mib'], pm['peak_rss_mib'])} | "
                f"{_ratio(ours.get('peak_pss_mib'), pm.get('peak_pss_mib'))} | "
                f"{_ratio(ours['index_mib'], pm['index_mib'])} | |"
            )
    s = r["search"]
    lines += [
        "",
        f"### Search latency, ms ({r['queries']} queries, top 10; median of {r['passes']} passes)",
        "",
        "| engine | open s | cold p50 | cold p95 | cold p99 | cold max "
        "| warm p50 | warm p95 | warm p99 | warm max | errors |",
        "|---|" + "---:|" * 10,
    ]
    for name, m in s.items():
        if "error" in m:
            lines.append(f"| {name} | {m['error']} |||||||||")
            continue
        cells = [_f(m["open_s"], 2)]
        cells += [_f(m[ph].get(k), 1) for ph in ("cold", "warm") for k in STATS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {m['errors']['count']} |")
    so = s.get("ours", {})
    for peer in PEERS:
        pm = s.get(peer)
        if "warm" in so and pm and "warm" in pm:
            cells = [_ratio(so["open_s"], pm["open_s"])]
            cells += [_ratio(so[ph][k], pm[ph][k]) for ph in ("cold", "warm") for k in STATS]
            lines.append(f"| ours ÷ {peer} | " + " | ".join(cells) + " | |")
    cats = sorted({c for m in s.values() for c in m.get("warm_p50_by_category", {})})
    live = [n for n, m in s.items() if "warm" in m]
    if cats and live:
        lines += [
            "",
            "Warm p50 by query category, ms:",
            "",
            "| category | " + " | ".join(live) + " |",
            "|---|" + "---:|" * len(live),
        ]
        for cat in cats:
            vals = [_f(s[n]["warm_p50_by_category"].get(cat), 1) for n in live]
            lines.append(f"| {cat} | " + " | ".join(vals) + " |")
    for key, engine in (("web", ""), ("web_sphinx", " (sphinx engine)")):
        if r.get(key):
            lines += _web_lines(r[key], engine)
    t = r.get("targets")
    if t:
        lines += ["", "### Targets (issue 6)", ""]
        lines += [f"- {line}" for line in t]
    return "\n".join(lines) + "\n"


def _web_lines(w: dict[str, Any], engine: str) -> list[str]:
    lines = ["", f"### Web: GET /api/search on `newsfind serve`{engine}", ""]
    if "error" in w:
        return lines + [f"not measured: {w['error']}"]
    lines += [
        f"{w['tool']}, {w['seconds']:g} s per concurrency, loopback, the query mix in turn.",
        "",
        "| concurrency | req/s | p50 ms | p99 ms | errors | server CPU cores |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for run in w["runs"]:
        lines.append(
            f"| {run['concurrency']} | {_f(run['rps'])} | {_f(run['p50_ms'])} | "
            f"{_f(run['p99_ms'])} | {run['errors']} | {_f(run['server_cores'], 2)} |"
        )
    return lines


def targets(r: dict[str, Any]) -> list[str]:
    out = []
    s = r["search"]
    if "warm" in s.get("ours", {}) and "warm" in s.get("whoosh", {}):
        for k in ("p50", "p95"):
            a, b = s["ours"]["warm"][k], s["whoosh"]["warm"][k]
            out.append(
                f"search warm {k}: ours {a:.1f} ms vs raw Whoosh {b:.1f} ms = {a / b:.2f}x "
                f"({'met' if a <= b else 'NOT met'}: <= 1.00x)"
            )
    if "warm" in s.get("ours", {}) and "warm" in s.get("fts5", {}):
        a, b = s["ours"]["warm"]["p95"], s["fts5"]["warm"]["p95"]
        out.append(
            f"stretch, warm p95 under FTS5's: {a / b:.2f}x ({'met' if a < b else 'not met'})"
        )
    idx = r["indexing"]
    if "docs_per_s" in idx.get("ours", {}) and "docs_per_s" in idx.get("whoosh", {}):
        ratio = idx["ours"]["docs_per_s"] / idx["whoosh"]["docs_per_s"]
        out.append(
            f"indexing docs/s: {ratio:.2f}x raw Whoosh procs=2 "
            f"({'met' if ratio >= 0.9 else 'NOT met'}: >= 0.90x)"
        )
    if "peak_rss_mib" in idx.get("ours", {}):
        rss = idx["ours"]["peak_rss_mib"]
        pss = idx["ours"].get("peak_pss_mib")
        both = f"{rss:,.0f} MiB" + (f" (PSS {pss:,.0f} MiB)" if pss is not None else "")
        if r["corpus"]["passages"] < 900_000:
            out.append(f"indexing peak RSS: {both} (the 1 GiB target is for 1,000,000)")
        else:
            verdict = "met" if rss < 1024 else "NOT met"
            out.append(f"indexing peak RSS, process tree: {both} ({verdict}: < 1,024 MiB)")
    w = r.get("web", {})
    if "runs" in w and "warm" in s.get("ours", {}):
        api_rps = 1000 / s["ours"]["warm"]["mean"]
        by_c = {run["concurrency"]: run for run in w["runs"]}
        if 8 in by_c:
            cores = max(by_c[8]["server_cores"], 0.01)
            ratio = by_c[8]["rps"] / (api_rps * cores)
            out.append(
                f"web at c=8: {by_c[8]['rps']:.1f} req/s vs API single-thread {api_rps:.1f}/s "
                f"(1 / mean warm latency) x {cores:.2f} server cores = {ratio:.2f}x "
                f"({'met' if ratio >= 0.8 else 'NOT met'}: >= 0.80x)"
            )
            if 1 in by_c and by_c[1]["rps"]:
                per_core = by_c[8]["rps"] / (by_c[1]["rps"] * cores)
                out.append(
                    f"web at c=8 vs web at c=1 x server cores: {per_core:.2f}x "
                    "(the same URL order, so less sensitive to which queries a short run reached)"
                )
        if 32 in by_c:
            errs = by_c[32]["errors"]
            out.append(f"web errors at c=32: {errs} ({'met' if errs == 0 else 'NOT met'})")
    return out


# --- driver ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import psutil

        info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    for dist in ("whoosh3", "whoosh-reloaded", "tantivy"):
        try:
            from importlib.metadata import version

            info[dist] = version(dist)
        except Exception:
            continue
    try:
        with open("/proc/cpuinfo") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        info["cpu"] = names[0] if names else None
    except OSError:
        pass
    return info


def run_size(
    size: int,
    args: argparse.Namespace,
    queries: list[BenchQuery],
    engines: list[str],
) -> dict[str, Any]:
    work = Path(args.workdir)
    t0 = time.perf_counter()
    corpus = build_corpus(size, work / "corpora")
    _log(
        f"[{size}] corpus: {corpus.articles:,} articles, {corpus.passages:,} passages "
        f"({corpus.how}) in {time.perf_counter() - t0:.0f} s"
    )
    dirs = {name: work / f"index-{name}-{size}" for name in engines}
    indexing: dict[str, Any] = {}
    saved = work / f"indexing-{size}.json"
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    for name in engines:
        if args.skip_index and dirs[name].exists() and name in previous and name != "sphinx":
            indexing[name] = {**previous[name], "reused": True}
            continue
        _log(f"[{size}] indexing with {name} ...")
        indexing[name] = index_engine(name, corpus, dirs[name])
        _log(
            f"[{size}]   {name}: "
            + (
                indexing[name].get("error")
                or f"{indexing[name]['wall_s']:.1f} s, {indexing[name]['docs_per_s']:.0f} docs/s"
            )
        )
    saved.write_text(json.dumps({**previous, **indexing}))
    ok = {n: dirs[n] for n in engines if "error" not in indexing[n]}
    _log(f"[{size}] search: {len(queries)} queries x {args.passes} passes ...")
    search = search_bench(ok, queries, args.passes)
    result: dict[str, Any] = {
        "corpus": corpus.to_json(),
        "indexing": indexing,
        "search": search,
        "queries": len(queries),
        "passes": args.passes,
    }
    if not args.no_web and "ours" in ok:
        _log(f"[{size}] web: {args.load}, {args.web_seconds:g} s x {len(CONCURRENCY)} ...")
        try:
            result["web"] = web_bench(ok["ours"], queries, args.web_seconds, args.load)
        except RuntimeError as exc:
            result["web"] = {"error": str(exc)}
    if not args.no_web and "sphinx" in ok:
        _log(f"[{size}] web (sphinx): {args.load}, {args.web_seconds:g} s x {len(CONCURRENCY)} ...")
        where = sphinx_cluster.location_of(ok["sphinx"])
        try:
            result["web_sphinx"] = web_bench(where, queries, args.web_seconds, args.load)
        except RuntimeError as exc:
            result["web_sphinx"] = {"error": str(exc)}
    result["targets"] = targets(result) + sphinx_targets(result)
    if "sphinx" in dirs:
        sphinx_cluster.stop(dirs["sphinx"])
    return result


def sphinx_targets(r: dict[str, Any]) -> list[str]:
    """Issue 13's targets for the sphinx engine, against ours (Whoosh) and FTS5."""
    out = []
    idx, s = r["indexing"], r["search"]
    if "docs_per_s" in idx.get("sphinx", {}) and "docs_per_s" in idx.get("ours", {}):
        ratio = idx["sphinx"]["docs_per_s"] / idx["ours"]["docs_per_s"]
        verdict = "met" if ratio >= 5 else "NOT met"
        out.append(f"sphinx indexing docs/s: {ratio:.2f}x ours ({verdict}: >= 5x)")
    if "warm" in s.get("sphinx", {}) and "warm" in s.get("ours", {}):
        ratio = s["sphinx"]["warm"]["p95"] / s["ours"]["warm"]["p95"]
        verdict = "met" if ratio <= 0.2 else "NOT met"
        out.append(f"sphinx search warm p95: {ratio:.2f}x ours ({verdict}: <= 0.2x)")
    if "warm" in s.get("sphinx", {}) and "warm" in s.get("fts5", {}):
        a, b = s["sphinx"]["warm"]["p95"], s["fts5"]["warm"]["p95"]
        out.append(f"sphinx warm p95 vs FTS5: {a / b:.2f}x ({'met' if a <= b else 'NOT met'})")
    runs = {
        key: {run["concurrency"]: run["rps"] for run in r.get(key, {}).get("runs", [])}
        for key in ("web", "web_sphinx")
    }
    if 8 in runs["web_sphinx"]:
        rps = runs["web_sphinx"][8]
        vs = f" = {rps / runs['web'][8]:.2f}x ours" if runs["web"].get(8) else ""
        out.append(f"sphinx web at c=8: {rps:.1f} req/s{vs} (no target)")
    return out


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.perf", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument(
        "--sizes",
        default="20000,200000,1000000",
        help="passage counts, comma-separated (default: %(default)s)",
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="one pass, 2 s per web run (a smoke run, not a measurement)",
    )
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON here")
    ap.add_argument(
        "--workdir",
        default=str(Path(tempfile.gettempdir()) / "newsfind-bench"),
        help="corpora and indexes (default: %(default)s)",
    )
    ap.add_argument(
        "--engines", default=",".join(ENGINES), help="engines to run (default: %(default)s)"
    )
    ap.add_argument("--passes", type=int, default=None, help="search passes (default 3; quick 1)")
    ap.add_argument(
        "--web-seconds",
        type=float,
        default=None,
        help="seconds per web load run (default 10; quick 2)",
    )
    ap.add_argument(
        "--load",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="web load generator (default: wrk when installed)",
    )
    ap.add_argument("--no-web", action="store_true", help="skip the web load runs")
    ap.add_argument(
        "--skip-index",
        action="store_true",
        help="reuse indexes (and their indexing figures) from an earlier run",
    )
    ap.add_argument("--queries", default=str(QUERIES_FILE), help="the query mix file")
    args = ap.parse_args(argv)
    args.passes = args.passes or (1 if args.quick else 3)
    if args.web_seconds is None:
        args.web_seconds = 2.0 if args.quick else 10.0
    if args.load == "auto":
        args.load = "wrk" if WRK else "python"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        print(f"error: --sizes must be whole numbers, not {args.sizes!r}", file=sys.stderr)
        return 2
    if not (news_dir() / "derived").is_dir():
        print(f"error: the news corpora are missing: {news_dir()}/derived", file=sys.stderr)
        return 1
    try:
        queries = load_queries(Path(args.queries))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engines = []
    for name in (n.strip() for n in args.engines.split(",") if n.strip()):
        if name not in (*ENGINES, "sphinx"):
            known = ", ".join((*ENGINES, "sphinx"))
            print(f"error: unknown engine {name!r} (one of {known})", file=sys.stderr)
            return 2
        why = sphinx_cluster.available() if name == "sphinx" else available(name)
        if why:
            _log(f"skipping {name}: {why}")
        else:
            engines.append(name)
    report: dict[str, Any] = {
        "command": "python -m benchmarks.perf " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "corpus_method": DESCRIPTION,
        "sizes": {},
    }
    m = report["machine"]
    header = [
        "# newsfind performance benchmark",
        "",
        f"Command: `{report['command']}`",
        "",
        f"Machine: {m.get('cpus')} CPUs ({m.get('cpu')}), {m.get('memory_gib')} GiB, "
        f"Python {m['python']}, whoosh3 {m.get('whoosh3', '–')}, SQLite {m['sqlite']}, "
        f"tantivy {m.get('tantivy', '–')}",
        "",
        f"Corpora: {DESCRIPTION}",
        "",
        "Latency is wall time of one search call returning the top 10 with highlights; ours is "
        "the public API (grouping, snippets, facets). Cold = first run of each query after "
        "opening (OS file cache not dropped); warm = the next run. Ratios are ours ÷ peer "
        "(below 1 = ours faster / smaller).",
        "",
    ]
    print("\n".join(header), flush=True)
    for size in sizes:
        result = run_size(size, args, queries, engines)
        report["sizes"][str(size)] = result
        print(tables(size, result), flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    if args.json:
        _log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
