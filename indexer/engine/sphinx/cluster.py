"""Running a local cluster written by ``conf.write_local``: start every searchd, wait until
each answers, stop them by their pid files, and say how each one is.

Only the processes named by the cluster's own pid files are ever signalled.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ...errors import NewsfindError
from .client import greets
from .conf import Node

__all__ = ["NodeStatus", "read_nodes", "searchd_path", "start", "status", "stop"]

#: Seconds to wait for a searchd to answer after starting, or to exit after SIGTERM.
START_WAIT = 30.0
STOP_WAIT = 30.0


def searchd_path() -> str:
    """The searchd program, or a one-line error saying how to get it."""
    found = shutil.which(os.environ.get("NEWSFIND_SEARCHD", "searchd"))
    if found is None:
        raise NewsfindError(
            "searchd not found on PATH: install Debian's sphinxsearch or Manticore "
            "(apt-get install sphinxsearch)"
        )
    return found


def read_nodes(directory: str | os.PathLike[str]) -> list[Node]:
    """The nodes of the local cluster in ``directory`` (its ``cluster.txt``)."""
    listing = Path(directory) / "cluster.txt"
    try:
        lines = listing.read_text("utf-8").splitlines()
    except OSError:
        raise NewsfindError(
            f"{listing}: no cluster here; write one with: newsfind sphinx conf --dir {directory}"
        ) from None
    nodes = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) != 3 or not parts[2].isdigit():
            raise NewsfindError(f"{listing}, line {number}: expected 'name host port'")
        nodes.append(Node(parts[0], parts[1], int(parts[2])))
    return nodes


def _pid(directory: Path, node: Node) -> int | None:
    """The running searchd of ``node`` by its pid file, or None."""
    try:
        pid = int((directory / node.name / "searchd.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"searchd" not in cmdline.read_bytes():
        return None  # a stale pid file whose number another program now has
    return pid


@dataclass(frozen=True)
class NodeStatus:
    node: Node
    pid: int | None
    answers: bool

    def line(self) -> str:
        state = "up" if self.answers else ("starting or stuck" if self.pid else "down")
        pid = f"pid {self.pid}" if self.pid else "no process"
        return f"{self.node.name:<12} {self.node.address:<22} {state} ({pid})"


def status(directory: str | os.PathLike[str]) -> list[NodeStatus]:
    root = Path(directory)
    return [NodeStatus(n, _pid(root, n), greets(n.host, n.port)) for n in read_nodes(root)]


def _start_one(root: Path, node: Node, program: str) -> None:
    config = root / node.name / "searchd.conf"
    done = subprocess.run(
        [program, "--config", str(config)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()
        raise NewsfindError(
            f"{node.name}: searchd exited with {done.returncode}: "
            f"{last[-1] if last else 'no output'} (see {root / node.name / 'searchd.log'})"
        )


def start(directory: str | os.PathLike[str], wait: float = START_WAIT) -> list[NodeStatus]:
    """Start every node not running yet (shards first, the head last) and wait until each
    answers; a node that does not answer in time is an error naming its log."""
    root = Path(directory)
    nodes = read_nodes(root)
    program = searchd_path()
    for node in sorted(nodes, key=lambda n: n.name == "head"):
        if _pid(root, node) is None:
            _start_one(root, node, program)
    deadline = time.monotonic() + wait
    for node in nodes:
        while not greets(node.host, node.port):
            if time.monotonic() > deadline:
                raise NewsfindError(
                    f"{node.name}: searchd does not answer on {node.address} after {wait:g} s "
                    f"(see {root / node.name / 'searchd.log'})"
                )
            time.sleep(0.05)
    return status(root)


def stop(directory: str | os.PathLike[str], wait: float = STOP_WAIT) -> list[NodeStatus]:
    """SIGTERM every node's searchd (by its pid file) and wait for each to exit."""
    root = Path(directory)
    nodes = read_nodes(root)
    pids = {n.name: _pid(root, n) for n in nodes}
    for pid in pids.values():
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    for node in nodes:
        while pids[node.name] is not None and _pid(root, node) is not None:
            if time.monotonic() > deadline:
                raise NewsfindError(f"{node.name}: searchd (pid {pids[node.name]}) did not stop")
            time.sleep(0.05)
    return status(root)
