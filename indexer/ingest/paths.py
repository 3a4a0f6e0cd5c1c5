"""Turn the paths a user gives (files, directories, globs, ``-``) into a stream of Articles.

The input kind comes from the file name, else from the first bytes. A UTF-16 or UTF-32 file
(known by its byte order mark) is read as UTF-8, so every reader sees one encoding. Every problem
becomes a ParseError in the stream rather than an exception, so one bad file never stops a batch.
"""

from __future__ import annotations

import codecs
import errno
import glob
import gzip
import io
import os
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Protocol, cast

from ..errors import ParseError
from ..model import Article
from .bounds import Warn, within_bounds
from .feeds import FEED_SUFFIXES, looks_like_feed, parse_feed
from .jsonl import parse_jsonl
from .text import MAX_TEXT_BYTES, parse_text
from .warc import WARC_SUFFIXES, looks_like_warc, parse_warc

__all__ = ["iter_articles", "expand_paths", "total_bytes", "KNOWN_SUFFIXES"]

#: File endings picked up when walking a directory (explicitly named files may have any name).
KNOWN_SUFFIXES = (
    (".txt", ".text", ".html", ".htm", ".xhtml", ".jsonl", ".jsonl.gz", ".ndjson")
    + WARC_SUFFIXES
    + FEED_SUFFIXES
)

ByteCounter = Callable[[int], None]
#: ``on_skip(path, why)``: a file a directory walk left out, and why (the summary lists them)
SkipCounter = Callable[[str, str], None]

#: How much of a file without a known name is read to tell whether it can hold articles.
SNIFF_BYTES = 8192
#: Starts of files that are never articles (PDF, ZIP/Office, PNG, JPEG, GIF, ELF, SQLite).
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF",
                 b"SQLite format 3")  # fmt: skip

# UTF-32 LE first: its mark begins with UTF-16 LE's. The codecs named read the mark themselves.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _is_glob(pattern: str) -> bool:
    return any(ch in pattern for ch in "*?[")


def expand_paths(
    paths: Iterable[str], on_skip: SkipCounter | None = None
) -> Iterator[str | ParseError]:
    """Files to read, in a stable order, or a ParseError for a path that gives none.

    Directories are walked recursively without following symlinked directories, so a symlink
    loop cannot make the walk run forever. Inside a directory a file with another name is
    recognised by its content, as a named file is; one that cannot hold articles (binary,
    hidden) is left out and told to ``on_skip``, never silently.
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
                yield from expand_paths([match], on_skip) if Path(match).is_dir() else [match]
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
                    full = os.path.join(root, name)
                    why = _why_not_articles(full, name)
                    if why is not None:
                        if on_skip is not None:
                            on_skip(full, why)
                        continue
                    found = True
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


def _why_not_articles(full: str, name: str) -> str | None:
    """Why a file found in a directory is not read (None: read it). A known name is read; any
    other is judged by its first bytes, as a file named on the command line is sniffed."""
    if name.startswith("."):
        return "hidden file"
    if name.lower().endswith(KNOWN_SUFFIXES):
        return None
    try:
        with open(full, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return None  # reading it reports the error
    if head.startswith(_BINARY_MAGIC):
        return "binary file"
    if head[:2] == b"\x1f\x8b":
        return None  # gzip: read as gzipped JSON Lines
    if not head.startswith(tuple(bom for bom, _ in _WIDE_BOMS)) and b"\x00" in head:
        return "binary file"
    if not head.strip():
        return "empty file"
    return None


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
    head = head.removeprefix(codecs.BOM_UTF8)
    if lower.endswith(WARC_SUFFIXES) or looks_like_warc(head):
        return "warc"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith((".jsonl.gz", ".ndjson.gz", ".json.gz")) or head[:2] == b"\x1f\x8b":
        return "jsonl.gz"
    if lower.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lower.endswith(FEED_SUFFIXES) or looks_like_feed(head):
        return "feed"
    if lower.endswith((".txt", ".text")):
        return "text"
    if head.lstrip()[:1] == b"{":
        return "jsonl"
    if _looks_like_html(head):
        return "html"
    return "text"


def _looks_like_html(head: bytes) -> bool:
    # imported on use: bs4 and lxml cost a noticeable start-up time that text and JSON skip
    from .html.page import looks_like_html

    return bool(looks_like_html(head))


class _ByteReader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _read_whole(stream: _ByteReader, source: str) -> bytes:
    data = stream.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise ParseError(source, f"larger than {MAX_TEXT_BYTES // (1024 * 1024)} MB; refused")
    return data


class _Utf8Lines:
    """A UTF-16 or UTF-32 byte stream read as UTF-8: ``readline`` for the JSON Lines reader,
    ``read`` for the whole-file ones. Lines end at ``\n`` only (as in JSON Lines, where U+2028
    may sit inside a string); undecodable units become U+FFFD, as a text reader would show them.
    """

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = bytearray()
        self._scanned = 0  # how much of _pending is known to hold no newline
        self._eof = False

    def _fill(self, size: int, line: bool) -> None:
        while not self._eof and (size < 0 or len(self._pending) < size):
            if line:
                if self._pending.find(b"\n", self._scanned) >= 0:
                    return
                self._scanned = len(self._pending)
            chunk = self._stream.read(64 * 1024)
            self._eof = not chunk
            self._pending += self._decoder.decode(chunk, final=self._eof).encode("utf-8")

    def _take(self, end: int) -> bytes:
        out = bytes(self._pending[:end])
        del self._pending[:end]
        self._scanned = 0
        return out

    def readline(self, size: int = -1, /) -> bytes:
        self._fill(size, line=True)
        end = self._pending.find(b"\n") + 1 or len(self._pending)
        return self._take(end if size < 0 else min(end, size))

    def read(self, size: int = -1, /) -> bytes:
        self._fill(size, line=False)
        return self._take(len(self._pending) if size < 0 else size)

    def peek(self, size: int) -> bytes:
        self._fill(size, line=False)
        return bytes(self._pending[:size])


def _progress(buffered: io.BufferedReader, on_bytes: ByteCounter | None) -> ByteCounter:
    """A progress callback counting the bytes taken from ``buffered`` (what the file size
    counts) rather than the decompressed or re-encoded bytes a reader sees."""
    before = [0]

    def report(_: int) -> None:
        now = buffered.tell() if buffered.seekable() else 0
        if on_bytes is not None and now > before[0]:
            on_bytes(now - before[0])
            before[0] = now

    return report


def _read_wide(
    buffered: io.BufferedReader, encoding: str, source: str, on_bytes: ByteCounter | None
) -> Iterator[Article | ParseError]:
    """A UTF-16/32 file, sniffed and read as UTF-8 (a gzip name cannot apply to it)."""
    lines = _Utf8Lines(buffered, encoding)
    kind = _sniff_kind(source, lines.peek(2048))
    progress = _progress(buffered, on_bytes)
    if kind in ("jsonl", "jsonl.gz"):
        yield from parse_jsonl(lines, source, progress)
        return
    data = _read_whole(lines, source)
    progress(0)
    yield _parse_whole(kind, data, source)


def _read_stream(
    buffered: io.BufferedReader,
    source: str,
    on_bytes: ByteCounter | None,
    skipped: Counter[str] | None = None,
) -> Iterator[Article | ParseError]:
    head = buffered.peek(2048)[:2048]
    wide = next((enc for bom, enc in _WIDE_BOMS if head.startswith(bom)), None)
    if wide is not None:
        yield from _read_wide(buffered, wide, source, on_bytes)
        return
    kind = _sniff_kind(source, head)
    if kind == "warc":
        yield from parse_warc(buffered, source, skipped, on_bytes)
        return
    if kind == "feed":
        yield from parse_feed(_read_whole(buffered, source), source, skipped)
        return
    if kind == "jsonl.gz":
        gz = gzip.GzipFile(fileobj=buffered, mode="rb")
        try:
            yield from parse_jsonl(gz, source, _progress(buffered, on_bytes))
        except (OSError, EOFError, zlib.error) as exc:
            yield ParseError(source, f"corrupt gzip data ({exc})")
        return
    if kind == "jsonl":
        yield from parse_jsonl(buffered, source, on_bytes)
        return
    data = _read_whole(buffered, source)
    if on_bytes is not None:
        on_bytes(len(data))
    yield _parse_whole(kind, data, source)


def _bounded(
    items: Iterator[Article | ParseError], source: str, warn: Warn | None
) -> Iterator[Article | ParseError]:
    for item in items:
        yield item if isinstance(item, ParseError) else within_bounds(item, source, warn)


def _parse_whole(kind: str, data: bytes, source: str) -> Article:
    if kind == "html":
        from .html.page import parse_html

        return parse_html(data, source)
    return parse_text(data, source)


def iter_articles(
    paths: Iterable[str],
    on_bytes: ByteCounter | None = None,
    skipped: Counter[str] | None = None,
    on_skip: SkipCounter | None = None,
    on_warning: Warn | None = None,
) -> Iterator[Article | ParseError]:
    """Every article in the given inputs, with a ParseError in place of each unreadable one;
    ``skipped`` counts, by kind, what archives and feeds held that is not an article;
    ``on_skip`` hears of each file a directory held that cannot hold articles, ``on_warning``
    of each article brought within the limits of ``bounds`` (headline, paragraphs)."""
    for item in expand_paths(paths, on_skip):
        if isinstance(item, ParseError):
            yield item
            continue
        source = "<stdin>" if item == "-" else item
        try:
            if item == "-":
                stdin = sys.stdin.buffer
                if not isinstance(stdin, io.BufferedReader):
                    stdin = io.BufferedReader(cast(io.RawIOBase, stdin))
                yield from _bounded(
                    _read_stream(stdin, source, on_bytes, skipped), source, on_warning
                )
                continue
            with open(item, "rb") as handle:
                yield from _bounded(
                    _read_stream(handle, source, on_bytes, skipped), source, on_warning
                )
        except ParseError as exc:
            yield exc
        except IsADirectoryError:
            yield ParseError(source, "is a directory")
        except PermissionError:
            yield ParseError(source, "permission denied")
        except OSError as exc:
            yield ParseError(source, f"cannot read: {exc.strerror or exc}")
