"""The timeline of a search: sums, the interval chosen from the span, normalisation, undated
articles and the month facet, on real indexes with known counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from indexer import UNDATED, QueryError, open_index
from indexer.engine.base import DayCount
from indexer.timeline import build_timeline, choose_interval, period_start, timeline_csv
from tests.conftest import BuildIndex


def article(n: int, published: str | None, words: str) -> dict[str, Any]:
    found: dict[str, Any] = {"id": f"a{n:03d}", "headline": f"Report {n} {words}"}
    found["paragraphs"] = [f"The harbour {words} story.", "Weather was fine."]
    if published is not None:
        found["published"] = published
    return found


#: 3 matching articles in Oct 2023 (plus 1 not matching), 1 in Dec 2023, 2 undated; 1 in 2025.
CORPUS = [
    article(1, "2023-10-02T08:00:00+00:00", "strike"),
    article(2, "2023-10-02T20:00:00+00:00", "strike"),
    article(3, "2023-10-20T08:00:00+00:00", "strike"),
    article(4, "2023-10-21T08:00:00+00:00", "calm"),
    article(5, "2023-12-05T08:00:00+00:00", "strike"),
    article(6, None, "strike"),
    article(7, None, "strike"),
    article(8, "2025-03-01T08:00:00+00:00", "strike"),
]


@pytest.fixture
def index_dir(build_index: BuildIndex) -> Path:
    return build_index(articles=CORPUS)


def test_counts_add_up_to_the_totals(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        results = ix.search("strike", interval="month")
    timeline = results.timeline
    assert timeline is not None and timeline.interval == "month"
    articles = sum(p.articles for p in timeline.periods) + timeline.undated_articles
    hits = sum(p.total_hits for p in timeline.periods) + sum(timeline.undated_hits.values())
    assert (articles, hits) == (results.total_articles, results.total_hits) == (7, 14)
    assert timeline.undated_articles == 2
    by_label = {p.label: p.articles for p in timeline.periods}
    # every month from the first match to the last, the empty ones included
    assert len(timeline.periods) == 18
    assert by_label["2023-10"] == 3 and by_label["2023-11"] == 0 and by_label["2023-12"] == 1
    assert by_label["2025-03"] == 1
    assert timeline.periods[0].hits == {"headline": 3, "paragraph": 3}


def test_the_interval_follows_the_span(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        wide = ix.search("strike").timeline
        october = ix.search("strike", date_from="2023-10-01", date_to="2023-10-31").timeline
        autumn = ix.search("strike", date_from="2023-10-01", date_to="2023-12-31").timeline
    assert wide is not None and october is not None and autumn is not None
    assert (wide.interval, october.interval, autumn.interval) == (
        "week",
        "day",
        "day",
    )  # spans: 516, 18 and 64 days
    assert [p.label for p in october.periods if p.articles] == ["2023-10-02", "2023-10-20"]
    assert october.periods[0].articles == 2


@pytest.mark.parametrize(
    ("days", "interval"),
    [
        (0, "day"),
        (90, "day"),
        (91, "week"),
        (731, "week"),
        (732, "month"),
        (7320, "month"),
        (7321, "year"),
    ],
)
def test_choose_interval(days: int, interval: str) -> None:
    first = date(2000, 1, 1)
    assert choose_interval(first, date.fromordinal(first.toordinal() + days)) == interval


def test_normalize_divides_by_the_index_articles_of_each_period(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        results = ix.search("strike", interval="month", normalize="1")
    assert results.timeline is not None and results.timeline.normalized
    shares = {p.label: p.share for p in results.timeline.periods}
    # October holds 4 articles, 3 of which match; December 1 of 1; November none at all
    assert shares["2023-10"] == pytest.approx(0.75)
    assert shares["2023-12"] == pytest.approx(1.0)
    assert shares["2023-11"] == 0.0
    data = results.to_json()["timeline"]
    assert data["normalized"] is True and data["undated"]["articles"] == 2


def test_month_facet_is_in_date_order(build_index: BuildIndex) -> None:
    # the latest month has the most matches, so date order is not the most-frequent order
    later = [article(20 + n, f"2024-05-0{n + 1}T08:00:00+00:00", "strike") for n in range(3)]
    with open_index(build_index(articles=CORPUS + later)) as ix:
        found = ix.search("strike")
    months = found.to_json()["facets"]["month"]
    # undated documents are a value of their own, last (issue 18: the counts add up)
    assert list(months) == ["2023-10", "2023-12", "2024-05", "2025-03", UNDATED]
    dated = {"2023-10": 6, "2023-12": 2, "2024-05": 6, "2025-03": 2}
    assert {k: v for k, v in months.items() if k != UNDATED} == dated
    assert sum(months.values()) == found.total_hits


def test_bad_interval_names_the_parameter(index_dir: Path) -> None:
    with open_index(index_dir) as ix, pytest.raises(QueryError) as caught:
        ix.search("strike", interval="fortnight")
    assert caught.value.param == "interval"
    with open_index(index_dir) as ix, pytest.raises(QueryError) as caught:
        ix.search("strike", normalize="maybe")
    assert caught.value.param == "normalize"


def test_too_many_bars_lists_only_the_periods_with_matches() -> None:
    days = [DayCount(date(1900, 1, 1), 1, {"paragraph": 1}), DayCount(date(2000, 1, 1), 1, {})]
    sparse = build_timeline(days, "day")
    assert [p.label for p in sparse.periods] == ["1900-01-01", "2000-01-01"]
    assert len(build_timeline(days).periods) == 101  # by year: every year, empty ones too


def test_the_extreme_dates_have_a_timeline(build_index: BuildIndex) -> None:
    first = article(1, "0001-01-01T00:00:00+00:00", "strike")
    last = article(2, "9999-12-31T23:59:59.999999+00:00", "strike")
    with open_index(build_index(articles=[first, last])) as ix:
        results = ix.search("strike")
        by_day = ix.search("strike", interval="day").timeline
    timeline = results.timeline
    assert timeline is not None and by_day is not None
    assert timeline.interval == "year"
    assert [p.label for p in timeline.periods] == ["0001", "9999"]
    assert results.facets["month"] == {"0001-01": 2, "9999-12": 2}  # headline and paragraph
    assert timeline.periods[-1].end == date.max
    assert [p.label for p in by_day.periods] == ["0001-01-01", "9999-12-31"]


def test_weeks_start_on_monday_and_csv_lists_every_period() -> None:
    assert period_start(date(2023, 10, 22), "week") == date(2023, 10, 16)
    days = [
        DayCount(date(2023, 10, 16), 2, {"paragraph": 3}),
        DayCount(date(2023, 10, 31), 1, {"caption": 1}),
        DayCount(None, 1, {"paragraph": 1}),
    ]
    text = timeline_csv(build_timeline(days, "week"), ("paragraph", "caption"))
    assert text.splitlines() == [
        "start,end,label,articles,hits,paragraph,caption,share",
        "2023-10-16,2023-10-22,2023-W42,2,3,3,0,",
        "2023-10-23,2023-10-29,2023-W43,0,0,0,0,",
        "2023-10-30,2023-11-05,2023-W44,1,1,0,1,",
        ",,undated,1,1,1,0,",
    ]
