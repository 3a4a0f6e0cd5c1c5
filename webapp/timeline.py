"""The search page's timeline as an SVG bar chart drawn on the server (no JavaScript needed).

Geometry only: the template writes the SVG, with every text escaped by Jinja. Each bar with
matches links to the same search narrowed to its period; the scale has three ticks.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer import SearchResults, Timeline

from .context import SearchRequest
from .views import search_url

__all__ = ["Bar", "Chart", "Tick", "timeline_chart"]

#: The drawing's size in SVG units (it scales to the page's width).
WIDTH, HEIGHT = 720.0, 160.0
#: Room for the scale on the left and the period labels below.
LEFT, BOTTOM, TOP = 48.0, 22.0, 8.0
#: Period labels shown under the bars at most (first and last always).
_LABELS = 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    title: str
    href: str | None


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    left: float
    base: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[tuple[float, str], ...]
    interval: str
    normalized: bool
    undated: int
    description: str


def _value_text(value: float, normalized: bool) -> str:
    if normalized:
        return f"{value:.1%}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _bar_title(timeline: Timeline, label: str, articles: int, share: float | None) -> str:
    noun = "article" if articles == 1 else "articles"
    text = f"{label}: {articles:,} matching {noun}"
    if timeline.normalized:
        text += f" ({(share or 0.0):.1%} of the period's articles)"
    return text


def timeline_chart(results: SearchResults, asked: SearchRequest) -> Chart | None:
    """The chart of ``results.timeline`` (None when there is nothing dated to draw)."""
    timeline = results.timeline
    if timeline is None or not timeline.periods:
        return None
    peak = timeline.peak or 1.0
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    step = plot_w / len(timeline.periods)
    gap = min(2.0, step * 0.2)
    bars = []
    for i, period in enumerate(timeline.periods):
        height = plot_h * timeline.value(period) / peak
        href = None
        if period.articles:
            narrowed = {"from": period.start.isoformat(), "to": period.end.isoformat()}
            href = search_url(asked, interval=None, **narrowed)
        bars.append(
            Bar(
                x=LEFT + i * step + gap / 2,
                y=TOP + plot_h - height,
                width=max(step - gap, 0.5),
                height=height,
                label=period.label,
                title=_bar_title(timeline, period.label, period.articles, period.share),
                href=href,
            )
        )
    ticks = tuple(
        Tick(TOP + plot_h * (1 - f), _value_text(peak * f, timeline.normalized))
        for f in (0.0, 0.5, 1.0)
    )
    every = max(1, -(-len(bars) // _LABELS))
    shown = {0, len(bars) - 1, *range(0, len(bars), every)}
    labels = tuple((bars[i].x + bars[i].width / 2, bars[i].label) for i in sorted(shown))
    first, last = timeline.periods[0].label, timeline.periods[-1].label
    measure = "share of all articles" if timeline.normalized else "matching articles"
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        base=TOP + plot_h,
        bars=tuple(bars),
        ticks=ticks,
        labels=labels,
        interval=timeline.interval,
        normalized=timeline.normalized,
        undated=timeline.undated_articles,
        description=f"{measure} per {timeline.interval}, {first} to {last}; "
        f"highest {_value_text(peak, timeline.normalized)}",
    )
