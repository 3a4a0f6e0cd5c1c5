"""How an Article maps to index documents and back.

Both directions live here so the stored form has one definition: ``article_documents`` is what
the writer adds, ``article_from_documents`` what ``show``/``export`` rebuild from stored fields.
Reading order is headline, captions (a page dump lists its photos first), paragraphs, notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from .articles import Article, Caption

__all__ = ["article_documents", "article_from_documents", "doc_id", "to_utc", "to_naive_utc"]


def doc_id(article_id: str, position: int) -> str:
    """The unique id of one document: its article and its place in reading order."""
    return f"{article_id}#{position}"


def to_naive_utc(value: datetime) -> datetime:
    """Whoosh's DATETIME fields compare naive datetimes; we store UTC without the tzinfo."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def to_utc(value: datetime) -> datetime:
    """The inverse of :func:`to_naive_utc` for values read back from the index."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_date(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)


def article_documents(article: Article, content_hash: str) -> list[dict[str, Any]]:
    """The documents to add for one article, in reading order."""
    common: dict[str, Any] = {"article_id": article.id, "content_hash": content_hash}
    if article.headline:
        common["headline"] = article.headline
    if article.url:
        common["url"] = article.url
    if article.published is not None:
        common["published"] = to_naive_utc(article.published)
        common["month"] = article.published.astimezone(UTC).strftime("%Y-%m")
    if article.source:
        common["source"] = article.source
    if article.byline:
        common["byline"] = article.byline
    if article.dateline:
        common["dateline"] = article.dateline

    parts: list[tuple[str, str, dict[str, Any]]] = []
    if article.headline:
        parts.append(("headline", article.headline, {}))
    for cap in article.captions:
        extra: dict[str, Any] = {"occurrences": cap.occurrences}
        if cap.credit:
            extra["credit"] = cap.credit
            extra["credit_exact"] = cap.credit
        if cap.date is not None:
            extra["photo_date"] = _as_date(cap.date)
        parts.append(("caption", cap.text, extra))
    parts.extend(("paragraph", p, {}) for p in article.paragraphs)
    parts.extend(("note", n, {}) for n in article.notes)

    docs = []
    for position, (kind, text, extra) in enumerate(parts):
        doc = dict(common)
        doc.update(extra)
        doc.update(doc_id=doc_id(article.id, position), kind=kind, position=position, text=text)
        docs.append(doc)
    return docs


def article_from_documents(stored: Iterable[Mapping[str, Any]]) -> Article:
    """Rebuild an Article from the stored fields of all its documents (any order)."""
    docs = sorted(stored, key=lambda d: int(d["position"]))
    if not docs:
        raise ValueError("no documents")
    first = docs[0]
    published = first.get("published")
    captions = tuple(
        Caption(
            text=d["text"],
            credit=d.get("credit"),
            date=d["photo_date"].date() if d.get("photo_date") else None,
            occurrences=int(d.get("occurrences") or 1),
        )
        for d in docs
        if d["kind"] == "caption"
    )
    return Article(
        id=first["article_id"],
        headline=first.get("headline"),
        paragraphs=tuple(d["text"] for d in docs if d["kind"] == "paragraph"),
        captions=captions,
        notes=tuple(d["text"] for d in docs if d["kind"] == "note"),
        url=first.get("url"),
        published=to_utc(published) if published is not None else None,
        source=first.get("source"),
        byline=first.get("byline"),
        dateline=first.get("dateline"),
    )
