"""``newsfind search --all``: every matching document streamed to stdout, and its manifest."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import QueryError
from ..export import EXPORT_FORMATS
from ..index import NewsIndex

__all__ = ["check_export_flags", "export_options", "write_export"]

F = TypeVar("F", bound=Callable[..., Any])


class _UsageFailure(click.ClickException):
    exit_code = 2


def export_options(func: F) -> F:
    """--all, --format and --manifest (the export flags of ``search``)."""
    func = click.option(
        "--manifest",
        metavar="FILE",
        help="With --all: write the export's manifest (query, generation, engine, count, "
        "sha256 of the rows) to FILE as JSON.",
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(EXPORT_FORMATS),
        help="With --all: the rows as JSON Lines (default) or CSV.",
    )(func)
    return click.option(
        "--all",
        "export_all",
        is_flag=True,
        help="Every matching document, one row each, streamed (page and --per-page ignored).",
    )(func)


def check_export_flags(export_all: bool, fmt: str | None, manifest: str | None) -> None:
    if not export_all:
        flag = "--format" if fmt else "--manifest"
        raise _UsageFailure(f"{flag} goes with --all (export every match)")


def write_export(ix: NewsIndex, query: str, fmt: str, manifest: str | None, **filters: Any) -> None:
    """Stream the rows to stdout as they are read; the manifest after the last one."""
    try:
        export = ix.export(query, fmt=fmt, **filters)
    except QueryError as exc:
        raise _UsageFailure(exc.message) from None
    try:
        # opened first, so an unwritable path fails before a long export, not after it
        handle = open(manifest, "w", encoding="utf-8") if manifest else None  # noqa: SIM115
    except OSError as exc:
        raise click.ClickException(
            f"{manifest}: cannot write the manifest: {exc.strerror}"
        ) from None
    # bytes, so the rows are exactly what the manifest's sha256 covers (no newline translation)
    out = sys.stdout.buffer
    for line in export:
        out.write(line.encode("utf-8"))
    out.flush()
    if handle is not None:
        with handle:
            json.dump(export.manifest.to_json(), handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    click.echo(f"exported {export.manifest.rows:,} rows", err=True)
