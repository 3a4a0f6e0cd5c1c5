"""Links from an article page to a web archive's replay of each capture (WARC input).

``{base}/{14-digit timestamp}/{url}`` is the convention pywb and the Wayback Machine share, so
one setting (``WAYBACK_BASE``, ``NEWSFIND_WAYBACK_BASE``, ``newsfind serve --wayback-base``)
points the page at either; without it the captures are listed and nothing is linked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from .urls import check_public_url
from .views import web_link

__all__ = ["Capture", "captures_of", "check_wayback_base"]


@dataclass(frozen=True)
class Capture:
    """One crawl of the article's page, and where to replay it (None: no archive set up)."""

    when: datetime
    replay: str | None


def check_wayback_base(value: object) -> str | None:
    """The ``WAYBACK_BASE`` setting without its trailing slash; ValueError naming it."""
    try:
        return check_public_url(value)
    except ValueError:
        raise ValueError(
            f"WAYBACK_BASE must be an http(s) URL such as https://web.archive.org/web, "
            f"not {str(value).strip()!r}"
        ) from None


def captures_of(url: str | None, captures: tuple[datetime, ...]) -> list[Capture]:
    """The captures to show, each linked to its replay when a base is set and the article's
    URL is a web link (a replay of anything else means nothing)."""
    base = current_app.config.get("WAYBACK_BASE")
    target = web_link(url)
    out = []
    for when in captures:
        t = when.astimezone(UTC)
        # not strftime("%Y"): glibc writes year 1 as "1", and the stamp must be 14 digits
        stamp = f"{t.year:04d}{t.month:02d}{t.day:02d}{t.hour:02d}{t.minute:02d}{t.second:02d}"
        replay = f"{base}/{stamp}/{target}" if base and target else None
        out.append(Capture(when, replay))
    return out
