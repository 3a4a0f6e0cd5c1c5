"""Small presentation helpers the templates share: links that keep a search, dates, snippets."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, url_for
from jinja2 import StrictUndefined
from markupsafe import Markup

from indexer import (
    COLLAPSES,
    DEFAULT_COLLAPSE,
    DEFAULT_SORT,
    HITS_SHOWN,
    KINDS,
    MAX_FUZZY,
    MAX_NEAR,
    MAX_QUERY_CHARS,
    MIN_PREFIX,
    SORTS,
)

from .context import SearchRequest
from .facets import KIND_LABELS
from .urls import DOT_IDS

__all__ = [
    "PAGE_KINDS",
    "article_url",
    "register_template_helpers",
    "safe_snippet",
    "search_url",
    "human_date",
]

#: The library's kinds in the order the pages list them (KIND_LABELS); a kind the page has no
#: label for yet is still listed, last, so a new kind shows up everywhere the kinds are stated.
PAGE_KINDS = tuple(k for k in KIND_LABELS if k in KINDS) + tuple(
    k for k in KINDS if k not in KIND_LABELS
)

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

_MARK = re.compile(r"(</?mark>)")


def search_url(
    request: SearchRequest, endpoint: str = "pages.search", **changes: str | None
) -> str:
    """The URL of ``request`` (with ``changes``): every other parameter kept."""
    if changes:
        request = request.with_changes(**changes)
    args: dict[str, Any] = dict(request.as_args())
    return url_for(endpoint, **args)


def article_url(article_id: str, query: str = "", position: int | None = None) -> str:
    """The article page, carrying the query so its words are marked, at a passage if given.

    The id is encoded by :class:`~webapp.urls.ArticleIdConverter`; the two ids no path can carry
    (``.`` and ``..``) go in the query string instead.
    """
    anchor = f"doc-{position}" if position is not None else None
    if article_id in DOT_IDS:
        return url_for("pages.article_by_query", id=article_id, q=query or None, _anchor=anchor)
    return url_for("pages.article", article_id=article_id, q=query or None, _anchor=anchor)


def safe_snippet(snippet: str) -> Markup:
    """A library snippet as Markup, keeping only ``<mark>`` tags.

    Snippets arrive escaped with matches in ``<mark>``; anything else that looks like a tag is
    escaped again, so a faulty highlighter can never inject markup into the page.
    """
    parts = _MARK.split(snippet)
    return Markup(
        "".join(
            part
            if part in ("<mark>", "</mark>")
            else part.replace("<", "&lt;").replace(">", "&gt;")
            for part in parts
        )
    )


def human_date(value: date | datetime | str | None) -> str:
    """``17 Oct 2023`` (a day is enough for news; times are in UTC anyway)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value
    return f"{day.day} {day:%b %Y}"


def iso_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else None: an article's URL comes from the input,
    and a ``javascript:`` or ``data:`` one must never become a link, escaped or not."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def number_word(n: int) -> str:
    """``3`` -> ``three``: prose states small limits in words (numbers from ten on as digits)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(search_url=search_url, article_url=article_url)
    # the library's limits and names, so no template restates one
    app.jinja_env.globals.update(
        DEFAULT_SORT=DEFAULT_SORT,
        DEFAULT_COLLAPSE=DEFAULT_COLLAPSE,
        COLLAPSES=COLLAPSES,
        HITS_SHOWN=HITS_SHOWN,
        MAX_FUZZY=MAX_FUZZY,
        MAX_NEAR=MAX_NEAR,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
        MIN_PREFIX=MIN_PREFIX,
        PAGE_KINDS=PAGE_KINDS,
        SORTS=SORTS,
    )
    app.jinja_env.filters.update(
        snippet=safe_snippet,
        human_date=human_date,
        iso_date=iso_date,
        plural=plural,
        web_link=web_link,
        number_word=number_word,
    )
    # catch template typos as errors instead of rendering empty strings
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
