"""The checksums of every file a commit writes, and checking an index against them.

Whoosh trusts its files: a truncated table of contents raised ``UnpicklingError``, a missing
segment ``FileNotFoundError``, flipped bytes in a column ``UnicodeDecodeError``, and flipped
bytes in postings or terms gave wrong answers without a word. So each commit leaves a record,
``_MAIN_<generation>.sums`` (JSON), with the size and SHA-256 of its table of contents and of
every segment file it uses, and a copy of the table of contents itself (small: the schema, the
segment list and deletions), from which a damaged one is rewritten.

Opening checks sizes (a ``stat`` per file); content hashes are read by ``newsfind check`` and
on the first open after a crash (a writer's temporary storage left behind, or a generation
without its record: the crash fell between publishing the commit and writing the record).
Segment files never change once written, so a record's hashes stay true for every later
generation that keeps the segment. An index written before records existed has none and is
not checked (``check`` says so); its next commit writes one.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import pickle
import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import IndexCorrupt, QueryError

__all__ = [
    "Damage",
    "FileSums",
    "RECORD_SUFFIX",
    "crashed",
    "damage_found",
    "guarded",
    "missing_toc",
    "read_record",
    "record_commit",
    "recording",
    "remove_orphans",
    "verify_on_open",
    "writer_alive",
]

_log = logging.getLogger("newsfind")

INDEX_NAME = "MAIN"
RECORD_SUFFIX = ".sums"
_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")
_RECORD = re.compile(rf"^_{INDEX_NAME}_(\d+)\{RECORD_SUFFIX}$")
_SEGMENT = re.compile(rf"^{INDEX_NAME}_([0-9a-z]+)\.")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileSums:
    size: int
    sha256: str


@dataclass(frozen=True)
class Damage:
    """One damaged file: its name in the index directory and what is wrong with it."""

    file: str
    problem: str


@dataclass
class Record:
    """What a commit wrote: its generation, each file's sums, and its table of contents."""

    generation: int
    files: dict[str, FileSums] = field(default_factory=dict)
    toc: bytes = b""


def toc_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.toc"


def record_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}{RECORD_SUFFIX}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def generations(directory: Path, pattern: re.Pattern[str]) -> list[int]:
    """The generations of the files named by ``pattern`` in ``directory``, newest first."""
    found = [int(m.group(1)) for name in os.listdir(directory) if (m := pattern.match(name))]
    return sorted(found, reverse=True)


def segment_files(directory: Path, segment_ids: set[str]) -> list[str]:
    """The files of these segments (a compound ``.seg`` each, as this index writes them)."""
    names = []
    for name in os.listdir(directory):
        found = _SEGMENT.match(name)
        if found and f"{INDEX_NAME}_{found.group(1)}" in segment_ids:
            names.append(name)
    return sorted(names)


def record_commit(
    directory: str | os.PathLike[str], generation: int, segment_ids: set[str]
) -> None:
    """Write generation's record and drop older ones. A record that cannot be written (a full
    disk) is not an error: the commit stands, and the next open checks it as after a crash."""
    where = Path(directory)
    try:
        known = latest_record(where)
    except IndexCorrupt:
        known = None  # written again whole below
    previous = known.files if known is not None else {}
    record = Record(generation, toc=(where / toc_name(generation)).read_bytes())
    record.files[toc_name(generation)] = FileSums(
        len(record.toc), hashlib.sha256(record.toc).hexdigest()
    )
    for name in segment_files(where, segment_ids):
        path = where / name
        size = path.stat().st_size
        # a segment never changes once written: the hash of an earlier commit still holds
        old = previous.get(name)
        record.files[name] = (
            old if old is not None and old.size == size else FileSums(size, sha256_of(path))
        )
    temporary = where / f".{record_name(generation)}.tmp"
    try:
        temporary.write_text(json.dumps(_to_json(record)), encoding="utf-8")
        os.replace(temporary, where / record_name(generation))
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        _log.warning("%s: could not record the commit's checksums (%s)", directory, exc)
        return
    for older in generations(where, _RECORD):
        if older != generation:
            (where / record_name(older)).unlink(missing_ok=True)


def _to_json(record: Record) -> dict[str, Any]:
    return {
        "generation": record.generation,
        "files": {n: {"size": s.size, "sha256": s.sha256} for n, s in record.files.items()},
        "toc": base64.b64encode(record.toc).decode("ascii"),
    }


def read_record(directory: Path, generation: int) -> Record | None:
    """The record of ``generation``; None when there is none; IndexCorrupt when unreadable."""
    name = record_name(generation)
    try:
        raw = json.loads((directory / name).read_text(encoding="utf-8"))
        files = {
            n: FileSums(int(v["size"]), str(v["sha256"])) for n, v in dict(raw["files"]).items()
        }
        return Record(int(raw["generation"]), files, base64.b64decode(raw["toc"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorrupt(str(directory), name, f"unreadable ({type(exc).__name__})") from None


def latest_record(directory: Path) -> Record | None:
    for generation in generations(directory, _RECORD):
        return read_record(directory, generation)
    return None


def damage_found(directory: Path, content: bool) -> list[Damage]:
    """Every damaged file the latest record covers: missing, of another size, or (``content``)
    with other bytes; and a table of contents missing though a record says it was written."""
    record = latest_record(directory)
    if record is None:
        return []
    # a newer commit than the record (it is being recorded, or a crash came first) may have
    # merged some of the record's files away: then only those still there can be checked
    current = generations(directory, _TOC)[:1] in ([record.generation], [])
    found = []
    for name, sums in sorted(record.files.items()):
        path = directory / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            if current:
                found.append(Damage(name, "missing"))
            continue
        if size != sums.size:
            found.append(Damage(name, f"{size:,} bytes where the commit wrote {sums.size:,}"))
        elif content and sha256_of(path) != sums.sha256:
            found.append(Damage(name, "its bytes differ from what the commit wrote"))
    return found


_RECORDING = f"_{INDEX_NAME}.recording"


@contextmanager
def recording(directory: str | os.PathLike[str]) -> Iterator[None]:
    """Around a commit and the writing of its record: Whoosh releases the write lock before the
    record is written, so this marker's own lock tells a reader that a commit without a record
    is being recorded, not left by a crash."""
    marker = Path(directory) / _RECORDING
    fd = os.open(marker, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        marker.unlink(missing_ok=True)
        os.close(fd)


def crashed(directory: Path) -> bool:
    """Whether the last writer died: its temporary storage is left, or the latest commit has
    no record and nobody is recording it (the crash came between publishing and recording)."""
    tocs, records = generations(directory, _TOC), generations(directory, _RECORD)
    if bool(tocs and records and tocs[0] > records[0]) and not _held(directory / _RECORDING):
        return True
    return (directory / f"{INDEX_NAME}.tmp").exists() and not writer_alive(directory)


def _held(lock_file: Path) -> bool:
    """Whether some process holds an flock on ``lock_file`` (False when there is none)."""
    try:
        fd = os.open(lock_file, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def writer_alive(directory: str | os.PathLike[str]) -> bool:
    """Whether a writer holds the index's lock (an flock, dropped by the kernel with a dead
    process): then its temporary files are work in progress."""
    return _held(Path(directory) / f"{INDEX_NAME}_WRITELOCK")


def verify_on_open(directory: str | os.PathLike[str]) -> None:
    """IndexCorrupt naming the first damaged file: sizes always, content after a crash."""
    where = Path(directory)
    damage = damage_found(where, content=crashed(where))
    if damage:
        raise IndexCorrupt(str(directory), damage[0].file, damage[0].problem)


def missing_toc(directory: Path) -> Damage | None:
    """The table of contents a record names when none is left (else Whoosh says "no index")."""
    if generations(directory, _TOC):
        return None
    record = latest_record(directory)
    if record is None:
        return None
    return Damage(toc_name(record.generation), "missing")


def remove_orphans(directory: str | os.PathLike[str], segment_ids: set[str]) -> int:
    """Delete segment files no commit uses (a cancelled batch's, a writer's that died): the
    caller holds the write lock, so no writer is making them. How many were removed."""
    where = Path(directory)
    keep = set(segment_files(where, segment_ids))
    removed = 0
    for name in os.listdir(where):
        if _SEGMENT.match(name) and name not in keep:
            try:
                (where / name).unlink()
                removed += 1
            except OSError:
                pass
    return removed


#: What Whoosh raises reading a damaged file (its formats are pickles, structs and zlib).
_DECODING = (pickle.UnpicklingError, EOFError, struct.error, UnicodeDecodeError, zlib.error)
#: What it may also raise then, but also for other reasons: damage only when a hash confirms it.
_MAYBE = (TypeError, KeyError, IndexError, ValueError, OSError, AttributeError)


@contextmanager
def guarded(directory: str | os.PathLike[str]) -> Iterator[None]:
    """Reading the index inside the block: an error that damage explains becomes IndexCorrupt
    naming the file (the content hashes are read then, to find it); any other stays as it is."""
    try:
        yield
    except IndexCorrupt:
        raise
    except _DECODING + _MAYBE as exc:
        if isinstance(exc, QueryError):
            raise
        where = Path(directory)
        damage = damage_found(where, content=True) if where.is_dir() else []
        if damage:
            raise IndexCorrupt(str(directory), damage[0].file, damage[0].problem) from None
        if isinstance(exc, _DECODING):
            problem = f"unreadable ({type(exc).__name__}: {exc}); newsfind check tells more"
            raise IndexCorrupt(str(directory), "an index file", problem) from None
        raise
