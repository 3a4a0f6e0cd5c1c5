"""Load on ``GET /api/search`` of a real ``newsfind serve`` on loopback.

Two load generators, both bounded in time: Debian's ``wrk`` (C, so it takes little of the CPU
the server needs on a small machine) when it is installed, else the Python one here (one thread
per connection, keep-alive ``http.client``). Both cycle through the query mix.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .perf_queries import BenchQuery

__all__ = ["Server", "load", "urls_for", "WRK"]

WRK = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)


def urls_for(queries: list[BenchQuery]) -> list[str]:
    """The mix as URLs in a fixed shuffled order, so the part a short run gets through is a fair
    sample of every category rather than the cheap one-word queries at the top of the file."""
    urls = ["/api/search?" + urllib.parse.urlencode(q.url_params()) for q in queries]
    random.Random(6).shuffle(urls)
    return urls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``newsfind serve`` as a child process; a context manager that always stops it."""

    def __init__(self, newsfind: list[str], index_dir: Path | str) -> None:
        self.port = _free_port()
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [*newsfind, "serve", "--index", str(index_dir), "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"newsfind serve exited: {self.output()[-500:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("newsfind serve did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def cpu_seconds(self) -> float:
        import psutil

        t = psutil.Process(self.proc.pid).cpu_times()
        return float(t.user + t.system)

    def get(self, url: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", url)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def _python_load(port: int, urls: list[str], concurrency: int, seconds: float) -> dict[str, Any]:
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        j = i * 7
        while time.perf_counter() < stop_at:
            url = urls[j % len(urls)]
            j += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            latencies[i].append((time.perf_counter() - t0) * 1000)
            if not ok:
                errors[i] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    flat = [x for lat in latencies for x in lat]
    return {
        "requests": len(flat),
        "rps": len(flat) / wall,
        "p50_ms": _percentile(flat, 50),
        "p99_ms": _percentile(flat, 99),
        "errors": sum(errors),
        "wall_s": wall,
    }


_WRK_LUA = """
local urls = {}
for line in io.lines("%s") do urls[#urls + 1] = line end
local counter = 0
local failed = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", urls[(counter %% #urls) + 1])
end
"""

_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * _UNIT[m.group(2)] if m else float("nan")


def _wrk_load(port: int, urls: list[str], concurrency: int, seconds: float) -> dict[str, Any]:
    assert WRK is not None
    with tempfile.TemporaryDirectory() as tmp:
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n")
        script = Path(tmp) / "mix.lua"
        script.write_text(_WRK_LUA % url_file)
        threads = min(concurrency, 2)
        out = subprocess.run(
            [
                WRK,
                "-t",
                str(threads),
                "-c",
                str(concurrency),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        ).stdout
    done = re.search(r"(\d+) requests in", out)
    requests = int(done.group(1)) if done else 0
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"\s50%\s+(\S+)", out)
    p99 = re.search(r"\s99%\s+(\S+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return {
        "requests": requests,
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": _ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": _ms(p99.group(1)) if p99 else float("nan"),
        "errors": errors,
        "wall_s": seconds,
    }


def load(
    server: Server, urls: list[str], concurrency: int, seconds: float, tool: str
) -> dict[str, Any]:
    """One bounded run at this concurrency, with the server's CPU use (cores) over it."""
    cpu0, t0 = server.cpu_seconds(), time.perf_counter()
    if tool == "wrk":
        result = _wrk_load(server.port, urls, concurrency, seconds)
    else:
        result = _python_load(server.port, urls, concurrency, seconds)
    wall = time.perf_counter() - t0
    result["server_cores"] = (server.cpu_seconds() - cpu0) / wall
    result["concurrency"] = concurrency
    result["tool"] = tool
    return result


if __name__ == "__main__":  # pragma: no cover - manual check of a running server
    print(_python_load(int(sys.argv[1]), ["/healthz"], 2, 1.0))
