"""Telling an article from a page that only points to articles (a section front, a tag page, an
index of links), for crawls, which hold both: the page's own claims first, then its links.

A page that says it is an article (a publication date, a byline, ``og:type`` article, a JSON-LD
``*Article``) is one, however badly its body was extracted. A page that claims nothing is a
link index when it has many links and more text inside them than the extractor found as body:
on the 41 development pages, every page without such claims has less link text than 1.1 times
its body, while a section front is mostly headlines that link away.
"""

from __future__ import annotations

import re

from ..model import Article

__all__ = ["is_link_index", "MIN_INDEX_LINKS", "INDEX_LINK_RATIO"]

#: A link index has at least this many links ...
MIN_INDEX_LINKS = 20
#: ... and at least this many times as much link text as body text.
INDEX_LINK_RATIO = 1.5

_OG_ARTICLE = re.compile(
    r"""<meta[^>]+(?:property|name)\s*=\s*["']og:type["'][^>]*content\s*=\s*["']article""", re.I
)
_LD_ARTICLE = re.compile(r""""@type"\s*:\s*\[?\s*"(?:\w*Article|Report|BlogPosting)\"""")
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_WS = re.compile(r"\s+")


def _claims_article(text: str, article: Article) -> bool:
    return bool(
        article.published
        or article.byline
        or _OG_ARTICLE.search(text, 0, 200_000)
        or _LD_ARTICLE.search(text)
    )


def is_link_index(text: str, article: Article) -> bool:
    """Whether the page ``text`` (decoded HTML), extracted as ``article``, is a page of links
    rather than an article (see the module docstring for the evidence)."""
    if _claims_article(text, article):
        return False
    links = _LINK.findall(text)
    if len(links) < MIN_INDEX_LINKS:
        return False
    link_chars = sum(len(_WS.sub(" ", _TAG.sub(" ", inner)).strip()) for inner in links)
    body_chars = sum(len(p) for p in article.paragraphs)
    return link_chars >= INDEX_LINK_RATIO * body_chars
