"""Per-document values of a whole searcher as arrays, read once per segment and index generation.

Exact totals, facets and grouping by article need a few values of every matching document. Read
from stored fields they would cost a decompression per document; read here, from Whoosh's
columns, once per segment, they are numpy arrays indexed by global document number, so a search
touches them with vector operations. Strings are coded as integers whose order is the strings'
order (codes index a sorted table), so sorting or breaking ties by code equals doing it by text.
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays.term_scores import generation_cache, segment_cache

__all__ = ["Columns", "Coded", "columns", "whole_column", "NO_DATE"]

#: The published timestamp of an undated document (sorts before every date).
NO_DATE = float("-inf")

#: Whoosh stores DATETIME columns as microseconds since ``datetime.min``.
_EPOCH_USECS = (datetime(1970, 1, 1) - datetime.min) // timedelta(microseconds=1)
#: Dates past this are the column's "no value" default, not a real date.
_MAX_USECS = (datetime.max - datetime.min) // timedelta(microseconds=1)


def _raw_timestamp(value: Any) -> float:
    """A POSIX timestamp from a raw DATETIME column value; NO_DATE for an undated document."""
    if not isinstance(value, int) or value < 0 or value > _MAX_USECS:
        return NO_DATE
    return (value - _EPOCH_USECS) / 1_000_000


@dataclass(frozen=True)
class Coded:
    """A string column: ``values[codes[d]]`` is document d's value; ``values`` is sorted."""

    codes: npt.NDArray[np.int32]
    values: tuple[str, ...]

    @classmethod
    def of(cls, strings: list[str]) -> Coded:
        first: dict[str, int] = {}
        codes = np.fromiter(
            (first.setdefault(s, len(first)) for s in strings), dtype=np.int32, count=len(strings)
        )
        values = sorted(first)
        rank = np.empty(len(values), dtype=np.int32)
        rank[[first[v] for v in values]] = np.arange(len(values), dtype=np.int32)
        return cls(rank[codes] if len(codes) else codes, tuple(values))

    def count(self, docnums: npt.NDArray[np.int64]) -> list[tuple[str, int]]:
        """(value, how many of ``docnums`` have it), most frequent first, then by value; the
        empty value is left out."""
        counts = np.bincount(self.codes[docnums], minlength=len(self.values))
        order = np.lexsort((np.arange(len(counts)), -counts))
        return [
            (self.values[c], int(counts[c]))
            for c in order.tolist()
            if counts[c] and self.values[c] != ""
        ]


@dataclass(frozen=True)
class Columns:
    """Per-document values for a whole searcher, indexed by global document number."""

    article: Coded
    kind: Coded
    source: Coded
    credit: Coded
    month: Coded
    language: Coded
    speaker: Coded
    published: npt.NDArray[np.float64]
    position: npt.NDArray[np.int64]
    #: the first capture's timestamp (WARC input), NO_DATE for a document never crawled
    crawled: npt.NDArray[np.float64]

    def source_codes(self, folded: str) -> npt.NDArray[np.int32]:
        """The codes of the sources equal to ``folded`` once lower-cased."""
        return np.array(
            [i for i, v in enumerate(self.source.values) if v.lower() == folded], dtype=np.int32
        )


_lock = threading.Lock()


def columns(searcher: Any) -> Columns:
    """The columns of ``searcher``'s index generation, read once and shared by all threads and
    every searcher on that generation; a segment's part is read once for every generation that
    keeps the segment, so after a commit only the new segments are read."""
    store = generation_cache(searcher)
    cols = store.get("columns")
    if cols is not None:
        return cols  # type: ignore[no-any-return]
    with _lock:
        cols = store.get("columns")
        if cols is None:
            parts = [_segment_part(sub.reader()) for sub, _ in searcher.leaf_searchers()]
            cols = _combine(parts)
            store["columns"] = cols
    return cols


_CODED = ("article", "kind", "source", "credit", "month", "speaker", "language")


def _segment_part(reader: Any) -> Columns:
    """One segment's columns (codes local to the segment), kept with the segment's files."""
    store = segment_cache(reader)
    part = store.get("columns")
    if part is None:
        part = _read(reader)
        store["columns"] = part
    return part


def _merge(parts: list[Coded]) -> Coded:
    """Segments' string columns as one, coded against the union of their values (the codes
    ``Coded.of`` gives the concatenated strings)."""
    if len(parts) == 1:
        return parts[0]
    values = sorted(set().union(*(p.values for p in parts)))
    rank = {v: i for i, v in enumerate(values)}
    codes = [np.array([rank[v] for v in p.values], dtype=np.int32)[p.codes] for p in parts]
    return Coded(np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32), tuple(values))


def _combine(parts: list[Columns]) -> Columns:
    if len(parts) == 1:
        return parts[0]
    merged = {name: _merge([getattr(p, name) for p in parts]) for name in _CODED}
    return Columns(
        **merged,
        published=np.concatenate([p.published for p in parts]),
        position=np.concatenate([p.position for p in parts]),
        crawled=np.concatenate([p.crawled for p in parts]),
    )


def _read(reader: Any) -> Columns:
    """One segment's columns. A segment where no document has the field has no column at all
    (a multi-segment column reader would then come out short), so segments are read apart."""

    def read(name: str, translate: bool = True) -> list[Any]:
        n = reader.doc_count_all()
        if name not in reader.schema or not reader.has_column(name):  # an older index
            return [None] * n
        part = whole_column(reader, name, translate)
        if part is None:
            part = list(reader.column_reader(name, translate=translate))
        return part[:n] + [None] * (n - len(part))

    return Columns(
        article=Coded.of([a or "" for a in read("article_id")]),
        kind=Coded.of([k or "" for k in read("kind")]),
        source=Coded.of([s or "" for s in read("source")]),
        credit=Coded.of([c or "" for c in read("credit_exact")]),
        month=Coded.of([m or "" for m in read("month")]),
        language=Coded.of([v or "" for v in read("language")]),
        speaker=Coded.of([s or "" for s in read("speaker_key")]),
        # raw values: an undated document's column default is no representable date
        published=np.array(
            [_raw_timestamp(p) for p in read("published", translate=False)], dtype=np.float64
        ),
        position=np.array([int(p or 0) for p in read("position")], dtype=np.int64),
        crawled=np.array(
            [_raw_timestamp(p) for p in read("first_crawled", translate=False)], dtype=np.float64
        ),
    )


def whole_column(reader: Any, name: str, translate: bool) -> list[Any] | None:
    """A segment's column read in one piece instead of value by value (the whoosh3 codec's
    variable-length and numeric columns; None for other kinds), each distinct value translated
    once by the field as Whoosh's own column reader would. At a million passages reading value
    by value took tens of seconds, paid by the first search after every commit."""
    column = reader.column_reader(name, translate=False)
    kind = type(column).__qualname__
    dbfile = getattr(column, "_dbfile", None)
    if dbfile is None:
        return None
    raw: list[Any]
    if kind == "VarBytesColumn.Reader":
        offsets, lengths = column._offsets, column._lengths
        end = max((o + n for o, n in zip(offsets, lengths, strict=True)), default=0)
        data = dbfile.get(column._basepos, end)
        raw = [data[o : o + n] for o, n in zip(offsets, lengths, strict=True)]
    elif kind == "NumericColumn.Reader":
        code = column._typecode
        dtype = np.dtype(">" + code)
        if dtype.itemsize != struct.calcsize("!" + code) or dtype.kind not in "iu":
            return None
        data = dbfile.get(column._basepos, column._count * dtype.itemsize)
        raw = np.frombuffer(data, dtype=dtype).tolist()
        raw += [column._default] * (reader.doc_count_all() - len(raw))
    else:
        return None
    if not translate:
        return raw
    convert = reader.schema[name].from_column_value
    seen: dict[Any, Any] = {}
    return [seen[v] if v in seen else seen.setdefault(v, convert(v)) for v in raw]
