"""The ``newsfind`` command line: a thin click layer over the library's public API.

Output for people goes to stderr when stdout may be piped (progress, summaries, errors), and
every failure is one line, never a traceback. Exit codes follow INTERFACE.md: 0 success, 1 some
or all inputs failed / missing index / unknown id, 2 usage or query errors.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..checking import check_index
from ..errors import (
    DiskFull,
    IndexLocked,
    IndexNotFound,
    NewsfindError,
    QueryError,
    WorkerDied,
)
from ..index import NewsIndex, open_index
from ..ingest.paths import expand_paths
from ..limits import (
    DEFAULT_COLLAPSE,
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    INTERVALS,
    KINDS,
    MAX_PER_PAGE,
    SORTS,
)
from ..writing import (
    DEFAULT_BATCH_ARTICLES,
    DEFAULT_COMMIT_SECONDS,
    DEFAULT_PROCS,
    delete_articles,
)
from .exporting import check_export_flags, export_options, write_export
from .index_run import IndexRun, interrupted_line
from .render import render_article, render_check, render_results, skip_lines
from .watching import watch_group, watch_hooks, watches_option

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INDEX = "index_data"


class UsageFailure(click.ClickException):
    """A usage or query error: exit status 2, as INTERFACE.md promises."""

    exit_code = 2


def index_option(func: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        envvar="NEWSFIND_INDEX",
        default=DEFAULT_INDEX,
        show_default=True,
        metavar="DIR",
        help="Index directory (default: $NEWSFIND_INDEX, else index_data/).",
    )(func)


def _open(index_dir: str) -> NewsIndex:
    try:
        return open_index(index_dir)
    except IndexNotFound as exc:
        raise click.ClickException(str(exc)) from None


def _either(names: tuple[str, ...]) -> str:
    """``a, b or c``: the help states the library's names, never a copy of them."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsfind")
def cli() -> None:
    """Search news articles: paragraphs and photo captions, ranked and highlighted."""


@cli.command("index")
@click.argument("paths", nargs=-1, required=True)
@index_option
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_BATCH_ARTICLES,
    show_default=True,
    help="Articles per commit: larger batches leave fewer index segments (faster searches); "
    "a crash loses at most one batch.",
)
@click.option(
    "--procs",
    type=click.IntRange(1, 64),
    default=DEFAULT_PROCS,
    show_default=True,
    help="Processes that analyse and write documents (1: all in this process). Each leaves "
    "a segment per commit.",
)
@click.option("--no-watch", is_flag=True, help="Do not run the watches after each commit.")
@watches_option
@click.option(
    "--commit-every",
    type=click.FloatRange(0),
    default=DEFAULT_COMMIT_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="Commit at least this often, so a crash loses minutes, not the run (each commit "
    "leaves a segment per process).",
)
def index_cmd(
    paths: tuple[str, ...],
    index_dir: str,
    quiet: bool,
    batch_size: int,
    procs: int,
    no_watch: bool,
    watches_file: str | None,
    commit_every: float,
) -> None:
    """Index files, directories (recursively), globs, or - for stdin.

    Formats: plain text (.txt), HTML pages (.html), article JSON Lines (.jsonl, .jsonl.gz);
    other names are recognised by their content.
    """
    started = time.perf_counter()
    files = [p for p in expand_paths(paths) if isinstance(p, str)]
    run = IndexRun(paths, files)
    show_bar = not quiet and sys.stderr.isatty()
    hooks = None if no_watch else watch_hooks(index_dir, watches_file, _watch_error)
    try:
        report, stop = run.run(
            index_dir,
            show_bar,
            batch_articles=batch_size,
            procs=procs,
            commit_seconds=commit_every,
            hooks=hooks,
        )
    except (IndexLocked, DiskFull) as exc:
        raise click.ClickException(str(exc)) from None
    except WorkerDied as exc:
        # earlier batches are committed; the summary would count only those, so one line
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    finally:
        if hooks is not None:
            hooks.close()
    run.show_errors(report)
    if stop.stopped:
        click.echo(interrupted_line(stop.signal, report), err=True)
        sys.exit(stop.exit_code)
    elapsed = time.perf_counter() - started
    click.echo(
        f"{_plural(report.articles, 'article')}: {report.added:,} added, "
        f"{report.updated:,} updated, {report.unchanged:,} unchanged, {report.failed:,} failed; "
        f"{_plural(report.documents, 'document')} written in {elapsed:.1f} s",
        err=True,
    )
    skipped = run.skipped_line()
    if skipped:
        click.echo(skipped, err=True)
    for line in skip_lines(run.tally):
        click.echo(line, err=True)
    if report.failed:
        sys.exit(1)


def _watch_error(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@cli.command("search")
@click.argument("query")
@click.option("--kind", metavar="K", help=f"Only {_either(KINDS)} hits.")
@click.option("--source", metavar="S", help="Only articles from this source (whole name).")
@click.option("--from", "date_from", metavar="DATE", help="Published on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before (YYYY-MM-DD).")
@click.option(
    "--sort",
    default=DEFAULT_SORT,
    show_default=True,
    metavar="ORDER",
    help=f"{_either(SORTS)}.",
)
@click.option("--page", default="1", show_default=True, metavar="N", help="Page of articles.")
@click.option(
    "--per-page",
    default=str(DEFAULT_PER_PAGE),
    show_default=True,
    metavar="N",
    help=f"Articles a page (1-{MAX_PER_PAGE}).",
)
@click.option(
    "--collapse",
    default=DEFAULT_COLLAPSE,
    show_default=True,
    metavar="MODE",
    help="story: one result per story (near-copies grouped); none: every article.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--interval", metavar="PERIOD", help=f"The timeline's period: {_either(INTERVALS)}.")
@click.option("--normalize", is_flag=True, help="Timeline counts also as shares of the index.")
@export_options
@index_option
def search_cmd(
    query: str,
    kind: str | None,
    source: str | None,
    date_from: str | None,
    date_to: str | None,
    sort: str,
    page: str,
    per_page: str,
    collapse: str,
    as_json: bool,
    interval: str | None,
    normalize: bool,
    export_all: bool,
    fmt: str | None,
    manifest: str | None,
    index_dir: str,
) -> None:
    """Ranked, highlighted results, grouped by article (--all: every matching document).

    \b
    Query language: words (any form: visit finds visiting), "exact phrases",
    AND, OR, NOT, -word, +word, (groups), headline: kind:caption credit:
    source: byline: dateline: lang:fr, infra*, Puttin~, published:2023-10-01..2023-10-31,
    published:>=2023-10-17, photo_date:2023-10, story:ID (a story's copies).
    A query that begins with '-' follows '--':  newsfind search -- "-putin china"
    """
    filters = {"kind": kind, "source": source, "date_from": date_from, "date_to": date_to}
    if export_all or fmt or manifest:
        check_export_flags(export_all, fmt, manifest)
        with _open(index_dir) as ix:
            write_export(ix, query, fmt or "jsonl", manifest, sort=sort, **filters)
        return
    opening = time.perf_counter()
    with _open(index_dir) as ix:
        opened_ms = (time.perf_counter() - opening) * 1000
        try:
            results = ix.search(
                query,
                kind=kind,
                source=source,
                date_from=date_from,
                date_to=date_to,
                sort=sort,
                page=page,
                per_page=per_page,
                interval=interval,
                normalize=normalize,
                collapse=collapse,
            )
        except QueryError as exc:
            raise UsageFailure(exc.message) from None
    if as_json:
        click.echo(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_results(results, color=sys.stdout.isatty(), opened_ms=opened_ms))


@cli.command("show")
@click.argument("article_id")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the article JSON.")
def show_cmd(article_id: str, index_dir: str, as_json: bool) -> None:
    """One article, in reading order."""
    with _open(index_dir) as ix:
        article = ix.article(article_id)
        lineage = ix.lineage(article_id).to_json() if article is not None and as_json else {}
    if article is None:
        raise click.ClickException(f"no article with id {article_id!r}")
    if as_json:
        click.echo(json.dumps({**article.to_json(), **lineage}, ensure_ascii=False, indent=2))
    else:
        click.echo(render_article(article, color=sys.stdout.isatty()))


@cli.command("export")
@index_option
def export_cmd(index_dir: str) -> None:
    """Every article as JSON Lines on stdout (the form `index` reads)."""
    with _open(index_dir) as ix:
        for article in ix.articles():
            sys.stdout.write(json.dumps(article.to_json(), ensure_ascii=False) + "\n")


@cli.command("stats")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats_cmd(index_dir: str, as_json: bool) -> None:
    """Counts of articles and documents."""
    with _open(index_dir) as ix:
        stats = ix.stats()
    if as_json:
        click.echo(json.dumps(stats.to_json()))
        return
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in stats.kinds.items())
    click.echo(
        f"{_plural(stats.articles, 'article')}, {_plural(stats.documents, 'document')} ({kinds})"
    )


@cli.command("check")
@index_option
@click.option("--repair", is_flag=True, help="Rebuild what is damaged from readable articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_cmd(index_dir: str, repair: bool, as_json: bool) -> None:
    """Verify every file of the index against its commit's checksums (exit 1 when damaged)."""
    report = check_index(index_dir, repair=repair)
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        click.echo(render_check(report), err=True)
    if not report.ok:
        sys.exit(1)


@cli.command("delete")
@click.argument("article_ids", nargs=-1, required=True)
@index_option
def delete_cmd(article_ids: tuple[str, ...], index_dir: str) -> None:
    """Remove articles and all their documents."""
    try:
        deleted, missing = delete_articles(index_dir, article_ids)
    except (IndexNotFound, IndexLocked) as exc:
        raise click.ClickException(str(exc)) from None
    if deleted:
        click.echo(f"deleted {_plural(len(deleted), 'article')}", err=True)
    if missing:
        raise click.ClickException("no article with id " + ", ".join(repr(m) for m in missing))


@cli.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1, 256),
    help="Worker threads (default: 4 per core).",
)
@click.option(
    "--public-url",
    envvar="NEWSFIND_PUBLIC_URL",
    metavar="URL",
    help="The URL clients reach the server at (https://news.example.com), for the absolute "
    "links of feeds and the OpenSearch description (default: $NEWSFIND_PUBLIC_URL, else "
    "relative links; the Host header is never used).",
)
@click.option(
    "--wayback-base",
    envvar="NEWSFIND_WAYBACK_BASE",
    metavar="URL",
    help="A web archive's replay prefix (https://web.archive.org/web, a pywb collection): "
    "the article page links each capture of a crawled page to {URL}/{timestamp}/{page URL} "
    "(default: $NEWSFIND_WAYBACK_BASE, else no links).",
)
@click.option(
    "--connection-limit",
    default=500,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Open connections at most; more wait in the listen queue.",
)
@click.option(
    "--request-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.5, 3600),
    metavar="SECONDS",
    help="A connection that has not sent a whole request this long after opening (or after "
    "its previous answer) is closed, so slow clients cannot hold every connection.",
)
def serve_cmd(
    index_dir: str,
    host: str,
    port: int,
    threads: int | None,
    public_url: str | None,
    wayback_base: str | None,
    connection_limit: int,
    request_timeout: float,
) -> None:
    """Serve the search page and JSON API on a production WSGI server (waitress)."""
    from webapp import create_app
    from webapp.server import serve

    if "://" in index_dir:
        _open(index_dir).close()  # an engine location: is the index there and answering?
    elif not os.path.isdir(index_dir):
        raise click.ClickException(str(IndexNotFound(index_dir)))
    try:
        app = create_app(
            {"INDEX_DIR": index_dir, "PUBLIC_URL": public_url, "WAYBACK_BASE": wayback_base}
        )
    except ValueError as exc:
        hint = "'--wayback-base'" if str(exc).startswith("WAYBACK_BASE") else "'--public-url'"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    n_threads = threads or 4 * (os.cpu_count() or 1)
    click.echo(f"newsfind: serving {index_dir} on http://{host}:{port}/", err=True)
    if not app.config["PUBLIC_URL"]:
        click.echo("newsfind: no --public-url: feeds use relative links", err=True)
    serve(
        app,
        host=host,
        port=port,
        threads=n_threads,
        connection_limit=connection_limit,
        request_timeout=request_timeout,
    )


cli.add_command(watch_group)


def main() -> None:
    """Console-script entry point: our errors become one line on stderr, never a traceback."""
    try:
        cli.main(standalone_mode=False, prog_name="newsfind")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except QueryError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(2)
    except NewsfindError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # `newsfind export | head`: the reader went away, which is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        # a bug of ours: still one line for the user; NEWSFIND_DEBUG=1 shows the traceback
        if os.environ.get("NEWSFIND_DEBUG"):
            raise
        click.echo(f"Error: unexpected {type(exc).__name__}: {exc} (this is a bug)", err=True)
        sys.exit(1)
