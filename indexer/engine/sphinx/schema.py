"""The RT index schema, generated from our document model, and an article's rows in it.

One definition serves the config generator (``conf``: ``rt_field``/``rt_attr_*`` lines), the
writer (the rows of an article) and the search (which columns to read back). Sphinx 2.2 does
not store full-text fields, so every text the results show is also a string attribute.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ...model import KINDS, Article

__all__ = [
    "ALL_TOKEN",
    "FIRST_TOKEN",
    "ATTRIBUTES",
    "FIELDS",
    "GENERATION",
    "INDEX",
    "STOP_WORDS",
    "Row",
    "article_key",
    "article_rows",
    "charset_table",
    "credit_number",
    "decode",
    "encode",
    "doc_key",
    "kind_token",
    "source_token",
]

#: The RT index's name on every shard searchd; the head's distributed index is the location's.
INDEX = "shard"
#: The one-row RT index beside it that records the shard's last commit.
GENERATION = "generation"

#: Full-text fields: the document's own text, its article's headline (ranking only), the
#: caption credit, byline and dateline (fielded queries), and ``meta``: one token for the kind,
#: one for the source and one every document has, so kind:, source: and NOT work inside OR.
FIELDS = ("text", "headline", "credit", "byline", "dateline", "meta")

#: attribute name -> Sphinx RT attribute type
ATTRIBUTES: dict[str, str] = {
    "article": "bigint",  # article_key(article_id): grouping, deleting, sharding
    "position": "uint",
    "kind": "uint",  # index into KINDS
    "published": "bigint",  # seconds since 1970 UTC (bigint: dates before 1970 and after 2106)
    "has_published": "uint",
    "month": "uint",  # YYYYMM of published (UTC), 0 when undated: the month facet
    "photo_date": "bigint",
    "has_photo_date": "uint",
    "source_key": "bigint",
    "source_s": "string",
    "credit_key": "bigint",  # the caption credit's number (0: none): the credit facet groups it
    "doc_count": "uint",  # the article's document count, so a partial article is detected
    "length": "uint",  # words in the text: BM25's length normalisation in the ranker
    "article_id": "string",
    "body": "string",  # the document's text, shown in hits
    "credit_s": "string",
    "content_hash": "string",
    "article_json": "string",  # the whole article, on the position-0 document only
}

#: The English stop words our Whoosh engine drops (whoosh.analysis.STOP_WORDS): the same words
#: are too common to search for on either engine.
STOP_WORDS = (
    "a an and are as at be by can for from have if in is it may not of on or tbd that the this "
    "to us we when will with yet you your"
).split()

#: The token every document's ``meta`` field holds ("all documents", for NOT inside OR).
ALL_TOKEN = "nfall"
#: The token of each article's first document (position 0), which stores the whole article.
FIRST_TOKEN = "nffirst"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def encode(value: str) -> str:
    """A string attribute as stored: JSON, so control characters survive (SphinxQL reads
    ``\\0`` as ``0`` and ``\\Z`` as ``Z`` inside a literal)."""
    return json.dumps(value, ensure_ascii=False)


def decode(value: str) -> str:
    return str(json.loads(value)) if value else ""


def field_text(value: str) -> str:
    """A full-text field as sent: control characters are separators anyway."""
    return _CONTROL.sub(" ", value)


def _key(text: str) -> int:
    """A stable signed 63-bit number for ``text`` (Sphinx ids and bigint attributes)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()) >> 1


def article_key(article_id: str) -> int:
    """The article's number: the shard it lives on and the attribute its rows group by."""
    return _key("a:" + article_id) or 1


def doc_key(article_id: str, position: int) -> int:
    """The document id in Sphinx (positive and unique per document)."""
    return _key(f"d:{article_id}#{position}") or 1


def kind_token(kind: str) -> str:
    return "nfkind" + kind


def source_token(source: str) -> str:
    """The ``meta`` token of a source: whole value, ignoring case, any characters."""
    return "nfsrc" + hashlib.blake2b(source.strip().lower().encode(), digest_size=8).hexdigest()


def source_number(source: str) -> int:
    return _key("s:" + source.strip().lower())


def credit_number(credit: str) -> int:
    """A caption credit as a number: facets group integers many times faster than strings."""
    return _key("c:" + credit) if credit else 0


def epoch(value: datetime | date) -> int:
    """Seconds since 1970-01-01 UTC (a date is its midnight UTC)."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int((value - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())


def _month(published: datetime | None) -> int:
    if published is None:
        return 0
    moment = published.astimezone(UTC) if published.tzinfo else published
    return moment.year * 100 + moment.month


@dataclass(frozen=True)
class Row:
    """One document as the columns of an INSERT."""

    id: int
    fields: dict[str, str]
    attrs: dict[str, Any]


def _passages(article: Article) -> list[tuple[str, str, Any]]:
    """(kind, text, caption or None) in reading order, as every engine numbers them."""
    parts: list[tuple[str, str, Any]] = []
    if article.headline:
        parts.append(("headline", article.headline, None))
    parts += [("caption", c.text, c) for c in article.captions]
    parts += [("paragraph", p, None) for p in article.paragraphs]
    parts += [("note", n, None) for n in article.notes]
    return parts


def article_rows(article: Article, digest: str) -> list[Row]:
    """The rows to insert for one article, in reading order."""
    parts = _passages(article)
    common: dict[str, Any] = {
        "article": article_key(article.id),
        "published": epoch(article.published) if article.published else 0,
        "has_published": int(article.published is not None),
        "month": _month(article.published),
        "source_key": source_number(article.source) if article.source else 0,
        "source_s": encode(article.source or ""),
        "doc_count": len(parts),
        "article_id": encode(article.id),
        "content_hash": encode(digest),
    }
    meta_common = [ALL_TOKEN] + ([source_token(article.source)] if article.source else [])
    rows = []
    for position, (kind, text, caption) in enumerate(parts):
        credit = caption.credit if caption is not None and caption.credit else ""
        photo = caption.date if caption is not None else None
        attrs = dict(common)
        attrs.update(
            position=position,
            kind=KINDS.index(kind),
            length=len(text.split()),
            photo_date=epoch(photo) if photo else 0,
            has_photo_date=int(photo is not None),
            body=encode(text),
            credit_s=encode(credit),
            credit_key=credit_number(credit),
            article_json=json.dumps(article.to_json(), ensure_ascii=False) if not position else "",
        )
        fields = {
            "text": field_text(text),
            "headline": field_text(article.headline or ""),
            "credit": field_text(credit),
            "byline": field_text(article.byline or ""),
            "dateline": field_text(article.dateline or ""),
            "meta": " ".join(meta_common + [kind_token(kind)] + [FIRST_TOKEN] * (not position)),
        }
        rows.append(Row(doc_key(article.id, position), fields, attrs))
    return rows


def charset_table() -> str:
    """Sphinx's ``charset_table``: letters and digits as words, lower-cased, with Latin accents
    folded (``António`` finds ``Antonio``), as our Whoosh analyzer does."""
    parts = ["0..9", "A..Z->a..z", "_", "a..z"]
    for code in [*range(0xC0, 0x250), *range(0x386, 0x3CF), *range(0x400, 0x460)]:
        char = chr(code)
        if not char.isalpha():
            continue
        base = unicodedata.normalize("NFKD", char)[0].lower()
        if base.isascii() and base.isalpha():
            parts.append(f"U+{code:04X}->{base}")
        elif char.lower() != char and len(char.lower()) == 1:
            parts.append(f"U+{code:04X}->U+{ord(char.lower()):04X}")
        else:
            parts.append(f"U+{code:04X}")
    return ", ".join(parts)
