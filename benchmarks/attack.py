"""Attack and commit churn: do one client's worst queries, or another process's commits, hold up
everyone else's searches? (issue 19, points 2 and 4; docs/reliability.md)

Usage::

    python -m benchmarks.attack                         # builds a Reuters index in a temp dir
    python -m benchmarks.attack --index DIR --seconds 20 --rounds 2
    python -m benchmarks.attack --quick                 # a few seconds, a small index (the test)

Both experiments run a real ``newsfind serve`` on loopback and print Markdown tables.

1. Attack: ``--clients`` ordinary clients (benchmarks/queries.txt, each its own keep-alive
   connection, one request at a time) run alone for ``--seconds``, then for as long again with
   ``--attackers`` more clients sending the worst queries found (``ATTACKS``), alternately for
   ``--rounds`` rounds. The ordinary clients' p50/p95 in each phase and the ratio of p95s (with
   attackers / alone) are printed; the attackers' answers too (400s are what they should get).
2. Commit churn: a copy of the index is served to ``--churn-clients`` clients for
   ``--churn-seconds`` without commits, then as long again while another process commits every
   ``--batch`` articles. Responses, timeouts (``--timeout``), p50/p95, the first search after
   each commit and the server's RSS before and after are printed.

The machine's load matters (Whoosh is pure Python: one core per server); compare the phases of
one run, measured side by side, rather than numbers from different runs.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

from benchmarks.load import free_port, percentile, start_server
from benchmarks.perf_corpus import news_dir
from benchmarks.perf_queries import load_queries

ROOT = Path(__file__).resolve().parents[1]

#: The worst requests found for a Reuters-sized index: each costs the most of its kind that the
#: query language's caps still allow, or is one of those the caps now refuse cheaply.
ATTACKS: list[dict[str, str]] = [
    {"q": "st~2 co~2 pr~2 re~2"},  # 4 fuzzy words of common stems: 64 expansions each
    {"q": "co* st* pr* re*"},  # 4 common prefixes, 64 words each
    {"q": "ma~2 ba~2 sa~2 ca~2", "sort": "newest"},
    {"q": "ma* ba* sa* ca*", "per_page": "100"},
    {"q": " ".join(f'"said {w}"' for w in "pct mln year dlrs company billion market".split())},
    {"q": "said pct mln year dlrs company billion market", "sort": "oldest", "per_page": "100"},
    {"q": " ".join(f"{w}zq" for w in "stoc compa marke price gover shar trad bil".split())},
    {"q": "s" + "x" * 1990 + "~2"},  # the 1,997-letter fuzzy word (now refused)
    {"q": " ".join(f"w{i}x~2" for i in range(60))},  # 60 fuzzy words (now refused)
]


class Client(threading.Thread):
    """One keep-alive connection sending ``paths`` (in random order) until ``until``
    (``time.monotonic``); ``results`` holds (wall-clock start, seconds, status) per request,
    status 0 for a timeout and -1 for another failure."""

    def __init__(self, port: int, paths: list[str], until: float, timeout: float, seed: int):
        super().__init__(daemon=True)
        self.port, self.paths, self.until, self.timeout, self.seed = (
            port, paths, until, timeout, seed
        )  # fmt: skip
        self.results: list[tuple[float, float, int]] = []

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def run(self) -> None:
        rng = random.Random(self.seed)
        conn = self._connect()
        while time.monotonic() < self.until:
            path = rng.choice(self.paths)
            wall, started = time.time(), time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status = response.status
            except TimeoutError:
                status = 0
            except (OSError, http.client.HTTPException):
                status = -1
            self.results.append((wall, time.perf_counter() - started, status))
            if status <= 0:
                conn.close()
                conn = self._connect()
        conn.close()


def run_clients(
    port: int, groups: list[tuple[list[str], int]], seconds: float, timeout: float
) -> list[list[Client]]:
    """Run each group's clients (paths, how many) at once for ``seconds``."""
    until = time.monotonic() + seconds
    clients = [
        [Client(port, paths, until, timeout, seed=100 * g + i) for i in range(count)]
        for g, (paths, count) in enumerate(groups)
    ]
    for client in (c for group in clients for c in group):
        client.start()
    for client in (c for group in clients for c in group):
        client.join()
    return clients


def _results(clients: list[Client]) -> list[tuple[float, float, int]]:
    return [r for c in clients for r in c.results]


def _summary(results: list[tuple[float, float, int]]) -> dict[str, Any]:
    ok = [s for _, s, status in results if status > 0]
    return {
        "responses": len(ok),
        "timeouts": sum(1 for *_, status in results if status == 0),
        "failures": sum(1 for *_, status in results if status < 0),
        "p50_ms": round(1000 * percentile(ok, 50), 1),
        "p95_ms": round(1000 * percentile(ok, 95), 1),
        "max_ms": round(1000 * max(ok), 1) if ok else float("nan"),
        "statuses": sorted({status for *_, status in results}),
    }


def ordinary_paths() -> list[str]:
    return ["/api/search?" + urlencode(q.url_params()) for q in load_queries()]


def attack_paths() -> list[str]:
    return ["/api/search?" + urlencode(params) for params in ATTACKS]


def attack_experiment(index: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Ordinary clients alone, then with attackers, ``args.rounds`` times, on one server."""
    port = free_port()
    server = start_server(str(index), port, None)
    ordinary, attacks = ordinary_paths(), attack_paths()
    rounds = []
    try:
        run_clients(port, [(ordinary, args.clients)], min(3.0, args.seconds), args.timeout)
        for _ in range(args.rounds):
            alone = run_clients(port, [(ordinary, args.clients)], args.seconds, args.timeout)
            both = run_clients(
                port,
                [(ordinary, args.clients), (attacks, args.attackers)],
                args.seconds,
                args.timeout,
            )
            rounds.append(
                {
                    "alone": _summary(_results(alone[0])),
                    "attacked": _summary(_results(both[0])),
                    "attackers": _summary(_results(both[1])),
                }
            )
    finally:
        _stop(server)
    return {"rounds": rounds, "ratio_p95": _ratio(rounds)}


def _ratio(rounds: list[dict[str, Any]]) -> float:
    alone = sum(r["alone"]["p95_ms"] for r in rounds) / max(1, len(rounds))
    attacked = sum(r["attacked"]["p95_ms"] for r in rounds) / max(1, len(rounds))
    return round(attacked / alone, 2) if alone else float("nan")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


#: The committing process: new copies of Reuters articles, a commit every BATCH of them, the
#: wall-clock time of each commit on stdout, until the time is up.
WRITER = """
import gzip, json, sys, time
from indexer import ArticleWriter, article_from_json
index, source, batch, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
end = time.time() + seconds
writer = ArticleWriter(index)
pending = 0
with gzip.open(source, "rt", encoding="utf-8") as lines:
    for n, line in enumerate(lines):
        raw = json.loads(line)
        raw["id"] = f"churn-{n}-{raw['id']}"
        writer.add(article_from_json(raw))
        pending += 1
        if pending == batch:
            writer.commit()
            print(time.time(), flush=True)
            pending = 0
            if time.time() > end:
                break
writer.commit()
"""


def _first_after(commits: list[float], results: list[tuple[float, float, int]]) -> list[float]:
    """For each commit, the latency of the first request sent after it."""
    ordered = sorted(results)
    out = []
    for at in commits:
        later = [(wall, s) for wall, s, status in ordered if wall >= at and status > 0]
        if later:
            out.append(later[0][1])
    return out


def churn_experiment(index: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Clients without commits, then as long with another process committing."""
    copy = work / "churn-index"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    port = free_port()
    server = start_server(str(copy), port, None)
    paths = ordinary_paths()
    groups = [(paths, args.churn_clients)]
    try:
        process = psutil.Process(server.pid)
        run_clients(port, groups, min(3.0, args.churn_seconds), args.timeout)
        quiet = run_clients(port, groups, args.churn_seconds, args.timeout)
        rss_before = process.memory_info().rss
        source = news_dir() / "derived" / "reuters21578.jsonl.gz"
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(copy), str(source), str(args.batch),
             str(args.churn_seconds)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        busy = run_clients(port, groups, args.churn_seconds, args.timeout)
        out, err = writer.communicate(timeout=600)
        rss_after = process.memory_info().rss
    finally:
        _stop(server)
    if writer.returncode != 0:
        raise SystemExit(f"the committing process failed: {err.strip()[-500:]}")
    commits = [float(line) for line in out.split()]
    first = _first_after(commits, _results(busy[0]))
    return {
        "quiet": _summary(_results(quiet[0])),
        "committing": _summary(_results(busy[0])),
        "commits": len(commits),
        "first_after_commit_ms": {
            "p50": round(1000 * percentile(first, 50), 1),
            "max": round(1000 * max(first), 1) if first else float("nan"),
        },
        "rss_mb": {"before": round(rss_before / 2**20, 1), "after": round(rss_after / 2**20, 1)},
    }


def build_index(work: Path, articles: int | None) -> Path:
    """A Reuters-21578 index (all of it, or its first ``articles``) under ``work``."""
    source = news_dir() / "derived" / "reuters21578.jsonl.gz"
    index = work / f"reuters-{articles or 'all'}"
    if index.is_dir():
        return index
    if articles is not None:
        subset = work / f"reuters-{articles}.jsonl"
        with gzip.open(source, "rt", encoding="utf-8") as lines, subset.open("w") as out:
            for _, line in zip(range(articles), lines, strict=False):
                out.write(line)
        source = subset
    subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(source), "--index", str(index), "-q"],
        check=True,
        cwd=ROOT,
    )
    return index


def _table(rows: list[list[Any]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def report(attack: dict[str, Any], churn: dict[str, Any] | None, args: argparse.Namespace) -> str:
    out = [f"### Attack ({args.clients} ordinary clients, {args.attackers} attackers, "
           f"{args.seconds:g} s a phase)", ""]  # fmt: skip
    rows = []
    for n, r in enumerate(attack["rounds"], 1):
        for phase in ("alone", "attacked", "attackers"):
            s = r[phase]
            rows.append([n, phase, s["responses"], s["p50_ms"], s["p95_ms"], s["max_ms"],
                         s["timeouts"], " ".join(map(str, s["statuses"]))])  # fmt: skip
    header = ["round", "clients", "responses", "p50 ms", "p95 ms", "max ms", "timeouts", "status"]
    out += [_table(rows, header), "", f"p95 with attackers / alone: **{attack['ratio_p95']}**"]
    if churn is not None:
        out += ["", f"### Commit churn ({args.churn_clients} clients, a commit every "
                f"{args.batch} articles, {args.churn_seconds:g} s a phase)", ""]  # fmt: skip
        rows = [[phase, churn[phase]["responses"], churn[phase]["p50_ms"],
                 churn[phase]["p95_ms"], churn[phase]["max_ms"], churn[phase]["timeouts"]]
                for phase in ("quiet", "committing")]  # fmt: skip
        out.append(_table(rows, ["phase", "responses", "p50 ms", "p95 ms", "max ms", "timeouts"]))
        first, rss = churn["first_after_commit_ms"], churn["rss_mb"]
        out += ["", f"commits: {churn['commits']}; first search after a commit: p50 "
                f"{first['p50']} ms, max {first['max']} ms; server RSS {rss['before']} -> "
                f"{rss['after']} MB"]  # fmt: skip
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="index to serve (default: build Reuters)")
    parser.add_argument("--workdir", type=Path, help="where to build and copy indexes")
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per attack phase")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--churn-seconds", type=float, default=30.0)
    parser.add_argument("--churn-clients", type=int, default=32)
    parser.add_argument("--batch", type=int, default=100, help="articles per commit")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout, seconds")
    parser.add_argument("--no-churn", action="store_true", help="only the attack experiment")
    parser.add_argument("--quick", action="store_true", help="tiny index, about 10 s in all")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.churn_seconds, args.churn_clients = 1.5, 1, 2.0, 4
    with tempfile.TemporaryDirectory(prefix="newsfind-attack-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        index = args.index or build_index(work, 1000 if args.quick else None)
        attack = attack_experiment(index, args)
        churn = None if args.no_churn else churn_experiment(index, work, args)
    print(report(attack, churn, args))
    if args.json:
        args.json.write_text(json.dumps({"attack": attack, "churn": churn}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
