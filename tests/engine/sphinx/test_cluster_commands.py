"""``newsfind sphinx conf|start|stop|status`` and the optional PyMySQL, with real searchd."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from indexer.engine.sphinx.conf import local_cluster, parse_hosts

from .local import need_searchd, start_cluster
from .test_cli_web import ROOT, newsfind

#: Python that behaves as if PyMySQL were not installed (the default install)
NO_PYMYSQL = "import sys; sys.modules['pymysql'] = None; "


def test_conf_writes_a_cluster_with_mirrors(tmp_path: Path) -> None:
    done = newsfind("sphinx", "conf", "--shards", "2", "--mirrors", "2", "--port", "29306",
                    "--dir", str(tmp_path / "c"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sphinx://127.0.0.1:29306/newsfind"
    head = (tmp_path / "c" / "head" / "searchd.conf").read_text()
    assert "agent = 127.0.0.1:29309:shard|127.0.0.1:29311:shard" in head
    assert "agent = 127.0.0.1:29313:shard|127.0.0.1:29315:shard" in head
    assert "listen = 127.0.0.1:29306:mysql41" in head
    shard = (tmp_path / "c" / "shard1-m1" / "searchd.conf").read_text()
    assert "type = rt" in shard and "rt_field = text" in shard
    assert "listen = 127.0.0.1:29314:mysql41" in shard
    assert f"pid_file = {(tmp_path / 'c' / 'shard1-m1').resolve()}/searchd.pid" in shard


def test_conf_for_real_hosts_writes_one_file_per_host(tmp_path: Path) -> None:
    mirrored = "10.0.0.2:9306|10.0.0.3:9306"
    done = newsfind("sphinx", "conf", "--dir", str(tmp_path), "--head", "10.0.0.1:9306",
                    "--shard", mirrored, "--shard", "10.0.0.4:9306")  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.glob("*.conf"))
    assert names == [f"10.0.0.{i}_9306.conf" for i in range(1, 5)]
    head = (tmp_path / "10.0.0.1_9306.conf").read_text()
    assert "agent = 10.0.0.2:9307:shard|10.0.0.3:9307:shard" in head
    assert "listen = 0.0.0.0:9307" in (tmp_path / "10.0.0.4_9306.conf").read_text()
    bad = newsfind("sphinx", "conf", "--dir", str(tmp_path), "--head", "10.0.0.1",
                   "--shard", "x:1")  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.strip() == (
        "Error: '10.0.0.1': not host:port (a port from 1 to 65534)"
    )


def test_layouts_refuse_impossible_values() -> None:
    assert [n.port for n in local_cluster(2, 9306).nodes()] == [9306, 9308, 9310]
    assert len(parse_hosts("h:1", ["a:2|b:3"]).shards[0]) == 2


def test_start_status_stop_run_real_processes(tmp_path: Path) -> None:
    need_searchd()
    _, layout = start_cluster(tmp_path / "c")
    up = newsfind("sphinx", "status", "--dir", str(tmp_path / "c"))
    assert up.returncode == 0, up.stdout
    assert up.stdout.count(" up (pid ") == 3
    stopped = newsfind("sphinx", "stop", "--dir", str(tmp_path / "c"))
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout.count(" down (no process)") == 3
    assert newsfind("sphinx", "status", "--dir", str(tmp_path / "c")).returncode == 1
    again = newsfind("sphinx", "start", "--dir", str(tmp_path / "c"))
    assert again.returncode == 0 and again.stdout.count(" up (pid ") == 3
    newsfind("sphinx", "stop", "--dir", str(tmp_path / "c"))
    assert layout.head.port > 0


def test_start_without_searchd_says_what_to_install(tmp_path: Path) -> None:
    newsfind("sphinx", "conf", "--dir", str(tmp_path / "c"), "--port", "29406")
    done = newsfind("sphinx", "start", "--dir", str(tmp_path / "c"), env={"PATH": str(tmp_path)})
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: searchd not found on PATH: install Debian's sphinxsearch or Manticore "
        "(apt-get install sphinxsearch)"
    )


def test_start_without_a_cluster_names_the_file(tmp_path: Path) -> None:
    done = newsfind("sphinx", "start", "--dir", str(tmp_path / "none"))
    assert done.returncode == 1
    assert f"{tmp_path / 'none' / 'cluster.txt'}: no cluster here" in done.stderr


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ}, timeout=60, check=False)  # fmt: skip


def test_import_indexer_and_cli_need_no_pymysql() -> None:
    done = _python(
        NO_PYMYSQL + "import indexer, indexer.cli; "
        "from indexer.engine.base import _openers; print(sorted(_openers))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['sphinx']"
    loaded = _python("import sys, indexer, indexer.cli; print('pymysql' in sys.modules)")
    assert loaded.stdout.strip() == "False"


def test_a_sphinx_location_without_pymysql_is_one_line() -> None:
    done = _python(
        NO_PYMYSQL + "import sys; from indexer.cli import main; "
        "sys.argv = ['newsfind', 'stats', '--index', 'sphinx://127.0.0.1:1/newsfind']; main()"
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "Error: the sphinx engine needs PyMySQL: pip install 'newsfind[sphinx]'"
    )
