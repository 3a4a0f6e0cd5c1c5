"""Faults on a real cluster: a shard down while searching (partial or strict), a mirror lost,
a shard down while indexing, and searchd SIGKILLed mid-index. Real processes, real kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from indexer import article_from_json, open_index
from indexer.engine.sphinx import cluster
from indexer.engine.sphinx.writer import shard_of
from tests.conftest import write_jsonl
from tests.serving import serving

from .conftest import StartCluster
from .test_cli_web import ROOT, newsfind


def _kill(directory: Path, node: str, how: int = signal.SIGTERM) -> None:
    """Stop one searchd of the cluster by its pid file, and wait until it is gone."""
    pid = int((directory / node / "searchd.pid").read_text())
    os.kill(pid, how)
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"{node} (pid {pid}) did not exit")


def _articles(n: int, paragraphs: int = 2) -> list[dict[str, Any]]:
    return [
        {
            "id": f"story{i}",
            "headline": f"Harbour story {i}",
            "paragraphs": [f"Ferry {i} sailed past lighthouse {j}." for j in range(paragraphs)],
        }
        for i in range(n)
    ]


def _on_shard(items: list[dict[str, Any]], shard: int) -> set[str]:
    return {a["id"] for a in items if shard_of(a["id"], 2) == shard}


def test_a_shard_down_gives_partial_results_everywhere(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, directory = new_cluster()
    items = _articles(12)
    assert newsfind("index", str(write_jsonl(tmp_path / "a.jsonl", items)), "--index",
                    location).returncode == 0  # fmt: skip
    _kill(directory, "shard1")
    kept = _on_shard(items, 0)
    assert 0 < len(kept) < 12
    done = newsfind("search", "harbour", "--json", "--per-page", "100", "--index", location)
    answer = json.loads(done.stdout)
    assert done.returncode == 0
    assert answer["partial"] is True and len(answer["missing"]) == 1
    assert answer["missing"][0].startswith("shard 2 (127.0.0.1:")
    assert {r["article_id"] for r in answer["results"]} == kept
    assert answer["total_articles"] == len(kept)
    text = newsfind("search", "harbour", "--index", location).stdout
    assert text.splitlines()[-1] == f"partial results: {answer['missing'][0]} did not answer"
    strict = newsfind("search", "harbour", "--index", location + "?strict=1")
    assert strict.returncode == 1 and len(strict.stderr.strip().splitlines()) == 1
    assert "strict results were asked for" in strict.stderr
    with serving(location, tmp_path / "serve.log") as base:  # type: ignore[arg-type]
        with urllib.request.urlopen(f"{base}/api/search?q=harbour") as response:
            assert json.loads(response.read())["partial"] is True
        with urllib.request.urlopen(f"{base}/search?q=harbour") as response:
            page = response.read().decode()
        assert "Partial results:" in page and answer["missing"][0] in page
    with serving(location + "?strict=1", tmp_path / "strict.log") as base:  # type: ignore[arg-type]
        try:
            urllib.request.urlopen(f"{base}/api/search?q=harbour")
            raise AssertionError("a strict search with a shard down answered")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
            assert "strict results" in json.loads(exc.read())["error"]["message"]


def test_with_mirrors_a_search_survives_one_mirrors_loss(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, directory = new_cluster(shards=2, mirrors=2)
    items = _articles(12)
    assert newsfind("index", str(write_jsonl(tmp_path / "a.jsonl", items)), "--index",
                    location).returncode == 0  # fmt: skip
    _kill(directory, "shard0-m0")
    _kill(directory, "shard1-m1")
    with open_index(location) as ix:
        for _ in range(12):
            results = ix.search("harbour", per_page=100)
            assert not results.partial, results.missing
            assert results.total_articles == 12


def test_a_shard_down_while_indexing_fails_its_articles_only(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, directory = new_cluster()
    items = _articles(16)
    source = write_jsonl(tmp_path / "a.jsonl", items)
    _kill(directory, "shard1")
    lost = _on_shard(items, 1)
    done = newsfind("index", str(source), "--index", location)
    assert done.returncode == 1
    failures = [line for line in done.stderr.splitlines() if "not indexed" in line]
    assert len(failures) == len(lost)
    assert all("shard 2 (127.0.0.1:" in line and "does not answer" in line for line in failures)
    assert {line.split("'")[1] for line in failures} == lost
    cluster.start(directory)
    again = newsfind("index", str(source), "--index", location)
    assert again.returncode == 0, again.stderr
    assert f"{len(lost)} added, 0 updated, {16 - len(lost)} unchanged, 0 failed" in again.stderr
    with open_index(location) as ix:
        assert ix.search("harbour").total_articles == 16


#: Articles of the SIGKILL test: enough that the run is still writing batches when the kill
#: comes (the writer sends hundreds of articles per transaction).
TOTAL = 1200


def test_searchd_killed_mid_index_leaves_no_partial_article(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, directory = new_cluster()
    items = _articles(TOTAL, paragraphs=40)
    source = write_jsonl(tmp_path / "big.jsonl", items)
    run = subprocess.Popen(
        [sys.executable, "-m", "indexer", "index", str(source), "--index", location],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with open_index(location) as ix:
        while ix.stats().articles < 40:
            assert run.poll() is None, "the run ended before the kill"
            time.sleep(0.05)
    _kill(directory, "shard0", signal.SIGKILL)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 1, stderr
    assert "not indexed" in stderr
    cluster.start(directory)
    by_id = {a["id"]: article_from_json(a) for a in items}
    with open_index(location) as ix:
        stored = list(ix.articles())
        assert 0 < len(stored) < TOTAL
        assert all(a == by_id[a.id] for a in stored)  # every stored article is whole
        assert ix.stats().documents == sum(1 + len(a.paragraphs) for a in stored)
    again = newsfind("index", str(source), "--index", location)
    assert again.returncode == 0, again.stderr
    with open_index(location) as ix:
        assert ix.stats().articles == TOTAL
        assert ix.search("harbour", per_page=1).total_articles == TOTAL
