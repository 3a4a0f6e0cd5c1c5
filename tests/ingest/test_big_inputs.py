"""Big and odd inputs: a 200 MB JSON Lines file, a 50 MB page, a 1 MB paragraph, 10,000 files,
symlink loops, pipes and unreadable files. Each is handled or refused in one clear line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import ParseError, article_from_json, index_articles, iter_articles, open_index
from indexer.ingest.paths import expand_paths


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], capture_output=True, text=True, timeout=timeout
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


# The child scripts' peak memory: VmHWM, not ru_maxrss, since Linux keeps ru_maxrss across exec
# and a child of a big pytest process would report its parent's peak.
PEAK_MB = """
def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
"""

# Streams a file through the input layer in a child process and prints what it saw and its peak
# memory, so the measurement is not disturbed by the test process itself.
STREAM = PEAK_MB + """
import json, sys
from indexer import ParseError, iter_articles
seen = {"articles": 0, "errors": 0, "bytes": 0}
def count(n):
    seen["bytes"] += n
for item in iter_articles([sys.argv[1]], on_bytes=count):
    seen["errors" if isinstance(item, ParseError) else "articles"] += 1
seen["max_rss_mb"] = peak_mb()
print(json.dumps(seen))
"""


@pytest.mark.slow
def test_200_mb_jsonl_is_read_as_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    body = "Streamed paragraph about harbour storms and council budgets. " * 160
    n = 0
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < 200 * 1024 * 1024:
            out.write(json.dumps({"id": f"s{n}", "headline": f"Story {n}", "body": body}) + "\n")
            n += 1
        out.write("{not json}\n")
    size = path.stat().st_size
    done = subprocess.run(
        [sys.executable, "-c", STREAM, str(path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["articles"] == n and seen["errors"] == 1
    # progress: every byte of the file is reported to the progress bar
    assert seen["bytes"] == size
    # bounded: the whole file is 200 MB; a streamed reader holds one line at a time
    assert seen["max_rss_mb"] < 120, seen


# Indexes in batches in a child process and records peak memory after each commit.
BATCHES = PEAK_MB + """
import json, sys
from indexer import article_from_json, index_articles
from indexer.engine.whoosh import writer as store
# folding small segments together (MERGE_BELOW_DOCS) re-reads up to that many documents at each
# commit, memory bounded by that size; this test is about the writer's own state per batch
store.MERGE_BELOW_DOCS = 0
def articles(n):
    for i in range(n):
        yield article_from_json({"id": f"m{i}", "headline": f"Memory test {i} " + "word " * 20})
peaks = []
def each(report):
    if report.added % 500 == 0:
        peaks.append(peak_mb())
report = index_articles(sys.argv[1], articles(int(sys.argv[2])), on_article=each,
                        batch_articles=500)
print(json.dumps({"added": report.added, "peaks": peaks}))
"""


@pytest.mark.slow
def test_indexing_memory_stays_flat_across_batches(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BATCHES, str(tmp_path / "ix"), "3000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["added"] == 3000
    peaks = out["peaks"]
    # Each commit leaves a segment, and the writer keeps about 1 MB of state per segment
    # (measured: +1.1 MB per 500-article batch, linear in batches up to 16 segments); the
    # articles themselves are not kept. So memory may grow by the segments, never by the text:
    # well under 2 MB a batch.
    growth = [b - a for a, b in zip(peaks[1:], peaks[2:], strict=False)]
    assert max(growth) < 2.0, peaks


def test_50_mb_html_page_is_refused_in_one_line(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    filler = "<p>" + "filler words " * 80 + "</p>\n"
    with page.open("w", encoding="utf-8") as out:
        out.write("<!DOCTYPE html><html><head><title>Huge</title></head><body><article>")
        while out.tell() < 50 * 1024 * 1024:
            out.write(filler)
        out.write("</article></body></html>")
    done = run_cli("index", str(page), "--index", str(tmp_path / "ix"))
    assert done.returncode == 1
    (line,) = error_lines(done.stderr)
    assert str(page) in line and "refused" in line and "MB" in line
    assert "Traceback" not in done.stderr


ONE_MB = " ".join(f"word{i % 5000}" for i in range(150_000)) + " lastwordzz"


@pytest.mark.parametrize("form", ["jsonl", "txt", "html"])
def test_one_mb_paragraph_is_indexed_whole(form: str, tmp_path: Path) -> None:
    assert len(ONE_MB) > 1024 * 1024
    path = tmp_path / f"para.{form}"
    if form == "jsonl":
        path.write_text(json.dumps({"id": "p", "headline": "Long", "paragraphs": [ONE_MB]}))
    elif form == "txt":
        path.write_text(f"Long\n\n{ONE_MB}\n", encoding="utf-8")
    else:
        path.write_text(
            f"<html><head><title>Long</title></head><body><article><h1>Long</h1>"
            f"<p>{ONE_MB}</p></article></body></html>",
            encoding="utf-8",
        )
    index_dir = tmp_path / "ix"
    report = index_articles(index_dir, iter_articles([str(path)]))
    assert report.failed == 0, report.errors
    with open_index(index_dir) as ix:
        (article_id,) = ix.article_ids()
        article = ix.article(article_id)
        assert article is not None and ONE_MB in article.paragraphs
        # the last word of the paragraph is searchable, past any highlighting limit
        results = ix.search("lastwordzz")
        assert [r.article_id for r in results.results] == [article_id]


@pytest.mark.slow
def test_ten_thousand_small_files(tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    for i in range(10_000):
        sub = corpus / f"d{i // 1000}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:05d}.txt").write_text(f"Small file number {i} headline\n", encoding="utf-8")
    done = run_cli("index", str(corpus), "--index", str(tmp_path / "ix"), "-q", timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "10,000 added" in done.stderr
    with open_index(tmp_path / "ix") as ix:
        assert ix.stats().articles == 10_000


def test_symlink_loops_are_reported_not_followed(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.txt").write_text("A headline\n\nA paragraph.\n", encoding="utf-8")
    (root / "sub" / "up").symlink_to(root)  # a directory loop
    (root / "self.txt").symlink_to(root / "self.txt")  # a file that links to itself
    (tmp_path / "ping").symlink_to(tmp_path / "pong")
    (tmp_path / "pong").symlink_to(tmp_path / "ping")
    items = list(iter_articles([str(root), str(tmp_path / "ping")]))
    errors = {e.source: e.message for e in items if isinstance(e, ParseError)}
    articles = [a for a in items if not isinstance(a, ParseError)]
    assert len(articles) == 1
    assert "loop" in errors[str(root / "sub" / "up")]
    assert "symbolic links" in errors[str(root / "self.txt")]
    assert errors[str(tmp_path / "ping")] == "symbolic link loop"


def test_a_fifo_in_a_directory_is_skipped_not_waited_on(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("A headline\n\nA paragraph.\n", encoding="utf-8")
    os.mkfifo(root / "pipe.txt")
    items = list(expand_paths([str(root)]))
    assert str(root / "a.txt") in items
    (error,) = [e for e in items if isinstance(e, ParseError)]
    assert error.source == str(root / "pipe.txt") and "not a regular file" in error.message


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode; see the directory test for root")
    path = tmp_path / "secret.txt"
    path.write_text("Headline\n\nBody.\n", encoding="utf-8")
    path.chmod(0)
    done = run_cli("index", str(path), "--index", str(tmp_path / "ix"))
    assert done.returncode == 1
    (line,) = error_lines(done.stderr)
    assert str(path) in line and "permission denied" in line


def test_unreadable_path_as_root_is_reported(tmp_path: Path) -> None:
    """Root bypasses file modes, so make a path no one can read: a directory where a file is
    expected (``x.txt/``) and a file where a directory is expected (``f.txt/x``)."""
    (tmp_path / "dir.txt").mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    items = list(iter_articles([str(tmp_path / "dir.txt"), str(tmp_path / "file.txt" / "x")]))
    assert all(isinstance(i, ParseError) for i in items), items
    messages = [str(i) for i in items]
    assert any("dir.txt" in m and "no article files" in m for m in messages), messages
    assert any("file.txt/x" in m for m in messages), messages


def test_article_from_a_huge_json_line_is_refused_in_one_line(tmp_path: Path) -> None:
    from indexer.ingest.jsonl import MAX_LINE_BYTES

    path = tmp_path / "wide.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"id": "ok1", "headline": "Before"}) + "\n")
        out.write('{"id": "huge", "body": "' + "x" * (MAX_LINE_BYTES + 10) + '"}\n')
        out.write(json.dumps({"id": "ok2", "headline": "After"}) + "\n")
    items = list(iter_articles([str(path)]))
    ids = [i.id for i in items if not isinstance(i, ParseError)]
    errors = [i for i in items if isinstance(i, ParseError)]
    assert ids == ["ok1", "ok2"]
    (error,) = errors
    assert error.line == 2 and "longer than" in error.message
    assert article_from_json({"id": "ok1", "headline": "Before"}).id == "ok1"
