"""The README's three commands take a user from nothing to a two-shard cluster holding the
seed article, run as written (on a free port instead of 9306, in a fresh directory)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from indexer import open_index
from indexer.engine.sphinx import cluster
from indexer.engine.sphinx.conf import free_local_cluster

from .local import need_searchd

ROOT = Path(__file__).resolve().parents[3]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## When one machine is not enough", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None, "the README lost the cluster commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_readme_commands_build_a_cluster_holding_the_seed(tmp_path: Path) -> None:
    need_searchd()
    commands = _commands()
    assert len(commands) == 3
    port = free_local_cluster(2, 1).head.port
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    try:
        for line in commands:
            args = shlex.split(line.replace("9306", str(port)))
            if args[:3] == ["newsfind", "sphinx", "conf"]:
                args += ["--port", str(port)]
            assert args[0] == "newsfind", line
            env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
            done = subprocess.run([sys.executable, "-m", "indexer", *args[1:]], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=120, check=False,
                                  env=env)  # fmt: skip
            assert done.returncode == 0, (line, done.stderr)
        with open_index(f"sphinx://127.0.0.1:{port}/newsfind") as ix:
            assert ix.stats().articles == 1
            assert ix.search("putin xi").total_articles == 1
    finally:
        if (tmp_path / "cluster" / "cluster.txt").exists():
            cluster.stop(tmp_path / "cluster")
