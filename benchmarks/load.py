"""Load test: ``newsfind serve`` on loopback under a mix of queries at fixed concurrency.

Usage::

    python benchmarks/load.py --index index_data                 # 60 s at concurrency 32
    python benchmarks/load.py --index index_data --duration 10 --concurrency 8

Starts the real server as a subprocess, warms it up, then runs ``--concurrency`` client threads
(keep-alive HTTP/1.1) for ``--duration`` seconds and prints a table: requests, rate, latency
percentiles, status counts, and the server's resident memory after warm-up and at the end.
Exits 1 when any response is a 5xx or a connection fails, or when memory grew by more than
``--max-rss-growth`` percent (default 10).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import psutil

# What people type, and what they type by mistake: the mix includes queries that must be 400s.
QUERIES = [
    "putin", "xi jinping", '"belt and road"', "china OR russia", "beijing -moscow", "summit",
    "president", "trade AND energy", "pres*", "photo", "credit:song", "kind:caption putin",
    '"x y', "((", "a AND", "zzzznotaword", "published:2023-13-45", "u.s.", "no-limits",
]  # fmt: skip
EXTRA = [
    {"kind": "caption"}, {"sort": "newest"}, {"sort": "oldest"}, {"page": "2"},
    {"per_page": "50"}, {"from": "2023-01-01", "to": "2023-12-31"}, {"per_page": "0"}, {},
]  # fmt: skip
ROUTES = ["/api/search"] * 6 + ["/search"] * 3 + ["/search.atom"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(index: str, port: int, threads: int | None) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "indexer", "serve", "--index", index, "--port", str(port)]
    if threads:
        cmd += ["--threads", str(threads)]
    # the server's log goes to a file: a pipe nobody reads fills up under load (waitress logs
    # "Task queue depth" warnings) and then blocks the server's main thread mid-write, which is
    # what made an earlier 60 s run look like a 30 s server stall
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            err = log.read().decode("utf-8", "replace")
            raise SystemExit(f"server exited: {err.strip()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not become healthy within 60 s")


def request_path(rng: random.Random, article_ids: list[str]) -> str:
    if article_ids and rng.random() < 0.1:
        return f"/api/articles/{rng.choice(article_ids)}"
    params = {"q": rng.choice(QUERIES), **rng.choice(EXTRA)}
    return f"{rng.choice(ROUTES)}?{urlencode(params)}"


class Worker(threading.Thread):
    def __init__(self, port: int, seed: int, until: float, article_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.port, self.until, self.article_ids = port, until, article_ids
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while time.monotonic() < self.until:
            path = request_path(self.rng, self.article_ids)
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[response.status] += 1
        conn.close()


def run_phase(port: int, seconds: float, concurrency: int, ids: list[str]) -> list[Worker]:
    until = time.monotonic() + seconds
    workers = [Worker(port, seed, until, ids) for seed in range(concurrency)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return workers


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def article_ids(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/api/search?" + urlencode({"q": "the OR a OR and", "per_page": 100}))
    data = json.loads(conn.getresponse().read() or b"{}")
    return [r["article_id"] for r in data.get("results", [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True, help="index directory to serve")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--threads", type=int, default=None, help="server worker threads")
    parser.add_argument("--max-rss-growth", type=float, default=10.0, help="percent")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not Path(args.index).is_dir():
        parser.error(f"no index at {args.index}")

    port = free_port()
    server = start_server(args.index, port, args.threads)
    try:
        ids = article_ids(port)
        run_phase(port, args.warmup, args.concurrency, ids)
        process = psutil.Process(server.pid)
        rss_warm = process.memory_info().rss
        started = time.monotonic()
        workers = run_phase(port, args.duration, args.concurrency, ids)
        elapsed = time.monotonic() - started
        rss_end = process.memory_info().rss
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if server.stderr:
            server.stderr.close()

    latencies = [x for w in workers for x in w.latencies]
    statuses: Counter[int] = sum((w.statuses for w in workers), Counter())
    failures = [f for w in workers for f in w.failures]
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    growth = 100.0 * (rss_end - rss_warm) / rss_warm
    result = {
        "duration_s": round(elapsed, 1),
        "concurrency": args.concurrency,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * percentile(latencies, 50), 1),
        "p95_ms": round(1000 * percentile(latencies, 95), 1),
        "p99_ms": round(1000 * percentile(latencies, 99), 1),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors_5xx": server_errors,
        "connection_failures": len(failures),
        "rss_after_warmup_mb": round(rss_warm / 2**20, 1),
        "rss_at_end_mb": round(rss_end / 2**20, 1),
        "rss_growth_pct": round(growth, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        width = max(map(len, result))
        for key, value in result.items():
            print(f"{key:<{width}}  {value}")
        for failure in failures[:5]:
            print(f"failure: {failure}", file=sys.stderr)
    ok = server_errors == 0 and not failures and growth <= args.max_rss_growth
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
