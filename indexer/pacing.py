"""Long streams that take turns in the heavy lane, so a served export cannot starve searches.

A whole export of a broad query writes rows for minutes, each row costing interpreter time the
server's searches share (one interpreter lock). Iterated through ``paced``, its rows are written
as a heavy search runs (``budget``): once it has used ``HEAVY_CPU`` of its thread's CPU it holds
the one heavy lane, so concurrent exports (and heavy searches) take turns with each other, and
while ordinary searches run it steps aside at every row. No time budget: an export may take as
long as it needs, only not other searches' share.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from .budget import HEAVY_LANE, Deadline, HeavyLane

__all__ = ["paced"]

T = TypeVar("T")


def paced(rows: Iterable[T], lane: HeavyLane = HEAVY_LANE) -> Iterator[T]:
    """``rows``, each one after a turn in ``lane`` once the stream is heavy; the lane is left
    when the stream ends, however it ends (a closed generator: the client went away)."""
    with Deadline(time.perf_counter(), None, lane=lane) as deadline:
        for row in rows:
            deadline.check()
            yield row
