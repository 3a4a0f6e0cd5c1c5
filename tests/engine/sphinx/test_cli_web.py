"""Every command and the web app on a sphinx:// location, against a real two-shard cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import SEED, write_jsonl
from tests.serving import serving

from .conftest import StartCluster

ROOT = Path(__file__).resolve().parents[3]


def newsfind(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def test_every_command_works_on_a_sphinx_location(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, _ = new_cluster()
    extra = write_jsonl(
        tmp_path / "more.jsonl",
        [{"id": f"n{i}", "headline": f"Harbour note {i}", "paragraphs": ["Ferry times."]}
         for i in range(6)],
    )  # fmt: skip
    done = newsfind("index", str(SEED), str(extra), "--index", location)
    assert done.returncode == 0, done.stderr
    assert "7 articles: 7 added" in done.stderr
    found = newsfind("search", "putin xi", "--json", "--index", location)
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert answer["total_articles"] == 1 and answer["total_hits"] > 3
    seed_id = answer["results"][0]["article_id"]
    assert "<mark>Putin</mark>" in answer["results"][0]["hits"][0]["snippet"]
    assert newsfind("search", "harbour", "--index", location).stdout.count("Harbour note") == 6
    stats = json.loads(newsfind("stats", "--json", "--index", location).stdout)
    assert stats["articles"] == 7 and stats["documents"] == 44 + 12
    shown = json.loads(newsfind("show", seed_id, "--json", "--index", location).stdout)
    assert shown["id"] == seed_id and len(shown["captions"]) == 18
    exported = newsfind("export", "--index", location).stdout.splitlines()
    assert sorted(json.loads(line)["id"] for line in exported) == sorted(
        [seed_id] + [f"n{i}" for i in range(6)]
    )
    again = newsfind("index", str(SEED), "--index", location)
    assert "0 added, 0 updated, 1 unchanged" in again.stderr
    deleted = newsfind("delete", "n0", "n1", "--index", location)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(newsfind("stats", "--json", "--index", location).stdout)["articles"] == 5
    missing = newsfind("show", "n0", "--index", location)
    assert missing.returncode == 1 and "no article with id 'n0'" in missing.stderr


def test_the_web_app_serves_a_sphinx_location(new_cluster: StartCluster, tmp_path: Path) -> None:
    location, _ = new_cluster()
    assert newsfind("index", str(SEED), "--index", location).returncode == 0
    with serving(location, tmp_path / "serve.log") as base:  # type: ignore[arg-type]
        with urllib.request.urlopen(f"{base}/api/search?q=putin&per_page=1") as response:
            answer = json.loads(response.read())
        with urllib.request.urlopen(f"{base}/search?q=%22belt+and+road%22") as response:
            page = response.read().decode()
    assert answer["total_articles"] == 1 and answer["facets"]["kind"]["caption"] > 0
    assert "<mark>Belt and Road</mark>" in page


def test_a_bad_query_is_one_line_and_exit_2(new_cluster: StartCluster) -> None:
    location, _ = new_cluster()
    done = newsfind("search", "reservior~", "--index", location)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: the sphinx engine cannot run fuzzy queries; rewrite the query without them"
    )
