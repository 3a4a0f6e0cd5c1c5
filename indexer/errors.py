"""The library's own exceptions: callers catch these, never Whoosh's."""

from __future__ import annotations

__all__ = [
    "NewsfindError",
    "IndexNotFound",
    "IndexLocked",
    "QueryError",
    "QueryTooSlow",
    "ParseError",
    "WorkerDied",
    "ArticleNotWritten",
    "ResultsIncomplete",
    "DiskFull",
    "IndexCorrupt",
    "IndexBuilding",
]


class NewsfindError(Exception):
    """Base class: every error the library raises on purpose."""


class IndexNotFound(NewsfindError):
    """No index exists at the given directory."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no index at {path} (build one with: newsfind index PATH --index {path})")
        self.path = path


class IndexLocked(NewsfindError):
    """Another writer held the index for longer than we were willing to wait."""


class QueryError(NewsfindError, ValueError):
    """A query (or a search parameter) that cannot be run; ``param`` names the parameter."""

    def __init__(self, message: str, param: str = "q") -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class QueryTooSlow(QueryError):
    """The search ran past its time budget: the caller asked for an answer within a bound, and
    a narrower query (more words, a filter) is the way to get one."""

    def __init__(self, budget: float) -> None:
        super().__init__(
            f"this query needs more than {budget:g} s to answer; add words or a filter "
            "(kind, source, dates) to narrow it",
            "q",
        )
        self.budget = budget


class ParseError(NewsfindError, ValueError):
    """An input that could not be read as articles; names the file and, where known, the line."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line
        self.message = message


class WorkerDied(NewsfindError):
    """A writing sub-process died (killed, out of memory, crashed) before handing back its part
    of a batch. That batch was cancelled whole, so the index holds only earlier commits; the
    run stops there, and running it again indexes the rest. ``articles`` is the batch's size
    when known (the writer that raised it knows the processes, not the batch)."""

    def __init__(self, pid: int, how: str, when: str, articles: int | None = None) -> None:
        batch = "" if articles is None else f" ({articles:,} article{'' if articles == 1 else 's'})"
        super().__init__(
            f"a writing process (pid {pid}) died ({how}) {when}; nothing of the last "
            f"batch{batch} was committed and the run stopped there; run the same command "
            "again to index the rest"
        )
        self.pid = pid
        self.how = how
        self.when = when
        self.articles = articles

    def with_batch(self, articles: int) -> WorkerDied:
        """The same error, saying how many articles the lost batch held."""
        return WorkerDied(self.pid, self.how, self.when, articles)


class ArticleNotWritten(NewsfindError):
    """One article could not be written (the part of the index holding it does not answer);
    nothing of it changed, the rest of the run goes on, and running again writes it."""

    def __init__(self, article_id: str, why: str) -> None:
        super().__init__(f"article {article_id!r} not indexed: {why}; run again to index it")
        self.article_id = article_id


class ResultsIncomplete(NewsfindError):
    """Strict results were asked for and part of the index did not answer."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(
            "part of the index did not answer (" + "; ".join(missing) + "), and strict "
            "results were asked for; try again when it is back"
        )
        self.missing = missing


class DiskFull(NewsfindError):
    """The filesystem holding the index filled up (or hit its quota) during a batch. The batch
    was cancelled whole, so the index is exactly as its last commit left it."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"no space left on device writing {path}; nothing of this batch was committed; "
            "the index is as it was (free some space and run the same command again)"
        )
        self.path = path


class IndexCorrupt(NewsfindError):
    """A file of the index is missing, cut short or altered: answers from it could be wrong,
    so none are given. ``file`` names it (relative to the index), ``problem`` says what."""

    def __init__(self, path: str, file: str, problem: str) -> None:
        super().__init__(
            f"the index at {path} is damaged: {file}: {problem}; rebuild it with newsfind "
            f"index ... --index {path}, repair it with newsfind check --repair --index {path}, "
            "or restore it"
        )
        self.path = path
        self.file = file
        self.problem = problem


class IndexBuilding(IndexNotFound):
    """The index's first run is still under way: nothing is committed yet, so every search
    would say "0 articles" when the truth is "not yet". An IndexNotFound, so callers that wait
    for an index to appear (the web app) look again later."""

    def __init__(self, path: str) -> None:
        NewsfindError.__init__(
            self,
            f"the index at {path} is being built: its first run has committed nothing yet; "
            "search again when it has committed (a run commits at least every ten minutes)",
        )
        self.path = path
