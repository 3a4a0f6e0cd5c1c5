"""``newsfind watch add|list|rm|run|show``: saved searches and their alerts (thin over
``indexer.watches``). Only these commands and ``index`` write the watches file."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import IndexNotFound, QueryError
from ..index import open_index
from ..limits import KINDS
from ..params import make_params
from ..query.parser import parse_query
from ..watches import (
    Watch,
    WatchError,
    WatchHooks,
    WatchStore,
    baseline,
    run_watches,
    watches_path,
)

__all__ = ["watch_group", "watch_hooks", "watches_option"]

F = TypeVar("F", bound=Callable[..., Any])


class _UsageFailure(click.ClickException):
    exit_code = 2


def watches_option(func: F) -> F:
    return click.option(
        "--watches",
        "watches_file",
        envvar="NEWSFIND_WATCHES",
        metavar="FILE",
        help="The watches file (default: DIR.watches.sqlite beside the index).",
    )(func)


def _index_dir(func: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        envvar="NEWSFIND_INDEX",
        default="index_data",
        show_default=True,
        metavar="DIR",
        help="Index directory (default: $NEWSFIND_INDEX, else index_data/).",
    )(func)


def _store(index_dir: str, watches_file: str | None, create: bool = False) -> WatchStore:
    """The watches file; only ``watch add`` creates it, the others say there is none."""
    path = watches_file or watches_path(index_dir)
    if not create and not os.path.exists(path):
        raise click.ClickException(f"no watch has been saved for {index_dir} ({path} is absent)")
    try:
        return WatchStore(path)
    except WatchError as exc:
        raise click.ClickException(str(exc)) from None


def watch_hooks(index_dir: str, watches_file: str | None, on_error: Any) -> WatchHooks | None:
    """The index run's hooks, or None when no watch was ever saved for the index."""
    path = watches_file or watches_path(index_dir)
    if not os.path.exists(path):
        return None
    return WatchHooks(index_dir, _store(index_dir, watches_file), on_error)


@click.group("watch")
def watch_group() -> None:
    """Saved searches that report new matches after each `index` run."""


@watch_group.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--kind", metavar="K", help=f"Only {', '.join(KINDS)} hits.")
@click.option("--source", metavar="S", help="Only articles from this source.")
@click.option(
    "--exec",
    "command",
    metavar="CMD",
    help="Run CMD (a shell command) for each batch of new matches, their JSON on its stdin; "
    "a failing CMD is retried on the next run.",
)
@_index_dir
@watches_option
def add_cmd(
    name: str,
    query: str,
    kind: str | None,
    source: str | None,
    command: str | None,
    index_dir: str,
    watches_file: str | None,
) -> None:
    """Save QUERY as the watch NAME (it reports what later commits add or change)."""
    try:
        params = make_params(query, kind=kind, source=source)
        parse_query(params.query)
    except QueryError as exc:
        raise _UsageFailure(exc.message) from None
    watch = Watch(name, params.query, params.kind, params.source, command)
    with _store(index_dir, watches_file, create=True) as store:
        try:
            store.add(watch)
        except WatchError as exc:
            raise _UsageFailure(str(exc)) from None
        known = 0
        if os.path.isdir(index_dir) or "://" in index_dir:
            # what the index holds already is the baseline, not news
            with open_index(index_dir) as ix:
                known = baseline(ix, store, watch)
    click.echo(f"watch {name} saved ({known:,} current matches are not news)", err=True)


@watch_group.command("list")
@_index_dir
@watches_option
@click.option("--json", "as_json", is_flag=True, help="Print the watches as JSON.")
def list_cmd(index_dir: str, watches_file: str | None, as_json: bool) -> None:
    """Every watch."""
    with _store(index_dir, watches_file) as store:
        watches = store.watches()
        if as_json:
            click.echo(json.dumps([w.to_json() for w in watches], ensure_ascii=False))
            return
        for w in watches:
            extra = "".join(f" --{k} {v}" for k, v in (("kind", w.kind), ("source", w.source)) if v)
            pending = len(store.pending(w.name))
            click.echo(f"{w.name}\t{w.query}{extra}\t{pending} pending")


@watch_group.command("rm")
@click.argument("name")
@_index_dir
@watches_option
def rm_cmd(name: str, index_dir: str, watches_file: str | None) -> None:
    """Remove the watch NAME and its outbox."""
    with _store(index_dir, watches_file) as store:
        if not store.remove(name):
            raise click.ClickException(f"no watch named {name!r}")
    click.echo(f"watch {name} removed", err=True)


@watch_group.command("run")
@click.argument("name", required=False)
@_index_dir
@watches_option
def run_cmd(name: str | None, index_dir: str, watches_file: str | None) -> None:
    """Check what commits changed since the last run, and retry failed --exec commands."""
    with _store(index_dir, watches_file) as store:
        try:
            with open_index(index_dir) as ix:
                reports = run_watches(ix, store, [name] if name else None)
        except (WatchError, IndexNotFound) as exc:
            raise click.ClickException(str(exc)) from None
    failed = False
    for report in reports:
        click.echo(f"watch {report.name}: {report.new:,} new", err=True)
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
            failed = True
    if failed:
        sys.exit(1)


@watch_group.command("show")
@click.argument("name")
@_index_dir
@watches_option
@click.option("--json", "as_json", is_flag=True, help="Print the watch and its outbox as JSON.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
def show_cmd(
    name: str, index_dir: str, watches_file: str | None, as_json: bool, limit: int
) -> None:
    """The watch's new matches, newest first, with the reason each matched."""
    with _store(index_dir, watches_file) as store:
        try:
            data = store.watch_json(name, limit)
        except WatchError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if not data["alerts"]:
        click.echo(f"watch {name}: no new matches yet", err=True)
    for alert in data["alerts"]:
        click.echo(f"{alert['found']}  {alert['doc_id']}  {alert['headline'] or ''}")
        click.echo(f"    why: {alert['reason']}")
