"""One ``newsfind index`` run for the terminal: the article stream with its hooks (errors as
they come, skipped files, warnings, the progress bar and its ETA, signals), and the lines that
end the run. ``commands.index_cmd`` is the click layer over this."""

from __future__ import annotations

import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import click

from ..errors import ParseError
from ..ingest.paths import iter_articles, total_bytes
from ..interrupt import StopReading, stop_on_signals
from ..model import Article
from ..writing import CommitHooks, IndexReport, index_articles
from .progress import Eta

__all__ = ["IndexRun", "SKIPPED_NAMED"]

OnArticle = Callable[[IndexReport], None]

#: How many skipped files the summary names.
SKIPPED_NAMED = 5


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass
class IndexRun:
    """What one run tells its user while it goes and when it ends."""

    paths: tuple[str, ...]
    files: list[str]
    errors_shown: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: what archives and feeds held besides articles, by kind (``render.skip_lines``)
    tally: Counter[str] = field(default_factory=Counter)

    def show_errors(self, report: IndexReport) -> None:
        while self.errors_shown < len(report.errors):
            click.echo(f"error: {report.errors[self.errors_shown]}", err=True)
            self.errors_shown += 1

    def on_skip(self, path: str, why: str) -> None:
        self.skipped.append((path, why))

    def on_warning(self, message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    def run(
        self,
        index_dir: str,
        show_bar: bool,
        *,
        batch_articles: int,
        procs: int,
        commit_seconds: float,
        hooks: CommitHooks | None = None,
    ) -> tuple[IndexReport, StopReading]:
        """Index everything; a signal ends the stream early (the caller looks at the
        StopReading it gets back)."""

        def index(items: Iterator[Article | ParseError], on_article: OnArticle) -> IndexReport:
            return index_articles(
                index_dir,
                items,
                on_article=on_article,
                batch_articles=batch_articles,
                procs=procs,
                commit_seconds=commit_seconds,
                hooks=hooks,
            )

        with stop_on_signals() as stop:
            if not show_bar:
                items = stop.items(self._articles(None))
                return index(items, self.show_errors), stop
            eta = Eta(max(total_bytes(self.files), 1))
            with click.progressbar(
                length=eta.bytes_total,
                label="Indexing",
                file=sys.stderr,
                show_eta=False,
                item_show_func=eta.show,
            ) as bar:

                def read(n: int) -> None:
                    eta.read(n)
                    bar.update(n)

                def after_article(report: IndexReport) -> None:
                    eta.after_article(report.documents, report.uncommitted)
                    self.show_errors(report)

                items = stop.items(self._articles(read))
                report = index(items, after_article)
            return report, stop

    def _articles(self, on_bytes: Callable[[int], None] | None) -> Iterator[Article | ParseError]:
        return iter_articles(
            self.paths,
            on_bytes=on_bytes,
            skipped=self.tally,
            on_skip=self.on_skip,
            on_warning=self.on_warning,
        )

    def skipped_line(self) -> str | None:
        """Files a directory held that hold no articles: how many, the first few, and why."""
        if not self.skipped:
            return None
        named = ", ".join(f"{path} ({why})" for path, why in self.skipped[:SKIPPED_NAMED])
        rest = len(self.skipped) - SKIPPED_NAMED
        more = f", and {rest:,} more" if rest > 0 else ""
        return f"skipped {_plural(len(self.skipped), 'file')} that hold no articles: {named}{more}"


def interrupted_line(signum: int | None, report: IndexReport) -> str:
    """The one line an interrupted run ends with: what it kept, and how to go on."""
    name = signal.Signals(signum).name if signum else "a signal"
    kept = report.added + report.updated
    return (
        f"interrupted by {name}: {_plural(kept, 'article')} added or updated were committed "
        f"({report.unchanged:,} unchanged); run the same command again to continue"
    )
