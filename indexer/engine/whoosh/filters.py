"""The kind, source and date filters of one search, as one object read by every match strategy.

A search can apply its filters three ways: as query clauses that narrow the unscored driver of an
AND query, as a mask over whole arrays of hits (the array strategy), or as a test of one document
at a time (the matcher strategy's loop). Keeping the three readings in one frozen object means a
filter's rule (which kind codes pass, how a source is folded, where a day ends) is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

from ...results import SearchParams
from .arrays.term_scores import Ids
from .columns import Columns

__all__ = ["Filters", "date_bounds"]


def _timestamp(value: datetime) -> float:
    return value.replace(tzinfo=UTC).timestamp() if value.tzinfo is None else value.timestamp()


def date_bounds(date_from: date | None, date_to: date | None) -> tuple[float, float] | None:
    """``[low, high)`` as timestamps for the ``from``/``to`` days; ``to`` 9999-12-31 is an open
    end (the next day, which would bound it, is past what a date can hold)."""
    if date_from is None and date_to is None:
        return None
    # the first day there is, not -inf: an undated document (NO_DATE, -inf) passes no date filter
    low = _timestamp(datetime.min)
    high = float("inf")
    if date_from is not None:
        low = _timestamp(datetime(*date_from.timetuple()[:3]))
    if date_to is not None and date_to < date.max:
        # the whole of the last day is included
        high = _timestamp(datetime(*(date_to + timedelta(days=1)).timetuple()[:3]))
    return low, high


@dataclass(frozen=True, eq=False)
class Filters:
    """The filters of one search against one searcher's columns.

    ``kind`` and ``source`` (folded to lower case) are the values asked for, None when not
    filtered; ``kind_codes`` and ``source_codes`` are the column codes that pass them, so the
    array mask and the per-document test agree with each other by construction.
    """

    cols: Columns
    bounds: tuple[float, float] | None
    kind: str | None
    source: str | None
    kind_codes: frozenset[int] | None
    source_codes: frozenset[int] | None

    @classmethod
    def of(cls, params: SearchParams, cols: Columns) -> Filters:
        kind = params.kind or None
        source = params.source.lower() if params.source else None
        return cls(
            cols=cols,
            bounds=date_bounds(params.date_from, params.date_to),
            kind=kind,
            source=source,
            kind_codes=(
                None
                if kind is None
                else frozenset(i for i, v in enumerate(cols.kind.values) if v == kind)
            ),
            source_codes=(
                None if source is None else frozenset(cols.source_codes(source).tolist())
            ),
        )

    @property
    def active(self) -> bool:
        """Whether any document can fail the filters (else callers skip them altogether)."""
        return self.bounds is not None or self.kind is not None or self.source is not None

    def clauses(self) -> list[wq.Query]:
        """The kind and source filters as index terms, for narrowing an unscored driver."""
        parts: list[wq.Query] = []
        if self.kind is not None:
            parts.append(wq.Term("kind", self.kind))
        if self.source is not None:
            parts.append(wq.Term("source", self.source))
        return parts

    def without_clauses(self) -> Filters:
        """What is left to test per document once a driver has applied ``clauses()``."""
        return replace(self, kind=None, source=None, kind_codes=None, source_codes=None)

    def mask(self, docs: Ids) -> npt.NDArray[np.bool_] | None:
        """Which of ``docs`` (global document numbers) pass; None when every one does."""
        mask: npt.NDArray[np.bool_] | None = None
        if self.bounds is not None:
            published = self.cols.published[docs]
            mask = (published >= self.bounds[0]) & (published < self.bounds[1])
        for codes, column in (
            (self.kind_codes, self.cols.kind),
            (self.source_codes, self.cols.source),
        ):
            if codes is not None:
                keep = np.isin(column.codes[docs], np.array(sorted(codes), dtype=np.int32))
                mask = keep if mask is None else mask & keep
        return mask

    @cached_property
    def _published(self) -> list[float]:
        # a Python list: indexing it per document is several times cheaper than the array
        return self.cols.published.tolist() if self.bounds is not None else []

    def keeps(self, doc: int) -> bool:
        """Whether global document ``doc`` passes (the per-document twin of ``mask``)."""
        if self.bounds is not None and not self.bounds[0] <= self._published[doc] < self.bounds[1]:
            return False
        if self.kind_codes is not None and int(self.cols.kind.codes[doc]) not in self.kind_codes:
            return False
        return not (
            self.source_codes is not None
            and int(self.cols.source.codes[doc]) not in self.source_codes
        )
