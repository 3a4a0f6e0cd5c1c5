"""``sphinx://host:port/name[?strict=1]``: where the head searchd is and how to read it."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from ...errors import NewsfindError

__all__ = ["Location", "parse_location"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
#: Strict results (a missing shard is an error, not a partial answer) for every location.
STRICT_ENV = "NEWSFIND_SPHINX_STRICT"


@dataclass(frozen=True)
class Location:
    """The head searchd's SphinxQL address and its distributed index."""

    host: str
    port: int
    index: str
    strict: bool

    def __str__(self) -> str:
        return f"sphinx://{self.host}:{self.port}/{self.index}"


def _flag(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise NewsfindError(f"strict must be 1 or 0, not {value[:20]!r}")


def parse_location(text: str) -> Location:
    """The parts of a sphinx:// location, or a one-line error saying what is wrong."""
    parts = urlsplit(text)
    try:
        port = parts.port or 9306
    except ValueError:
        raise NewsfindError(f"{text}: the port must be a number from 1 to 65535") from None
    host = parts.hostname or "127.0.0.1"
    index = parts.path.strip("/") or "newsfind"
    if not _NAME.fullmatch(index):
        raise NewsfindError(f"{text}: the index name must be letters, digits and _")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - {"strict"})
    if unknown:
        raise NewsfindError(f"{text}: unknown setting {unknown[0]!r} (known: strict)")
    strict = (
        _flag(query["strict"][-1]) if "strict" in query else _flag(os.environ.get(STRICT_ENV, ""))
    )
    return Location(host, port, index, strict)
