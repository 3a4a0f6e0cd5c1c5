"""Indexing a web archive against indexing the same pages as files, side by side, and the
archive run's peak memory at several record counts (it should stay flat).

Run: ``.venv/bin/python -m benchmarks.warc [--records 20000] [--memory-at 2500,5000,10000]
[--workdir DIR] [--json FILE] [--quick] [--together]``. The 41 development pages in
../shared/data/html are repeated to ``--records`` pages, each copy a distinct article (its
canonical URL made unique, text unchanged), written once as HTML files and once as response
records of one ``.warc.gz``. Each run indexes into a fresh index in a process of its own
(``procs=1``), which reports its wall and CPU time and peak resident memory; the ratio is
archive docs/s over files docs/s (target >= 0.9), per CPU second (what the reader costs,
steady on a shared machine) and per wall second; ``--together`` runs both at once, so both
meet the same load. Each indexing run also notes its peak memory after every quarter of the
records.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from indexer import Article, index_articles, iter_articles
from indexer.ingest.html.page import parse_html

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "html"
_HEAD = re.compile(rb"<head[^>]*>", re.I)


def pages(data: Path = DATA) -> list[tuple[str, bytes, str | None]]:
    """(name, bytes, canonical URL) of each development page."""
    found = []
    for page in sorted(data.glob("*/source.html")):
        raw = page.read_bytes()
        found.append((page.parent.name, raw, parse_html(raw, str(page)).url))
    return found


def distinct_copy(raw: bytes, url: str | None, n: int) -> bytes:
    """Copy ``n`` of a page as another article: its canonical URL (also as JSON escapes it)
    gets ``?copy=n``; a page without one gets a canonical link."""
    if url:
        for form in (url, url.replace("/", "\\/")):
            raw = raw.replace(form.encode(), f"{form}?copy={n}".encode())
        return raw
    link = f'<link rel="canonical" href="https://bench.example/copy/{n}">'.encode()
    return _HEAD.sub(lambda m: m.group(0) + link, raw, count=1)


def build(workdir: Path, records: int, with_files: bool = True) -> tuple[Path, Path]:
    """The same ``records`` pages as a directory of HTML files and as one WARC."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    source = pages()
    files = workdir / f"files-{records}"
    files.mkdir(parents=True, exist_ok=True)
    warc = workdir / f"crawl-{records}.warc.gz"
    with warc.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n in range(records):
            name, raw, url = source[n % len(source)]
            body = distinct_copy(raw, url, n)
            if with_files:
                (files / f"{n:06d}-{name}.html").write_bytes(body)
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
            )
            stamp = f"2024-01-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"
            writer.write_record(
                writer.create_warc_record(
                    f"https://bench.example/{n}/{name}",
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": stamp},
                )
            )
    return files, warc


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _checkpoints(items: Iterable[Any], every: int, peaks: dict[int, float]) -> Iterator[Any]:
    """``items`` passed through, noting the peak memory so far after every ``every`` of them:
    one run shows whether its memory grows with the records read."""
    count = 0
    for item in items:
        yield item
        count += 1
        if count % every == 0:
            peaks[count] = _peak_mb()


def child(path: str, index_dir: str, every: int = 0) -> None:
    """One timed run: index ``path`` into ``index_dir``; print time, counts and peak memory
    (also after every ``every`` records when given)."""
    peaks: dict[int, float] = {}
    items: Iterable[Any] = iter_articles([path])
    if every:
        items = _checkpoints(items, every, peaks)
    started = time.perf_counter()
    report = index_articles(index_dir, items, procs=1)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "articles": report.articles,
        "documents": report.documents,
        "failed": report.failed,
        "peak_mb": usage.ru_maxrss / 1024,
        "peak_mb_at": peaks,
    }
    print(json.dumps(out))


def read_child(path: str) -> None:
    """One timed read of ``path`` without indexing: what the reader alone holds in memory
    (the index writer's pool grows with its batch up to ``limitmb``, whatever the input)."""
    started = time.perf_counter()
    articles = documents = 0
    for item in iter_articles([path]):
        if isinstance(item, Article):
            articles += 1
            documents += bool(item.headline) + len(item.captions) + len(item.paragraphs)
            documents += len(item.notes)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "seconds": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "articles": articles,
        "documents": documents,
        "failed": 0,
        "peak_mb": usage.ru_maxrss / 1024,
    }
    print(json.dumps(out))


def start(
    path: Path, workdir: Path, label: str, read_only: bool = False, every: int = 0
) -> tuple[str, subprocess.Popen[str]]:
    """A child process indexing (or only reading) ``path``, started."""
    index_dir = tempfile.mkdtemp(prefix=f"ix-{label}-", dir=workdir)
    mode = ["--child-read", str(path)] if read_only else ["--child", str(path), index_dir]
    if every and not read_only:
        mode += ["--every", str(every)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.warc", *mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return label, proc


def finish(started: tuple[str, subprocess.Popen[str]]) -> dict[str, Any]:
    """The JSON line a child printed, once it has ended."""
    label, proc = started
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{label} run failed: {err.strip()[-500:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def run(path: Path, workdir: Path, label: str, read_only: bool = False) -> dict[str, Any]:
    return finish(start(path, workdir, label, read_only))


def _row(label: str, records: int, r: dict[str, Any]) -> str:
    return (
        f"{label:<10} {records:>8,} {r['articles']:>9,} {r['documents']:>10,} "
        f"{r['seconds']:>8.1f} {r['cpu']:>8.1f} {r['documents'] / r['cpu']:>11.0f} "
        f"{r['documents'] / r['seconds']:>11.0f} {r['peak_mb']:>8.0f}"
    )


def _compare(workdir: Path, records: int, header: str, together: bool = False) -> dict[str, Any]:
    """Index the same pages as files and as an archive (one after the other, or ``together``:
    both under the same load of a shared machine); print both rows and the ratios."""
    files, warc = build(workdir, records)
    every = max(1, records // 4)
    if together:
        pair = [
            start(files, workdir, "files", every=every),
            start(warc, workdir, "warc", every=every),
        ]
        as_files, as_warc = (finish(p) for p in pair)
    else:
        as_files = finish(start(files, workdir, "files", every=every))
        as_warc = finish(start(warc, workdir, "warc", every=every))
    print(header)
    print(_row("files", records, as_files))
    print(_row("warc.gz", records, as_warc))
    for key, what in (("cpu", "CPU"), ("seconds", "wall")):
        ratio = (as_warc["documents"] / as_warc[key]) / (as_files["documents"] / as_files[key])
        print(f"archive / files docs per {what} second: {ratio:.2f}x (target >= 0.9)")
    for label, result in (("files", as_files), ("warc.gz", as_warc)):
        peaks = ", ".join(f"{int(n):,}: {mb:.0f}" for n, mb in result["peak_mb_at"].items())
        print(f"{label} peak MB after records read: {peaks}")
    if as_warc["documents"] != as_files["documents"]:
        raise SystemExit("the two runs indexed different documents: the comparison is void")
    return {"files": as_files, "warc": as_warc}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--memory-at", default="", help="record counts for the memory table")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the runs as JSON")
    ap.add_argument("--quick", action="store_true", help="82 records, memory at 41 and 82")
    ap.add_argument("--memory-only", action="store_true", help="only the memory table")
    ap.add_argument(
        "--together", action="store_true", help="index files and archive at the same time"
    )
    ap.add_argument("--child", nargs=2, metavar=("PATH", "INDEX"), help=argparse.SUPPRESS)
    ap.add_argument("--every", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--child-read", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], every=args.every)
        return
    if args.child_read:
        read_child(args.child_read)
        return
    records = 82 if args.quick else args.records
    counts = [41, 82] if args.quick else [int(c) for c in args.memory_at.split(",") if c]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-warc-"))
    workdir.mkdir(parents=True, exist_ok=True)
    header = (
        f"{'input':<10} {'records':>8} {'articles':>9} {'documents':>10} "
        f"{'wall s':>8} {'CPU s':>8} {'docs/CPU s':>11} {'docs/wall s':>11} {'peak MB':>8}"
    )
    runs: dict[str, Any] = {"records": records}
    if not args.memory_only:
        runs.update(_compare(workdir, records, header, together=args.together))
    runs["memory"] = memory = {}
    if counts:
        print("\nthe archive read alone (no index writer), by record count")
        print(header)
        for count in counts:
            _, small = build(workdir / f"mem-{count}", count, with_files=False)
            memory[count] = run(small, workdir, f"mem{count}", read_only=True)
            print(_row("warc.gz", count, memory[count]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
