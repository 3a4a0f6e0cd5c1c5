"""Dates as people write them: "Nov. 20, 2019, 9:28 AM UTC", "04.05.2015 à 13h36",
"Updated 3:27 am PST, Wednesday, November 20, 2019", and dates in URLs (``/2019/11/20/``).

The visible byline line and the URL are the least deliberate places a page states its dates,
so they are read last (``dates.py``), but many pages state them nowhere else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = ["line_dates", "url_date", "written_date"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12, "janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4,
    "mai": 5, "juin": 6, "juil": 7, "août": 8, "aout": 8, "déc": 12, "januar": 1, "februar": 2,
    "märz": 3, "juni": 6, "juli": 7, "okt": 10, "dez": 12, "ene": 1, "abr": 4, "ago": 8,
    "dic": 12, "fev": 2, "set": 9, "out": 10,
}  # fmt: skip
# Offsets of the zone names bylines print (US and European papers); anything else is UTC.
_ZONES = {
    "utc": 0, "gmt": 0, "z": 0, "bst": 1, "cet": 1, "cest": 2, "est": -5, "edt": -4,
    "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "et": -5, "pt": -8,
}  # fmt: skip
_MONTH_WORD = r"(?P<mon>[A-Za-zéûä]{3,9})\.?"
_NAMED = re.compile(
    rf"\b{_MONTH_WORD}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b"
    rf"|\b(?P<day2>\d{{1,2}})(?:er|\.)?\s+(?:de\s+)?(?P<mon2>[A-Za-zéûä]{{3,9}})\.?,?"
    rf"\s+(?:de\s+)?(?P<year2>\d{{4}})\b"
)
_NUMERIC = re.compile(
    r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b|\b(?P<d2>\d{1,2})[./](?P<m2>\d{1,2})[./]"
    r"(?P<y2>\d{4})\b"
)
_TIME = re.compile(
    r"\b(?P<h>\d{1,2})(?::(?P<min>\d{2})|h(?P<min2>\d{2}))\s*(?P<ampm>[ap]\.?m\.?)?"
    r"(?:\s*(?P<zone>[A-Z]{1,4})\b)?",
    re.I,
)
_UPDATED = re.compile(
    r"\b(?:updated|modified|last updated|mis à jour|aktualisiert|actualizado|atualizado)\b", re.I
)
_URL_DATE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>[01]?\d)[/-](?P<d>[0-3]?\d)(?=[/-]|$|\D)"
    r"|/(?P<y2>(?:19|20)\d{2})(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?=/|-|_)"
)


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    for length in (len(word), 5, 4, 3):
        found = _MONTHS.get(word[:length])
        if found:
            return found
    return None


def _day(text: str) -> tuple[datetime, int] | None:
    """The first calendar date written in ``text`` (naive midnight) and where it ends."""
    found: list[tuple[int, datetime, int]] = []
    for match in _NAMED.finditer(text):
        mon = _month(match.group("mon") or match.group("mon2"))
        day = int(match.group("day") or match.group("day2"))
        year = int(match.group("year") or match.group("year2"))
        value = _make(year, mon, day)
        if value is not None:
            found.append((match.start(), value, match.end()))
            break
    for match in _NUMERIC.finditer(text):
        if match.group("y"):
            value = _make(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        else:  # dd.mm.yyyy: the European order, as the papers that write dots use
            value = _make(int(match.group("y2")), int(match.group("m2")), int(match.group("d2")))
        if value is not None:
            found.append((match.start(), value, match.end()))
            break
    if not found:
        return None
    _, value, end = min(found)
    return value, end


def _make(year: int, month: int | None, day: int) -> datetime | None:
    if month is None or not 1900 <= year <= 2100:
        return None
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _with_time(day: datetime, text: str) -> datetime:
    """``day`` at the first time of day written in ``text`` (with its zone), in UTC."""
    match = _TIME.search(text)
    if match is None:
        return day.replace(tzinfo=UTC)
    hour, minute = int(match.group("h")), int(match.group("min") or match.group("min2"))
    ampm = (match.group("ampm") or "").lower()[:1]
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return day.replace(tzinfo=UTC)
    offset = _ZONES.get((match.group("zone") or "").lower(), 0)
    local = day.replace(hour=hour, minute=minute, tzinfo=timezone(timedelta(hours=offset)))
    return local.astimezone(UTC)


def written_date(text: str) -> datetime | None:
    """The date (and time, when given) written in ``text``, in UTC; None when there is none."""
    found = _day(text)
    if found is None:
        return None
    day, end = found
    # the time is usually beside the date: after it ("Nov. 20, 2019, 9:28 AM") or before it
    # ("3:27 am PST, Wednesday, November 20, 2019")
    after = text[end : end + 30]
    return _with_time(day, after if _TIME.search(after) else text)


def line_dates(line: str) -> tuple[datetime | None, datetime | None]:
    """(published, modified) from a byline line: the part after an "Updated" word is the
    modification, the part before it the publication."""
    marker = _UPDATED.search(line)
    if marker is None:
        return written_date(line), None
    return written_date(line[: marker.start()]), written_date(line[marker.end() :])


def url_date(url: str | None) -> datetime | None:
    """The day in a URL's path (``/2019/11/20/``, ``/20191120-``), midnight UTC."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I)
    match = _URL_DATE.search(path)
    if match is None:
        return None
    year, month, day = (
        (match.group("y"), match.group("m"), match.group("d"))
        if match.group("y")
        else (match.group("y2"), match.group("m2"), match.group("d2"))
    )
    value = _make(int(year), int(month), int(day))
    return value.replace(tzinfo=UTC) if value is not None else None
