"""Facet counts as the page shows them: each value with its count and a link that applies or
removes it in one click.

kind and source are search parameters; a month becomes a ``from``/``to`` range; a photo credit
has no parameter of its own, so it is applied as a fielded term (``credit:"…"``) in the query,
which keeps the page's links and the JSON API's parameters the same set.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass

from indexer.results import SearchResults

from .context import SearchRequest

__all__ = [
    "ActiveFilter",
    "FacetGroup",
    "FacetValue",
    "KIND_LABELS",
    "active_filters",
    "facet_groups",
    "month_label",
]

#: Every document kind, in the order the filters list them, with the words the page uses.
KIND_LABELS = {
    "paragraph": "Paragraphs",
    "caption": "Photo captions",
    "headline": "Headlines",
    "note": "Notes",
    "quote": "Quotes",
}

#: Values beyond this many are folded under "more" so a long tail of credits stays out of the way.
SHOWN_VALUES = 8

UrlFor = Callable[[SearchRequest], str]

#: The facets applied as a fielded term in the query (no search parameter of their own).
TERM_FACETS = ("credit", "speaker")
_TERM_TAIL = re.compile(r'(\s+AND\s+)(credit|speaker):"([^"]*)"\s*$')
_TERM_ONLY = re.compile(r'(credit|speaker):"([^"]*)"')


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    url: str


@dataclass(frozen=True)
class FacetGroup:
    name: str
    label: str
    values: tuple[FacetValue, ...]

    @property
    def shown(self) -> tuple[FacetValue, ...]:
        """The first values, plus any active one further down (it must stay removable)."""
        head = self.values[:SHOWN_VALUES]
        return head + tuple(v for v in self.values[SHOWN_VALUES:] if v.active)

    @property
    def folded(self) -> tuple[FacetValue, ...]:
        return tuple(v for v in self.values[SHOWN_VALUES:] if not v.active)


def month_label(month: str) -> str:
    """``2023-10`` -> ``October 2023`` (anything else unchanged)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match or not 1 <= int(match[2]) <= 12:
        return month
    return f"{calendar.month_name[int(match[2])]} {match[1]}"


def month_range(month: str) -> tuple[str, str] | None:
    """The first and last day of ``YYYY-MM`` as ISO dates."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    year, mon = int(match[1]), int(match[2])
    last = calendar.monthrange(year, mon)[1]
    return f"{year:04d}-{mon:02d}-01", f"{year:04d}-{mon:02d}-{last:02d}"


def credit_term(credit: str, field: str = "credit") -> str:
    return f'{field}:"{credit}"'


def with_credit(query: str, credit: str, field: str = "credit") -> str:
    """``query`` narrowed to one photo credit (or the value of another of ``TERM_FACETS``).

    Words side by side are alternatives in the query language, so the credit is joined with
    AND around the whole query (in parentheses unless it is a single word).
    """
    query = query.strip()
    term = credit_term(credit, field)
    if not query:
        return term
    if len(query.split()) > 1 or query.startswith("("):
        query = f"({query})"
    return f"{query} AND {term}"


def applied_credits(query: str, field: str = "credit") -> list[str]:
    """The credits :func:`with_credit` applied to ``query``, innermost first."""
    found: list[str] = []
    while True:
        match = _TERM_TAIL.search(query)
        if match:
            if match[2] == field:
                found.append(match[3])
            query = _unwrap(query[: match.start()])
            continue
        whole = _TERM_ONLY.fullmatch(query.strip())
        if whole and whole[1] == field:
            found.append(whole[2])
        return found[::-1]


def without_credit(query: str, credit: str, field: str = "credit") -> str:
    """``query`` with the narrowing to ``credit`` undone (other credits kept)."""
    query = query.strip()
    if query == credit_term(credit, field):
        return ""
    tail = f" AND {credit_term(credit, field)}"
    if query.endswith(tail):
        return _unwrap(query[: -len(tail)])
    # applied before another credit: undo the outer one, then re-apply it
    match = _TERM_TAIL.search(query)
    if match and (match[2], match[3]) != (field, credit):
        inner = without_credit(_unwrap(query[: match.start()]), credit, field)
        return with_credit(inner, match[3], match[2])
    return query


def _unwrap(query: str) -> str:
    """``(a b)`` -> ``a b`` when the parentheses enclose the whole query."""
    query = query.strip()
    if not (query.startswith("(") and query.endswith(")")):
        return query
    depth = 0
    in_quotes = False
    for i, char in enumerate(query):
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes and char == "(":
            depth += 1
        elif not in_quotes and char == ")":
            depth -= 1
            if depth == 0 and i != len(query) - 1:
                return query
    return query[1:-1].strip()


#: One facet value as the page offers it: its label, whether it is in force, and the request
#: that applies it or (when in force) removes it; None when it cannot be offered.
_Toggle = Callable[[str], tuple[str, bool, SearchRequest] | None]


def _kind_toggle(request: SearchRequest) -> _Toggle:
    current = request.kind.strip().lower()

    def toggle(kind: str) -> tuple[str, bool, SearchRequest]:
        active = kind == current
        return (
            KIND_LABELS.get(kind, kind),
            active,
            request.with_changes(kind=None if active else kind),
        )

    return toggle


def _source_toggle(request: SearchRequest) -> _Toggle:
    # sources match ignoring case, as the search does
    current = request.source.strip().casefold()

    def toggle(source: str) -> tuple[str, bool, SearchRequest]:
        active = source.casefold() == current
        return source, active, request.with_changes(source=None if active else source)

    return toggle


def _month_toggle(request: SearchRequest) -> _Toggle:
    def toggle(month: str) -> tuple[str, bool, SearchRequest] | None:
        span = month_range(month)
        if span is None:
            return None
        active = (request.date_from, request.date_to) == span
        low, high = (None, None) if active else span
        return month_label(month), active, request.with_changes(**{"from": low, "to": high})

    return toggle


def _term_toggle(field: str) -> Callable[[SearchRequest], _Toggle]:
    def bind(request: SearchRequest) -> _Toggle:
        applied = applied_credits(request.q, field)

        def toggle(value: str) -> tuple[str, bool, SearchRequest] | None:
            if '"' in value:
                return None  # cannot be quoted in the query language
            active = value in applied
            q = (
                without_credit(request.q, value, field)
                if active
                else with_credit(request.q, value, field)
            )
            return value, active, request.with_changes(q=q)

        return toggle

    return bind


_credit_toggle = _term_toggle("credit")


_LANG_TAIL = re.compile(r"\s+AND\s+lang:([a-z0-9-]+)\s*$")


def applied_language(query: str) -> str | None:
    """The language :func:`with_language` applied to ``query``, if any."""
    match = _LANG_TAIL.search(query) or re.fullmatch(r"\s*lang:([a-z0-9-]+)\s*", query)
    return match[1] if match else None


def without_language(query: str) -> str:
    """``query`` with the narrowing to a language undone."""
    match = _LANG_TAIL.search(query)
    if match:
        return _unwrap(query[: match.start()])
    return "" if applied_language(query) else query.strip()


def with_language(query: str, language: str) -> str:
    """``query`` narrowed to one language (in place of any language applied before), joined
    with AND as a credit is."""
    query = without_language(query)
    if not query:
        return f"lang:{language}"
    if len(query.split()) > 1 or query.startswith("("):
        query = f"({query})"
    return f"{query} AND lang:{language}"


def _language_toggle(request: SearchRequest) -> _Toggle:
    current = applied_language(request.q)

    def toggle(language: str) -> tuple[str, bool, SearchRequest] | None:
        if not re.fullmatch(r"[a-z0-9-]+", language):
            return None
        active = language == current
        q = without_language(request.q) if active else with_language(request.q, language)
        return language, active, request.with_changes(q=q)

    return toggle


@dataclass(frozen=True)
class _Facet:
    """How the page shows one facet of the results: ``toggle`` binds a request and then
    describes each value; ``newest_first`` lists values by value, latest first, instead of
    most frequent first; ``keep_empty`` shows the group even when no value can be offered."""

    name: str
    label: str
    toggle: Callable[[SearchRequest], _Toggle]
    newest_first: bool = False
    keep_empty: bool = True


#: The facet groups, in the order the page shows them.
_FACETS = (
    _Facet("kind", "Found in", _kind_toggle),
    _Facet("source", "Source", _source_toggle),
    _Facet("month", "Published", _month_toggle, newest_first=True),
    _Facet("credit", "Photo credit", _credit_toggle, keep_empty=False),
    _Facet("speaker", "Speaker", _term_toggle("speaker"), keep_empty=False),
    _Facet("language", "Language", _language_toggle, keep_empty=False),
)


def facet_groups(
    results: SearchResults, request: SearchRequest, url_for: UrlFor
) -> list[FacetGroup]:
    """The facet groups of one result page, each value linked to apply or remove it."""
    groups: list[FacetGroup] = []
    for facet in _FACETS:
        counts = results.facets.get(facet.name, {})
        if not counts:
            continue
        toggle = facet.toggle(request)
        values = []
        for value in sorted(counts, reverse=True) if facet.newest_first else counts:
            offered = toggle(value)
            if offered is None:
                continue
            label, active, target = offered
            values.append(FacetValue(value, label, counts[value], active, url_for(target)))
        if values or facet.keep_empty:
            groups.append(FacetGroup(facet.name, facet.label, tuple(values)))
    return groups


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    value: str
    remove_url: str


def active_filters(request: SearchRequest, url_for: UrlFor) -> list[ActiveFilter]:
    """The filters in force, each with the link that removes it."""
    found: list[ActiveFilter] = []
    kind = request.kind.strip().lower()
    if kind and kind != "all":
        label = KIND_LABELS.get(kind, request.kind)
        found.append(ActiveFilter("Found in", label, url_for(request.with_changes(kind=None))))
    if request.source.strip():
        remove = url_for(request.with_changes(source=None))
        found.append(ActiveFilter("Source", request.source.strip(), remove))
    if request.date_from or request.date_to:
        span = (request.date_from, request.date_to)
        whole_month = month_range(span[0][:7]) == span
        value = month_label(span[0][:7]) if whole_month else f"{span[0] or '…'} to {span[1] or '…'}"
        remove = url_for(request.with_changes(**{"from": None, "to": None}))
        found.append(ActiveFilter("Published", value, remove))
    for field, label in (("credit", "Photo credit"), ("speaker", "Speaker")):
        for value in applied_credits(request.q, field):
            q = without_credit(request.q, value, field)
            found.append(ActiveFilter(label, value, url_for(request.with_changes(q=q))))
    language = applied_language(request.q)
    if language:
        q = without_language(request.q)
        found.append(ActiveFilter("Language", language, url_for(request.with_changes(q=q))))
    return found
