"""Concurrency: two writers on one index, and 16 searching threads while another process commits.

Writers are serialised by Whoosh's write lock (an flock); a second writer waits up to its lock
timeout and then proceeds, or fails with one clear line naming the holder. Readers never wait:
each search uses the latest committed generation, so a commit is visible to every search that
starts after the commit returns.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from indexer import ArticleWriter, IndexLocked, article_from_json, index_articles, open_index
from indexer.engine.whoosh.writer import create_whoosh


def corpus(prefix: str, n: int, *, start: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{i:04d}",
            "headline": f"Common headline {prefix} number {i}",
            "published": f"2023-11-{1 + i % 28:02d}T10:00:00Z",
            "source": "AP",
            "paragraphs": [f"Shared words harbour storm. Marker {prefix}{i:04d} is unique."],
        }
        for i in range(start, start + n)
    ]


def write(path: Path, articles: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def index_cmd(jsonl: Path, index_dir: Path) -> list[str]:
    return [sys.executable, "-m", "indexer", "index", str(jsonl), "--index", str(index_dir), "-q"]


def ids_in(index_dir: Path) -> set[str]:
    with open_index(index_dir) as ix:
        return set(ix.article_ids())


def test_two_index_processes_at_once_both_get_indexed(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    a = write(tmp_path / "a.jsonl", corpus("a", 400))
    b = write(tmp_path / "b.jsonl", corpus("b", 400))
    procs = [
        subprocess.Popen(index_cmd(f, index_dir), stderr=subprocess.PIPE, text=True) for f in (a, b)
    ]
    outcomes = []
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        outcomes.append((proc.returncode, err))
    for code, err in outcomes:
        # each either waited for the other and proceeded, or said in one line that it gave up
        assert code == 0 or (code == 1 and "another process is writing" in err), err
        assert "Traceback" not in err
    for (code, _), f in zip(outcomes, (a, b), strict=True):
        if code != 0:
            subprocess.run(index_cmd(f, index_dir), check=True, capture_output=True)
    expected = {x["id"] for x in corpus("a", 400) + corpus("b", 400)}
    assert ids_in(index_dir) == expected
    with open_index(index_dir) as ix:
        assert ix.stats().documents == 2 * len(expected)


def test_second_writer_waits_for_the_first_then_proceeds(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    first = corpus("a", 3)
    later = write(tmp_path / "b.jsonl", corpus("b", 3))
    with ArticleWriter(index_dir) as writer:
        for raw in first:
            writer.add(article_from_json(raw))
        proc = subprocess.Popen(index_cmd(later, index_dir), stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        # still waiting for the lock this test holds, well inside its 30 s bound
        assert proc.poll() is None
    # the test's writer committed on leaving the block; the waiting run now proceeds
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert ids_in(index_dir) == {x["id"] for x in first + corpus("b", 3)}


def test_writer_that_cannot_get_the_lock_says_who_holds_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    with ArticleWriter(index_dir) as holder:
        holder.add(article_from_json(corpus("a", 1)[0]))
        with pytest.raises(IndexLocked) as caught:
            index_articles(index_dir, [article_from_json(corpus("b", 1)[0])], lock_timeout=0.5)
    message = str(caught.value)
    assert "another process is writing" in message and "\n" not in message
    if Path("/proc/locks").exists():
        assert f"held by process {os.getpid()}" in message
    # the refused batch was not written; the holder's was
    assert ids_in(index_dir) == {"a-0000"}


#: Run in a separate process: adds articles in commits of 50, so readers see several commits.
WRITER = """
import json, sys
from indexer import article_from_json, index_articles
articles = [article_from_json(json.loads(line)) for line in open(sys.argv[1])]
report = index_articles(sys.argv[2], articles, batch_articles=50)
assert report.added == len(articles), report
"""


def test_sixteen_threads_search_while_another_process_commits(tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    base, fresh = corpus("old", 100), corpus("new", 200)
    assert index_articles(index_dir, [article_from_json(a) for a in base]).added == 100
    new_file = write(tmp_path / "new.jsonl", fresh)
    errors: list[BaseException] = []
    counts: list[list[int]] = [[] for _ in range(16)]
    stop = threading.Event()
    queries = ["harbour", '"harbour storm"', "common AND headline", "storm", "marker", "new"]

    with open_index(index_dir) as ix:

        def reader(slot: int) -> None:
            n = 0
            while not stop.is_set():
                try:
                    query = queries[(slot + n) % len(queries)]
                    results = ix.search(query, per_page=5)
                    json.dumps(results.to_json())
                    if query == "harbour":
                        counts[slot].append(results.total_articles)
                except BaseException as exc:  # noqa: BLE001 - any failure is what we look for
                    errors.append(exc)
                    return
                n += 1

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        writer = subprocess.run(
            [sys.executable, "-c", WRITER, str(new_file), str(index_dir)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        # the stated bound: a search that starts after the commit returns sees it
        seen_after = ix.search("harbour", per_page=1).total_articles
        stop.set()
        for t in threads:
            t.join(timeout=60)
        assert writer.returncode == 0, writer.stderr
        assert not errors, errors[:3]
        assert seen_after == 300
        for slot in counts:
            assert slot, "a thread never completed a search"
            # commits only add here, so no thread may ever see the count go down
            assert slot == sorted(slot)
            assert set(slot) <= {100, 150, 200, 250, 300}, set(slot)
        # readers saw intermediate commits, not only the first and last state
        assert len({c for slot in counts for c in slot}) >= 2
        assert ix.search("new0199").total_articles == 1


def _create_at(path: str, barrier: Any, errors: Any) -> None:
    barrier.wait()
    try:
        create_whoosh(path)
    except Exception as exc:  # reported to the parent, which fails the test with it
        errors.put(f"{type(exc).__name__}: {exc}")


def test_runs_creating_one_new_index_at_once_all_open_it(tmp_path: Path) -> None:
    """Runs started at the same moment on a directory with no index yet: each opens the one
    index (before, the loser of the race failed with "File '_MAIN_0.toc' exists")."""
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    for round_ in range(12):
        path = str(tmp_path / f"ix{round_}")
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_create_at, args=(path, barrier, errors)) for _ in range(4)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0]
        assert errors.empty(), errors.get()
        with open_index(path) as ix:
            assert ix.stats().documents == 0
