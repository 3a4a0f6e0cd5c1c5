"""The library's own exceptions: callers catch these, never Whoosh's."""

from __future__ import annotations

__all__ = [
    "NewsfindError",
    "IndexNotFound",
    "IndexLocked",
    "QueryError",
    "QueryTooSlow",
    "ParseError",
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
