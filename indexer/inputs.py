"""Turn the paths a user gives (files, directories, globs, ``-``) into a stream of Articles.

The input kind comes from the file name, else from the first bytes. Every problem becomes a
ParseError in the stream rather than an exception, so one bad file never stops a batch.
"""

from __future__ import annotations

import errno
import glob
import gzip
import io
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, cast

from .articles import Article
from .errors import ParseError
from .parse_jsonl import parse_jsonl
from .parse_text import MAX_TEXT_BYTES, parse_text

__all__ = ["iter_articles", "expand_paths", "total_bytes", "KNOWN_SUFFIXES"]

#: File endings picked up when walking a directory (explicitly named files may have any name).
KNOWN_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".jsonl", ".jsonl.gz", ".ndjson")

ByteCounter = Callable[[int], None]


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def expand_paths(paths: Iterable[str]) -> Iterator[str | ParseError]:
    """Files to read, in a stable order, or a ParseError for a path that gives none.

    Directories are walked recursively without following symlinked directories, so a symlink
    loop cannot make the walk run forever.
    """
    for given in paths:
        if given == "-":
            yield given
            continue
        path = Path(given)
        if not path.exists() and not path.is_symlink() and _is_glob(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                yield ParseError(given, "no file matches this pattern")
            for match in matches:
                yield from expand_paths([match]) if Path(match).is_dir() else [match]
            continue
        if path.is_dir():
            found = False
            walk_errors: list[OSError] = []
            for root, dirs, files in os.walk(path, onerror=walk_errors.append):
                yield from (_walk_error(exc) for exc in walk_errors)
                walk_errors.clear()
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                yield from _symlink_loops(root, dirs)
                for name in sorted(files):
                    if name.startswith(".") or not name.lower().endswith(KNOWN_SUFFIXES):
                        continue
                    found = True
                    full = os.path.join(root, name)
                    # a FIFO or device would block or never end; dangling links fail at open
                    if os.path.exists(full) and not os.path.isfile(full):
                        yield ParseError(full, "not a regular file; skipped")
                    else:
                        yield full
            yield from (_walk_error(exc) for exc in walk_errors)
            if not found:
                yield ParseError(
                    given, "directory holds no article files " + "/".join(KNOWN_SUFFIXES)
                )
        elif path.is_symlink() and not path.exists():
            yield ParseError(given, _dangling(given))
        elif not path.exists():
            yield ParseError(given, "no such file or directory")
        else:
            yield given


def _walk_error(exc: OSError) -> ParseError:
    return ParseError(str(exc.filename or "?"), f"cannot read directory: {exc.strerror or exc}")


def _symlink_loops(root: str, dirs: list[str]) -> Iterator[ParseError]:
    """Report symlinked directories that point back up the tree (the walk never follows
    symlinked directories, so these are reported rather than skipped in silence)."""
    here = os.path.realpath(root)
    for name in dirs:
        full = os.path.join(root, name)
        if not os.path.islink(full):
            continue
        target = os.path.realpath(full)
        if here == target or here.startswith(target.rstrip(os.sep) + os.sep):
            yield ParseError(full, "symbolic link loop; not followed")


def _dangling(path: str) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link"


def total_bytes(files: Iterable[str]) -> int:
    """The size of the named files, for a progress bar (stdin counts as nothing)."""
    total = 0
    for name in files:
        if name != "-":
            try:
                total += os.path.getsize(name)
            except OSError:
                pass
    return total


def _sniff_kind(name: str, head: bytes) -> str:
    lower = name.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith((".jsonl.gz", ".ndjson.gz", ".json.gz")) or head[:2] == b"\x1f\x8b":
        return "jsonl.gz"
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith((".txt", ".text")):
        return "text"
    if head.lstrip()[:1] == b"{":
        return "jsonl"
    if _looks_like_html(head):
        return "html"
    return "text"


def _looks_like_html(head: bytes) -> bool:
    # imported on use: bs4 and lxml cost a noticeable start-up time that text and JSON skip
    from .parse_html import looks_like_html

    return bool(looks_like_html(head))


def _read_whole(stream: IO[bytes], source: str) -> bytes:
    data = stream.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise ParseError(source, f"larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; refused")
    return data


def _read_stream(
    buffered: io.BufferedReader, source: str, on_bytes: ByteCounter | None
) -> Iterator[Article | ParseError]:
    head = buffered.peek(2048)[:2048]
    kind = _sniff_kind(source, head)
    if kind == "jsonl.gz":
        gz = gzip.GzipFile(fileobj=buffered, mode="rb")
        before = [0]

        def gz_progress(_: int) -> None:
            # report compressed bytes consumed, which is what the file size counts
            now = buffered.tell() if buffered.seekable() else 0
            if on_bytes is not None and now > before[0]:
                on_bytes(now - before[0])
                before[0] = now

        try:
            yield from parse_jsonl(gz, source, gz_progress)
        except (OSError, EOFError, zlib.error) as exc:
            yield ParseError(source, f"corrupt gzip data ({exc})")
        return
    if kind == "jsonl":
        yield from parse_jsonl(buffered, source, on_bytes)
        return
    data = _read_whole(buffered, source)
    if on_bytes is not None:
        on_bytes(len(data))
    if kind == "html":
        from .parse_html import parse_html

        yield parse_html(data, source)
    else:
        yield parse_text(data, source)


def iter_articles(
    paths: Iterable[str], on_bytes: ByteCounter | None = None
) -> Iterator[Article | ParseError]:
    """Every article in the given inputs, with a ParseError in place of each unreadable one."""
    for item in expand_paths(paths):
        if isinstance(item, ParseError):
            yield item
            continue
        source = "<stdin>" if item == "-" else item
        try:
            if item == "-":
                stdin = sys.stdin.buffer
                if not isinstance(stdin, io.BufferedReader):
                    stdin = io.BufferedReader(cast(io.RawIOBase, stdin))
                yield from _read_stream(stdin, source, on_bytes)
                continue
            with open(item, "rb") as handle:
                yield from _read_stream(handle, source, on_bytes)
        except ParseError as exc:
            yield exc
        except IsADirectoryError:
            yield ParseError(source, "is a directory")
        except PermissionError:
            yield ParseError(source, "permission denied")
        except OSError as exc:
            yield ParseError(source, f"cannot read: {exc.strerror or exc}")
