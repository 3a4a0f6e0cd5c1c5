"""A search's timeline: matching articles (and hits per kind) per day, week, month or year.

Engine-neutral: an engine counts matches per publication day (``engine.base.DayCount``); this
module picks the period from the span of the matches (or takes the one asked for), sums the days
into periods with the empty ones filled in (a gap is information), divides by the index's own
articles per period when asked to normalise, and writes the series as CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .engine.base import DayCount
from .limits import INTERVALS, UNDATED

__all__ = [
    "INTERVALS",
    "MAX_PERIODS",
    "Period",
    "Timeline",
    "build_timeline",
    "choose_interval",
    "month_facet",
    "period_start",
    "timeline_csv",
]

#: The longest span (in days) each automatic interval covers; past the last, years.
_SPANS = (("day", 90), ("week", 731), ("month", 20 * 366))
#: Past this many periods only those with matches are listed (a day chart of decades would be
#: mostly empty bars, and large).
MAX_PERIODS = 2000


@dataclass(frozen=True)
class Period:
    """One bar: the days ``start`` to ``end`` (inclusive), what matched in them and, when
    normalised, ``share``: matching articles over all the index's articles of the period."""

    start: date
    end: date
    label: str
    articles: int
    hits: dict[str, int]
    share: float | None = None

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label,
            "articles": self.articles,
            "hits": self.total_hits,
            "kinds": dict(self.hits),
            "share": None if self.share is None else round(self.share, 6),
        }


@dataclass(frozen=True)
class Timeline:
    """Periods in date order; undated matches apart, so articles (and hits) add up to the
    search's totals."""

    interval: str
    normalized: bool
    periods: tuple[Period, ...]
    undated_articles: int = 0
    undated_hits: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "interval": self.interval,
            "normalized": self.normalized,
            "periods": [p.to_json() for p in self.periods],
            "undated": {
                "articles": self.undated_articles,
                "hits": sum(self.undated_hits.values()),
                "kinds": dict(self.undated_hits),
            },
        }

    @property
    def peak(self) -> float:
        """The highest bar's value (shares when normalised, else articles), at least 1 count."""
        values = [self.value(p) for p in self.periods]
        return max(values, default=0.0) or (0.0 if self.normalized else 1.0)

    def value(self, period: Period) -> float:
        """What a bar shows: the share when normalised, else matching articles."""
        if self.normalized:
            return period.share or 0.0
        return float(period.articles)


def choose_interval(first: date, last: date) -> str:
    """Days up to about 90 days of span, weeks up to about 2 years, months up to 20 years."""
    span = (last - first).days
    for interval, longest in _SPANS:
        if span <= longest:
            return interval
    return "year"


def period_start(day: date, interval: str) -> date:
    """The first day of the period holding ``day`` (weeks start on Monday, as ISO weeks)."""
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next_start(start: date, interval: str) -> date | None:
    """The first day of the next period; None past the last day a date can be."""
    try:
        if interval == "day":
            return start + timedelta(days=1)
        if interval == "week":
            return start + timedelta(days=7)
        if interval == "month":
            return date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return date(start.year + 1, 1, 1)
    except (OverflowError, ValueError):
        return None


def _label(start: date, interval: str) -> str:
    if interval == "day":
        return start.isoformat()
    if interval == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if interval == "month":
        return f"{start.year:04d}-{start.month:02d}"  # strftime gives year 1 as "1" on Linux
    return f"{start.year:04d}"


def _sum_periods(days: Iterable[DayCount], interval: str) -> dict[date, tuple[int, dict[str, int]]]:
    sums: dict[date, tuple[int, dict[str, int]]] = {}
    for count in days:
        if count.day is None:
            continue
        start = period_start(count.day, interval)
        articles, hits = sums.get(start, (0, {}))
        merged = dict(hits)
        for kind, n in count.hits.items():
            merged[kind] = merged.get(kind, 0) + n
        sums[start] = (articles + count.articles, merged)
    return sums


def _starts(dated: list[date], interval: str) -> list[date]:
    """The periods to draw: every one from the first with matches to the last, the empty ones
    included (a gap is information), unless that would be over MAX_PERIODS (a timeline by day
    over decades, or by year over millennia): then only those with matches."""
    if not dated:
        return []
    filled: list[date] = []
    start: date | None = dated[0]
    while start is not None and start <= dated[-1]:
        if len(filled) >= MAX_PERIODS:
            return dated
        filled.append(start)
        start = _next_start(start, interval)
    return filled


def _period(
    start: date,
    interval: str,
    counts: tuple[int, dict[str, int]],
    shares: dict[date, int],
    normalized: bool,
) -> Period:
    after = _next_start(start, interval)
    end = after - timedelta(days=1) if after is not None else date.max
    articles, hits = counts
    share = None
    if normalized:
        share = articles / shares[start] if shares.get(start) else 0.0
    return Period(start, end, _label(start, interval), articles, hits, share)


def _auto_interval(dated: Sequence[DayCount]) -> str:
    first, last = dated[0].day if dated else None, dated[-1].day if dated else None
    if first is None or last is None:
        return "day"
    return choose_interval(first, last)


def build_timeline(
    days: Sequence[DayCount],
    interval: str | None = None,
    totals: Sequence[DayCount] | None = None,
) -> Timeline:
    """The timeline of a search's day counts; ``totals`` (the index's own day counts) makes
    it normalised."""
    dated = [d for d in days if d.day is not None]
    undated = [d for d in days if d.day is None]
    chosen = interval or _auto_interval(dated)
    sums = _sum_periods(dated, chosen)
    shares = {s: a for s, (a, _) in _sum_periods(totals, chosen).items()} if totals else {}
    periods = [
        _period(start, chosen, sums.get(start, (0, {})), shares, totals is not None)
        for start in _starts(sorted(sums), chosen)
    ]
    undated_hits: dict[str, int] = {}
    for count in undated:
        for kind, n in count.hits.items():
            undated_hits[kind] = undated_hits.get(kind, 0) + n
    return Timeline(
        interval=chosen,
        normalized=totals is not None,
        periods=tuple(periods),
        undated_articles=sum(d.articles for d in undated),
        undated_hits=undated_hits,
    )


def month_facet(days: Sequence[DayCount]) -> dict[str, int]:
    """Matching documents per ``YYYY-MM``, in date order (the month facet, kept for the JSON),
    then the undated ones as a value of their own, so the counts add up to the hits."""
    months: dict[str, int] = {}
    undated = 0
    for count in days:
        if count.day is None:
            undated += sum(count.hits.values())
            continue
        key = f"{count.day.year:04d}-{count.day.month:02d}"
        months[key] = months.get(key, 0) + sum(count.hits.values())
    facet = dict(sorted(months.items()))
    if undated:
        facet[UNDATED] = undated
    return facet


def timeline_csv(timeline: Timeline, kinds: Sequence[str]) -> str:
    """The series as CSV: one row per period (and one for undated matches), a column per kind."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["start", "end", "label", "articles", "hits", *kinds, "share"])
    for p in timeline.periods:
        share = "" if p.share is None else f"{p.share:.6f}"
        row = [p.start.isoformat(), p.end.isoformat(), p.label, p.articles, p.total_hits]
        writer.writerow([*row, *(p.hits.get(k, 0) for k in kinds), share])
    if timeline.undated_articles:
        hits = timeline.undated_hits
        row = ["", "", "undated", timeline.undated_articles, sum(hits.values())]
        writer.writerow([*row, *(hits.get(k, 0) for k in kinds), ""])
    return out.getvalue()
