"""Watches over real index runs: new matches once, never twice (re-indexed unchanged, deleted
and re-added, updated), a crash between commit and watch run caught up without repeats, a
failing --exec retried and never stopping indexing, and the web app's read-only views."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from indexer import WatchStore, watches_path
from indexer.cli.commands import cli
from tests.conftest import ROOT, write_jsonl
from webapp import create_app

ATOM = "{http://www.w3.org/2005/Atom}"


def article(aid: str, *paragraphs: str, headline: str = "Port news") -> dict[str, Any]:
    return {
        "id": aid,
        "headline": headline,
        "published": "2023-10-02T08:00:00Z",
        "source": "AP",
        "paragraphs": list(paragraphs),
    }


class Newsfind:
    """The CLI on one index in tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.index_dir = tmp_path / "ix"
        self.runs = 0

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(cli, [*args, "--index", str(self.index_dir)])

    def index(self, *articles: dict[str, Any], extra: tuple[str, ...] = ()) -> Result:
        self.runs += 1
        path = write_jsonl(self.tmp / f"in{self.runs}.jsonl", articles)
        result = self("index", str(path), *extra)
        assert result.exit_code == 0, result.output
        return result

    def alerts(self, name: str = "strikes") -> list[dict[str, Any]]:
        result = self("watch", "show", name, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["alerts"]  # type: ignore[no-any-return]


@pytest.fixture
def nf(tmp_path: Path) -> Newsfind:
    return Newsfind(tmp_path)


def test_second_run_alerts_only_new_matches_with_highlights_and_reason(nf: Newsfind) -> None:
    nf.index(article("a1", "Dockers went on strike."), article("a2", "Calm seas."))
    assert nf("watch", "add", "strikes", "strike").exit_code == 0
    assert nf.alerts() == []  # what was there before the watch is not news
    nf.index(article("a3", "Rail workers strike too.", "Nothing else."), article("a4", "Rain."))
    alerts = nf.alerts()
    assert [a["doc_id"] for a in alerts] == ["a3#1"]
    assert alerts[0]["snippet"] == "Rail workers <mark>strike</mark> too."
    assert alerts[0]["reason"] == "strike matched paragraph text (strike)"
    # an article indexed before the watch, updated: only its new matching paragraph is news
    nf.index(article("a1", "Dockers went on strike.", "Strike pay ran out."))
    assert [a["doc_id"] for a in nf.alerts()] == ["a1#2", "a3#1"]


def test_never_twice(nf: Newsfind) -> None:
    first = article("a1", "Dockers went on strike.", "Ships waited.")
    nf("watch", "add", "strikes", "strike")
    nf.index(first)
    assert [a["doc_id"] for a in nf.alerts()] == ["a1#1"]
    nf.index(first)  # unchanged: nothing written, nothing new
    assert nf("delete", "a1").exit_code == 0
    nf.index(first)  # deleted and indexed again unchanged
    assert len(nf.alerts()) == 1
    # updated: only the new or changed documents that match alert
    nf.index(article("a1", "Dockers went on strike.", "Ships waited.", "The strike spread."))
    assert [a["doc_id"] for a in nf.alerts()] == ["a1#3", "a1#1"]
    nf.index(article("a1", "Dockers went on strike.", "A calm day."))
    assert len(nf.alerts()) == 2


def test_every_commit_of_one_run_is_watched(nf: Newsfind) -> None:
    nf.index(article("a0", "Calm."))
    nf("watch", "add", "strikes", "strike")
    batch = [article(f"b{n}", f"Strike number {n}.") for n in range(3)]
    nf.index(*batch, extra=("--batch-size", "1"))
    assert sorted(a["doc_id"] for a in nf.alerts()) == ["b0#1", "b1#1", "b2#1"]
    batches = {a["batch"] for a in nf.alerts()}
    assert len(batches) == 3  # one batch per commit


def test_no_watch_flag_leaves_changes_for_watch_run(nf: Newsfind) -> None:
    nf.index(article("a0", "Calm."))
    nf("watch", "add", "strikes", "strike")
    nf.index(article("a1", "A strike."), extra=("--no-watch",))
    assert nf.alerts() == []
    # --no-watch does not journal: a later run of the watch does not see those changes
    assert nf("watch", "run").exit_code == 0
    assert nf.alerts() == []


CRASH = textwrap.dedent(
    """
    import os, sys
    from indexer import WatchHooks, WatchStore, index_articles, iter_articles

    class Crash(WatchHooks):
        def after_commit(self):
            os._exit(9)  # the process dies between the index commit and the watch run

    index_dir, path, store = sys.argv[1:]
    hooks = Crash(index_dir, WatchStore(store), print)
    index_articles(index_dir, iter_articles([path]), hooks=hooks)
    """
)


def test_a_crash_between_commit_and_watch_run_is_caught_up_once(nf: Newsfind) -> None:
    nf.index(article("a0", "Calm."))
    nf("watch", "add", "strikes", "strike")
    data = write_jsonl(nf.tmp / "crash.jsonl", [article("a1", "A strike began.")])
    store = watches_path(nf.index_dir)
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(nf.index_dir), str(data), store], cwd=ROOT, check=False
    )
    assert done.returncode == 9
    assert nf.alerts() == []
    stats = json.loads(nf("stats", "--json").stdout)
    assert stats["articles"] == 2  # the commit happened
    assert nf("watch", "run").exit_code == 0
    assert [a["doc_id"] for a in nf.alerts()] == ["a1#1"]
    assert nf("watch", "run").exit_code == 0
    nf.index(article("a2", "Calm again."))
    assert len(nf.alerts()) == 1


def test_a_failing_exec_is_retried_and_never_stops_indexing(nf: Newsfind) -> None:
    flag, out = nf.tmp / "ready", nf.tmp / "out.jsonl"
    command = f"test -f {flag} && (cat; echo) >> {out}"
    nf.index(article("a0", "Calm."))
    assert nf("watch", "add", "strikes", "strike", "--exec", command).exit_code == 0
    result = nf.index(article("a1", "A strike began."), article("a2", "Strike talks."))
    assert "warning: watch strikes: batch 1: --exec command exited 1" in result.stderr
    assert "2 articles: 2 added" in result.stderr
    assert not out.exists()
    failed = nf("watch", "run")
    assert failed.exit_code == 1 and "batch 1" in failed.stderr
    flag.touch()
    assert nf("watch", "run").exit_code == 0
    assert nf("watch", "run").exit_code == 0  # delivered once, not again
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["watch"] == "strikes" and payload["batch"] == 1
    assert sorted(a["doc_id"] for a in payload["alerts"]) == ["a1#1", "a2#1"]
    assert json.loads(nf("watch", "show", "strikes", "--json").stdout)["undelivered"] == []


def test_watch_commands_and_bad_input(nf: Newsfind) -> None:
    nf.index(article("a0", "Calm."))
    none = nf("watch", "list")
    assert none.exit_code == 1 and "no watch has been saved" in none.output
    assert not Path(watches_path(nf.index_dir)).exists()  # only `watch add` creates the file
    assert nf("watch", "add", "strikes", "strike", "--kind", "paragraph").exit_code == 0
    again = nf("watch", "add", "strikes", "strike")
    assert again.exit_code == 2 and "exists already" in again.output
    bad = nf("watch", "add", "no/slash", "strike")
    assert bad.exit_code == 2 and "watch name" in bad.output
    assert nf("watch", "add", "k", "x", "--kind", "poem").exit_code == 2
    listed = json.loads(nf("watch", "list", "--json").stdout)
    assert [w["name"] for w in listed] == ["strikes"] and listed[0]["kind"] == "paragraph"
    assert nf("watch", "show", "nope").exit_code == 1
    assert nf("watch", "rm", "strikes").exit_code == 0
    assert nf("watch", "rm", "strikes").exit_code == 1
    assert json.loads(nf("watch", "list", "--json").stdout) == []


def test_web_app_reads_watches_as_json_and_atom(nf: Newsfind) -> None:
    nf.index(article("a0", "Calm."))
    nf("watch", "add", "strikes", "strike")
    nf.index(article("a1", "A <b>strike</b> began.", headline="Strike & more"))
    path = Path(watches_path(nf.index_dir))
    before = path.read_bytes()
    client = create_app({"INDEX_DIR": str(nf.index_dir)}).test_client()
    data = client.get("/api/watches/strikes").get_json()
    assert [a["doc_id"] for a in data["alerts"]] == ["a1#0", "a1#1"]
    feed = client.get("/watches/strikes.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    entries = ET.fromstring(feed.data).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Strike & more"] * 2
    content = entries[1].findtext(f"{ATOM}content") or ""
    assert "A &lt;b&gt;<mark>strike</mark>&lt;/b&gt; began." in content
    assert client.get("/api/watches/nope").status_code == 404
    assert path.read_bytes() == before  # read-only
    with WatchStore(str(path)) as store:
        assert store.pending("strikes") == []
