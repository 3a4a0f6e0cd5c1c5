"""``newsfind sphinx conf|start|stop|status``: a Sphinx/Manticore cluster for the sphinx
engine, written and run by the project's own commands (thin over ``engine.sphinx``)."""

from __future__ import annotations

from collections.abc import Callable

import click

from ..engine.sphinx import cluster
from ..engine.sphinx.conf import DISTRIBUTED, host_configs, local_cluster, parse_hosts, write_local
from ..errors import NewsfindError

__all__ = ["sphinx"]


def _each_node(
    action: Callable[[str], list[cluster.NodeStatus]], directory: str
) -> list[cluster.NodeStatus]:
    """Run a cluster action on DIR and print a line per node (an error: one line, exit 1)."""
    try:
        states = action(directory)
    except NewsfindError as exc:
        raise click.ClickException(str(exc)) from None
    for state in states:
        click.echo(state.line())
    return states


@click.group("sphinx")
def sphinx() -> None:
    """A sharded index on Sphinx/Manticore searchd (see docs/scaling.md)."""


@sphinx.command("conf")
@click.option("--dir", "directory", required=True, metavar="DIR", help="Where to write.")
@click.option("--shards", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--port",
    default=9306,
    show_default=True,
    type=click.IntRange(1024, 65000),
    help="The head's SphinxQL port; the shards' follow it.",
)
@click.option(
    "--mirrors",
    default=1,
    show_default=True,
    type=click.IntRange(1, 4),
    help="Copies of each shard (a search survives the loss of all but one).",
)
@click.option(
    "--head",
    "head",
    metavar="HOST:PORT",
    help="A real cluster: the head's address (with --shard, one file per host).",
)
@click.option(
    "--shard",
    "shard_hosts",
    multiple=True,
    metavar="HOST:PORT[|HOST:PORT]",
    help="A real cluster: one per shard, its mirrors joined by |.",
)
def conf_cmd(
    directory: str,
    shards: int,
    port: int,
    mirrors: int,
    head: str | None,
    shard_hosts: tuple[str, ...],
) -> None:
    """Write searchd configurations: a local cluster on 127.0.0.1, or one file per host."""
    try:
        if head or shard_hosts:
            if not head:
                raise NewsfindError("--shard needs --head HOST:PORT too")
            written = host_configs(parse_hosts(head, list(shard_hosts)), directory)
            location = f"sphinx://{head}/{DISTRIBUTED}"
        else:
            layout = local_cluster(shards, port, mirrors)
            written = write_local(layout, directory)
            location = f"sphinx://{layout.head.address}/{DISTRIBUTED}"
    except (NewsfindError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}", err=True)
    click.echo(location)


@sphinx.command("start")
@click.option("--dir", "directory", required=True, metavar="DIR")
def start_cmd(directory: str) -> None:
    """Start every searchd of the local cluster in DIR and wait until each answers."""
    _each_node(cluster.start, directory)


@sphinx.command("stop")
@click.option("--dir", "directory", required=True, metavar="DIR")
def stop_cmd(directory: str) -> None:
    """Stop every searchd of the local cluster in DIR (by its pid file)."""
    _each_node(cluster.stop, directory)


@sphinx.command("status")
@click.option("--dir", "directory", required=True, metavar="DIR")
def status_cmd(directory: str) -> None:
    """How each searchd of the local cluster in DIR is; exit 1 unless all answer."""
    states = _each_node(cluster.status, directory)
    if not all(s.answers for s in states):
        raise SystemExit(1)
