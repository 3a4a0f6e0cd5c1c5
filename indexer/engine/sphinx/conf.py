"""``searchd`` configurations for a cluster: one searchd per shard (and mirror) holding the RT
index, and the head searchd whose distributed index spans them.

Ports: a searchd listens for SphinxQL on its port P and for its agents (the head's distributed
queries) on P + 1; the engine reaches a shard's SphinxQL port as (agent port - 1), so the
head's configuration is all it needs to find the shards. A local cluster (``local_cluster``)
puts every searchd on 127.0.0.1 under one directory; a real one (``host_configs``) writes one
file per host from the ``host:port`` of each shard's mirrors.
"""

from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from pathlib import Path

from ...errors import NewsfindError
from .schema import ATTRIBUTES, FIELDS, GENERATION, INDEX, STOP_WORDS, charset_table

__all__ = [
    "DISTRIBUTED",
    "Cluster",
    "Node",
    "free_local_cluster",
    "host_configs",
    "local_cluster",
    "parse_hosts",
    "write_local",
]

#: The distributed index's name on the head (the location's path: sphinx://host:port/newsfind).
DISTRIBUTED = "newsfind"
#: How long the head waits for an agent to accept a connection / answer, in milliseconds.
AGENT_CONNECT_MS = 1000
AGENT_QUERY_MS = 10_000


@dataclass(frozen=True)
class Node:
    """One searchd: its name (its directory under the cluster's), host and SphinxQL port."""

    name: str
    host: str
    port: int

    @property
    def agent_port(self) -> int:
        return self.port + 1

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Cluster:
    """The head and, per shard, its mirrors."""

    head: Node
    shards: tuple[tuple[Node, ...], ...]

    def nodes(self) -> list[Node]:
        return [self.head] + [n for mirrors in self.shards for n in mirrors]


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_local_cluster(shards: int = 2, mirrors: int = 1) -> Cluster:
    """A local layout whose every port is free now, at a random base (tests and benchmarks
    start clusters beside each other and beside a user's own on 9306)."""
    span = 2 * (shards * mirrors + 1)
    for _ in range(200):
        base = random.randrange(20_000, 60_000, 2)
        if all(_free(p) for p in range(base, base + span)):
            return local_cluster(shards, base, mirrors)
    raise NewsfindError("no free ports for a local cluster")


def local_cluster(shards: int, port: int = 9306, mirrors: int = 1) -> Cluster:
    """Every searchd on 127.0.0.1: the head on ``port``, the shards' mirrors after it."""
    if not 1 <= shards <= 64:
        raise NewsfindError(f"--shards must be between 1 and 64, not {shards}")
    if not 1 <= mirrors <= 4:
        raise NewsfindError(f"--mirrors must be between 1 and 4, not {mirrors}")
    if not 1024 <= port <= 65535 - 2 * (shards * mirrors + 1):
        raise NewsfindError(f"--port {port} leaves no room for the shards' ports")
    head = Node("head", "127.0.0.1", port)
    nodes = []
    for shard in range(shards):
        row = []
        for mirror in range(mirrors):
            n = 1 + shard * mirrors + mirror
            suffix = f"-m{mirror}" if mirrors > 1 else ""
            row.append(Node(f"shard{shard}{suffix}", "127.0.0.1", port + 2 * n))
        nodes.append(tuple(row))
    return Cluster(head, tuple(nodes))


def parse_hosts(head: str, shards: list[str]) -> Cluster:
    """A real cluster from ``host:port`` strings: the head's, and per shard its mirrors joined
    by ``|`` (``10.0.0.1:9306|10.0.0.2:9306``)."""
    head_node = _node("head", head)
    parsed = []
    for i, text in enumerate(shards):
        mirrors = [m for m in text.split("|") if m.strip()]
        if not mirrors:
            raise NewsfindError(f"--shard {i + 1}: empty; give host:port (mirrors joined by |)")
        parsed.append(tuple(_node(f"shard{i}-m{j}", m) for j, m in enumerate(mirrors)))
    if not parsed:
        raise NewsfindError("give at least one --shard host:port")
    return Cluster(head_node, tuple(parsed))


def _node(name: str, text: str) -> Node:
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65534:
        raise NewsfindError(f"{text!r}: not host:port (a port from 1 to 65534)")
    return Node(name, host, int(port))


def _searchd(node: Node, base: str, listen_host: str) -> str:
    return "\n".join(
        [
            "searchd",
            "{",
            f"    listen = {listen_host}:{node.port}:mysql41",
            f"    listen = {listen_host}:{node.agent_port}",
            f"    log = {base}/searchd.log",
            f"    query_log = {base}/query.log",
            f"    pid_file = {base}/searchd.pid",
            f"    binlog_path = {base}/binlog",
            "    workers = threads",
            "    binlog_flush = 1",
            "    read_timeout = 5",
            "    client_timeout = 300",
            "    max_packet_size = 32M",
            "    expansion_limit = 256",
            "    rt_flush_period = 600",
            "    ha_period_karma = 5",
            "    ha_ping_interval = 500",
            "}",
            "",
        ]
    )


def _rt_index(base: str) -> str:
    lines = ["index " + INDEX, "{", "    type = rt", f"    path = {base}/data/{INDEX}"]
    lines += [f"    rt_field = {name}" for name in FIELDS]
    lines += [f"    rt_attr_{kind} = {name}" for name, kind in ATTRIBUTES.items()]
    lines += [
        "    rt_mem_limit = 256M",
        "    dict = keywords",
        "    morphology = stem_en",
        "    min_word_len = 2",
        "    min_prefix_len = 2",
        f"    stopwords = {base}/stopwords.txt",
        f"    charset_table = {charset_table()}",
        "}",
        "",
        # one row: when this shard last committed (the engine's generation sums them)
        "index " + GENERATION,
        "{",
        "    type = rt",
        f"    path = {base}/data/{GENERATION}",
        "    rt_field = unused",
        "    rt_attr_bigint = value",
        "}",
        "",
    ]
    return "\n".join(lines)


def _distributed(cluster: Cluster) -> str:
    lines = ["index " + DISTRIBUTED, "{", "    type = distributed"]
    for mirrors in cluster.shards:
        lines.append("    agent = " + "|".join(f"{m.host}:{m.agent_port}:{INDEX}" for m in mirrors))
    lines += [
        f"    agent_connect_timeout = {AGENT_CONNECT_MS}",
        f"    agent_query_timeout = {AGENT_QUERY_MS}",
        "    ha_strategy = nodeads",
        "}",
        "",
    ]
    return "\n".join(lines)


def node_config(cluster: Cluster, node: Node, base: str, listen_host: str) -> str:
    """The whole ``searchd`` config of one node, its files under ``base``."""
    body = _distributed(cluster) if node == cluster.head else _rt_index(base)
    return f"# newsfind {node.name}: written by `newsfind sphinx conf`\n\n{body}\n" + _searchd(
        node, base, listen_host
    )


def _write_node(cluster: Cluster, node: Node, base: Path, listen_host: str) -> Path:
    for sub in ("data", "binlog"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    (base / "stopwords.txt").write_text("\n".join(STOP_WORDS) + "\n", encoding="utf-8")
    path = base / "searchd.conf"
    path.write_text(node_config(cluster, node, str(base.resolve()), listen_host), "utf-8")
    return path


def write_local(cluster: Cluster, directory: str | os.PathLike[str]) -> list[Path]:
    """The configs of a local cluster: ``DIR/<node>/searchd.conf`` with its data, binlog, log
    and pid file beside it; ``DIR/cluster.txt`` names the nodes (``start`` reads it)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = [_write_node(cluster, n, root / n.name, "127.0.0.1") for n in cluster.nodes()]
    (root / "cluster.txt").write_text(
        "".join(f"{n.name} {n.host} {n.port}\n" for n in cluster.nodes()), "utf-8"
    )
    return written


def host_configs(
    cluster: Cluster, directory: str | os.PathLike[str], base: str = "/var/lib/newsfind"
) -> list[Path]:
    """One config per host of a real cluster, ``DIR/<host>_<port>.conf``, with data under
    ``base`` on that host and the ports on every interface (put a firewall in front)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for node in cluster.nodes():
        path = root / f"{node.host}_{node.port}.conf"
        path.write_text(node_config(cluster, node, f"{base}/{node.name}", "0.0.0.0"), "utf-8")
        written.append(path)
    (root / "stopwords.txt").write_text("\n".join(STOP_WORDS) + "\n", encoding="utf-8")
    return written
