"""``newsfind check [--repair]`` for a Whoosh index: every file against its commit's record
(``integrity``), then, when asked, rebuilding what is damaged.

A damaged table of contents is written again from the copy its record keeps. A damaged segment
cannot be trusted at all (flipped bytes in postings give wrong answers, not errors), so the
index is rebuilt from the other segments: every article whose documents are all readable there
(each stores how many it has) is written into a new index beside the old one, which then takes
its place; the damaged directory is kept beside it, and the articles lost are named so their
sources can be indexed again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import SegmentReader

from ...checking import CheckReport
from ...errors import IndexLocked, IndexNotFound
from ...model import Article
from .documents import article_from_documents
from .integrity import (
    INDEX_NAME,
    Damage,
    damage_found,
    guarded,
    latest_record,
    missing_toc,
    toc_name,
)

__all__ = ["check_directory"]


def check_directory(path: str, *, repair: bool = False) -> CheckReport:
    """Check (and with ``repair``, mend) the index at ``path`` under its write lock."""
    where = Path(path)
    if not where.is_dir():
        raise IndexNotFound(path)
    lock = FileStorage(path).lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire(False):
        raise IndexLocked(f"{path}: another process is writing to this index; check it after")
    try:
        return _check(where, repair)
    finally:
        lock.release()


def _check(where: Path, repair: bool) -> CheckReport:
    path = str(where)
    try:
        record = latest_record(where)
    except Exception as exc:  # noqa: BLE001 - the record's own damage is a finding
        record, found = None, [Damage(Path(getattr(exc, "file", "record")).name, str(exc))]
    else:
        lost_toc = missing_toc(where)
        found = damage_found(where, content=True) + ([lost_toc] if lost_toc else [])
    checked = len(record.files) if record is not None else 0
    if not found:
        problem = _unreadable(path)
        if problem is not None:
            found = [problem]
    damage = tuple((d.file, d.problem) for d in found)
    report = CheckReport(path, checked, damage, unverified=record is None)
    if not repair or not found:
        return report
    return _repair(where, report, {d.file for d in found})


def _unreadable(path: str) -> Damage | None:
    """Read every stored document: what a damaged file without a record to compare with
    would break (the hashes cover the rest)."""
    from .writer import open_whoosh

    try:
        with guarded(path):
            ix = open_whoosh(path)
            with ix.reader() as reader:
                for _ in reader.all_stored_fields():
                    pass
    except Exception as exc:  # noqa: BLE001 - any failure to read is the finding
        return Damage(getattr(exc, "file", "an index file"), getattr(exc, "problem", str(exc)))
    return None


def _repair(where: Path, report: CheckReport, damaged: set[str]) -> CheckReport:
    record = latest_record(where)
    if record is None:
        note = "no checksum record: nothing to repair from; rebuild it with newsfind index"
        return _replace(report, notes=(note,))
    toc = toc_name(record.generation)
    if toc in damaged or not (where / toc).exists():
        if hashlib.sha256(record.toc).hexdigest() != record.files[toc].sha256:
            note = "the table of contents and its copy are both damaged: rebuild the index"
            return _replace(report, notes=(note,))
        _write_atomically(where / toc, record.toc)
        damaged.discard(toc)
    if not damaged:
        return _replace(report, repaired=True)
    return _rebuild(where, report, damaged)


def _rebuild(where: Path, report: CheckReport, damaged: set[str]) -> CheckReport:
    """A new index from the undamaged segments' whole articles, swapped in for the old."""
    from .writer import WhooshWriter, WriteState, create_whoosh

    articles, lost = _readable_articles(where, damaged)
    fresh = where.with_name(f"{where.name}.repairing")
    if fresh.exists():
        raise IndexLocked(f"{fresh} exists: a repair is under way or was interrupted; remove it")
    ix = create_whoosh(fresh)
    writer = WhooshWriter(ix, str(fresh), WriteState(ix), lock_timeout=0)
    try:
        for article in articles:
            writer.replace(article, article.content_hash())
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    ix.close()
    aside = where.with_name(f"{where.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    os.rename(where, aside)
    os.rename(fresh, where)
    return _replace(
        report,
        repaired=True,
        articles_kept=len(articles),
        articles_lost=tuple(sorted(lost)),
        moved_to=str(aside),
    )


def _readable_articles(where: Path, damaged: set[str]) -> tuple[list[Article], set[str]]:
    """Articles whose live documents in the undamaged segments number what they stored; the
    ids of the others (some of their documents were in a damaged segment)."""
    storage = FileStorage(str(where))
    toc = TOC.read(storage, INDEX_NAME)
    docs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    lost: set[str] = set()
    for segment in toc.segments:
        if segment.make_filename(segment.COMPOUND_EXT) in damaged:
            lost |= _ids_in(storage, toc.schema, segment)
            continue
        reader = SegmentReader(storage, toc.schema, segment)
        try:
            for _, stored in reader.iter_docs():
                docs[str(stored["article_id"])].append(stored)
        finally:
            reader.close()
    kept = []
    for article_id, stored in sorted(docs.items()):
        count = str(stored[0].get("content_hash") or "").rpartition(":")[2]
        if count.isdigit() and int(count) == len(stored):
            kept.append(article_from_documents(stored))
        else:
            lost.add(article_id)
    return kept, lost - {a.id for a in kept}


def _ids_in(storage: Any, schema: Any, segment: Any) -> set[str]:
    """The article ids a damaged segment still names, to say which articles are lost (its
    terms may be damaged too: then as many as can be read)."""
    ids: set[str] = set()
    try:
        reader = SegmentReader(storage, schema, segment)
        try:
            for term in reader.lexicon("article_id"):
                ids.add(term.decode("utf-8") if isinstance(term, bytes) else str(term))
        finally:
            reader.close()
    except Exception:  # noqa: BLE001 - damage: the ids read so far are what can be said
        pass
    return ids


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _replace(report: CheckReport, **changes: Any) -> CheckReport:
    from dataclasses import replace

    return replace(report, **changes)
