"""Validating search parameters, from Python values or from the strings of a web form or CLI.

One place decides what a valid request is, so the API, the page and the command line reject the
same things with the same messages (a QueryError naming the parameter).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from .errors import QueryError
from .limits import (
    COLLAPSES,
    DEFAULT_COLLAPSE,
    DEFAULT_PER_PAGE,
    DEFAULT_SORT,
    INTERVALS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY_CHARS,
)
from .model import KINDS
from .results import SORTS, SearchParams

# the limits are defined in limits.py (exported from ``indexer``); still importable from here
__all__ = ["make_params", "MAX_QUERY_CHARS", "MAX_PER_PAGE", "MAX_PAGE"]


#: Only ASCII digits: ``str.isdigit()`` is true for '²' and '①', which ``int()`` then refuses.
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
#: Longer values are cut in error messages, so a 4,400-digit page is not echoed back whole.
_SHOWN_CHARS = 40


def _shown(text: str) -> str:
    """``text`` quoted for an error message, cut to a readable length."""
    if len(text) <= _SHOWN_CHARS:
        return repr(text)
    return f"{text[:_SHOWN_CHARS]!r}… ({len(text):,} characters)"


def _as_int(value: int | str, param: str, low: int, high: int) -> int:
    """``value`` as a whole number within ``[low, high]``, or QueryError naming ``param``.

    The length is compared before converting: Python refuses ``int()`` of a string over 4,300
    digits, and any number with more digits than the bounds is out of range anyway."""
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise QueryError(f"{param} must be a whole number, not {_shown(value)}", param)
        digits = text.lstrip("-").lstrip("0") or "0"  # int() counts leading zeros as digits
        if len(digits) > max(len(str(abs(low))), len(str(abs(high)))):
            raise QueryError(
                f"{param} must be between {low} and {high}, not a {len(digits):,}-digit number",
                param,
            )
        value = -int(digits) if text.startswith("-") else int(digits)
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{param} must be a whole number", param)
    if not low <= value <= high:
        # str() of a huge int is refused like int() of a huge string: name it by size instead
        shown = str(value) if value.bit_length() < 128 else "a number that large"
        raise QueryError(f"{param} must be between {low} and {high}, not {shown}", param)
    return value


def _as_date(value: date | str | None, param: str) -> date | None:
    """``value`` as a calendar day, or QueryError naming ``param``; a datetime counts as its day
    (the filters are whole days, and a datetime does not compare with a date)."""
    if value is None or isinstance(value, datetime):
        return None if value is None else value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise QueryError(f"{param} must be a date as YYYY-MM-DD", param)
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"{param} must be a date as YYYY-MM-DD, not {_shown(value)}", param
        ) from None


def _optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


#: Accepted spellings of ``normalize`` (a form sends strings).
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def _as_interval(value: str | None) -> str | None:
    text = (_optional(value) or "").lower()
    if text in ("", "auto"):
        return None
    if text not in INTERVALS:
        raise QueryError(
            f"interval must be one of {', '.join(INTERVALS)}, not {text[:40]!r}", "interval"
        )
    return text


def _as_flag(value: bool | str | None, param: str) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    text = str(value).strip().lower()
    if text not in _TRUE + _FALSE:
        raise QueryError(f"{param} must be 1 or 0, not {_shown(str(value))}", param)
    return text in _TRUE


def make_params(
    query: str,
    *,
    kind: str | None = None,
    source: str | None = None,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    sort: str | None = DEFAULT_SORT,
    page: int | str = 1,
    per_page: int | str = DEFAULT_PER_PAGE,
    interval: str | None = None,
    normalize: bool | str | None = False,
    collapse: str | None = DEFAULT_COLLAPSE,
) -> SearchParams:
    """A validated SearchParams, or QueryError naming the first bad parameter."""
    if not isinstance(query, str):
        raise QueryError("q must be a string", "q")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}", "q"
        )
    kind = _optional(kind)
    if kind is not None:
        kind = kind.lower()
        if kind == "all":
            kind = None
        elif kind not in KINDS:
            raise QueryError(f"kind must be one of {', '.join(KINDS)}, not {kind[:40]!r}", "kind")
    sort = (_optional(sort) or DEFAULT_SORT).lower()
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}", "sort")
    collapse = (_optional(collapse) or DEFAULT_COLLAPSE).lower()
    if collapse not in COLLAPSES:
        raise QueryError(
            f"collapse must be one of {', '.join(COLLAPSES)}, not {collapse[:40]!r}", "collapse"
        )
    start = _as_date(date_from, "from")
    end = _as_date(date_to, "to")
    if start and end and start > end:
        raise QueryError(f"from ({start}) is after to ({end})", "from")
    return SearchParams(
        query=query,
        kind=kind,
        source=_optional(source),
        date_from=start,
        date_to=end,
        sort=sort,
        page=_as_int(page, "page", 1, MAX_PAGE),
        per_page=_as_int(per_page, "per_page", 1, MAX_PER_PAGE),
        interval=_as_interval(interval),
        normalize=_as_flag(normalize, "normalize"),
        collapse=collapse,
    )
