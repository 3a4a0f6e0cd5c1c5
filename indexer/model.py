"""The Article model: what every parser produces and what the index stores and gives back.

One model for every input kind keeps the index ignorant of where an article came from, and its
JSON form (``to_json``/``from_json``) is the same one ``newsfind index`` reads and ``export``
writes, so an export re-indexes to the same articles.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

__all__ = [
    "Article", "Caption", "KINDS", "Quote", "parse_published", "article_from_json", "language_tag",
]  # fmt: skip

#: The kinds of passage an article yields, each searched on its own: a property of the model, not
#: of any engine (every engine indexes these, and ``kind=`` filters accept exactly these).
#: A "quote" is derived at index time from the paragraphs (``ingest.quotes``).
KINDS = ("headline", "paragraph", "caption", "note", "quote")

_WS = re.compile(r"\s+")

# A lone UTF-16 surrogate: JSON's "\ud800" escape decodes to one, and no UTF-8 writer (the index,
# the content hash, export) can encode it, so it must be refused with its article, not later.
_SURROGATE = re.compile("[\ud800-\udfff]")

#: The index stores ``occurrences`` as a signed 32-bit number; more is refused at parse time.
MAX_OCCURRENCES = 2**31 - 1


def clean_text(text: str) -> str:
    """Collapse runs of whitespace so equal text compares and hashes equal."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Caption:
    """A distinct photo caption; ``occurrences`` counts how often the page repeated it."""

    text: str
    credit: str | None = None
    date: date | None = None
    occurrences: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "credit": self.credit,
            "date": self.date.isoformat() if self.date else None,
            "occurrences": self.occurrences,
        }


@dataclass(frozen=True)
class Quote:
    """A quotation in a paragraph: ``paragraph`` indexes ``Article.paragraphs``, ``start``/
    ``end`` the quoted words (inside the marks) in it; ``speaker`` is the fullest form of the
    name the article gives, ``speaker_key`` its facet value (both None when no one is named).
    Derived from the paragraphs (``ingest.quotes``), never read from input."""

    paragraph: int
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_key: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class Article:
    """One news article in reading order.

    ``id`` is the stable article id (see :meth:`with_stable_id`); ``published`` is always
    timezone-aware UTC so dates compare and sort the same whatever the input said.
    """

    id: str
    headline: str | None = None
    paragraphs: tuple[str, ...] = ()
    captions: tuple[Caption, ...] = ()
    notes: tuple[str, ...] = ()
    url: str | None = None
    published: datetime | None = None
    source: str | None = None
    byline: str | None = None
    dateline: str | None = None
    #: when a crawler captured the page (WARC-Date of each capture, oldest first, UTC); apart
    #: from ``published``, which the page itself states
    captures: tuple[datetime, ...] = ()
    #: when the page says the story was last changed (kept apart from ``published``), UTC
    modified: datetime | None = None
    #: the text's language as a lower-case BCP 47 tag ("en", "pt-br"), detected when not given
    language: str | None = None
    #: the quotations the index found in the paragraphs (an article read back from an index);
    #: derived data, so not part of equality, the JSON form or the content hash
    quotes: tuple[Quote, ...] = field(default=(), compare=False, repr=False)

    @staticmethod
    def derive_id(
        *,
        url: str | None,
        headline: str | None,
        published: datetime | None,
        source: str | None,
        paragraphs: tuple[str, ...] = (),
    ) -> str:
        """The id an article gets when its input gives none.

        The canonical URL when known; otherwise a hash of what identifies a story (headline,
        publication day, source) rather than of its whole text, so that a corrected body
        re-indexes as an update of the same article instead of a second copy.
        """
        if url:
            return url
        key = "\x1f".join(
            [
                clean_text(headline or "").casefold(),
                published.date().isoformat() if published else "",
                (source or "").casefold(),
                "" if headline else clean_text(paragraphs[0] if paragraphs else "").casefold(),
            ]
        )
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]

    def paragraph_pieces(self, index: int) -> list[tuple[str, Quote | None]]:
        """Paragraph ``index`` cut at its quotations: (text, the quote it is, or None), in
        order, joining back to the paragraph; so a page or terminal shows each quote in its
        paragraph (with its speaker) instead of a second time on its own."""
        text = self.paragraphs[index]
        pieces: list[tuple[str, Quote | None]] = []
        pos = 0
        for q in sorted((q for q in self.quotes if q.paragraph == index), key=lambda q: q.start):
            if q.start < pos or q.end > len(text) or text[q.start : q.end] != q.text:
                continue  # stored by other rules than this text's: shown as plain text
            if q.start > pos:
                pieces.append((text[pos : q.start], None))
            pieces.append((q.text, q))
            pos = q.end
        if pos < len(text) or not pieces:
            pieces.append((text[pos:], None))
        return pieces

    def content_hash(self) -> str:
        """A digest of everything indexed, to tell an unchanged re-index from an update."""
        from .ingest.quotes import QUOTE_RULES  # the quote documents derive from the text

        payload = json.dumps(
            {**self.to_json(), "\x00quotes": QUOTE_RULES}, sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The article JSON form of INTERFACE.md (keys without a value are left out)."""
        out: dict[str, Any] = {"id": self.id}
        for key in ("url", "headline"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.published is not None:
            out["published"] = self.published.isoformat()
        if self.modified is not None:
            out["modified"] = self.modified.isoformat()
        for key in ("source", "byline", "dateline", "language"):
            value = getattr(self, key)
            if value:
                out[key] = value
        out["paragraphs"] = list(self.paragraphs)
        if self.captions:
            out["captions"] = [c.to_json() for c in self.captions]
        if self.notes:
            out["notes"] = list(self.notes)
        if self.captures:
            out["captures"] = [c.isoformat() for c in self.captures]
        return out


def parse_published(value: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a missing offset means UTC, a bare date midnight UTC.

    Raises ``ValueError`` with the offending value in the message.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty date")
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime.combine(d, time(0, 0), tzinfo=UTC)
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 date: {value!r}") from None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+01:00 is a year-0 instant and 9999-12-31T23:00-05:00 one in 10000:
        # neither exists as a datetime, so neither can be stored, sorted or shown
        raise ValueError(f"date out of range (year 1 to 9999 in UTC): {value!r}") from None


def _checked(value: str, key: str) -> str:
    """``value`` unless it holds a lone surrogate (see ``_SURROGATE``)."""
    if not value.isascii() and _SURROGATE.search(value):
        raise ValueError(f"'{key}' holds an unpaired surrogate (an invalid \\u escape)")
    return value


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string")
    return clean_text(_checked(value, key)) or None


def _str_list(obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}' must be a list of strings")
    return tuple(t for t in (clean_text(_checked(v, key)) for v in value) if t)


def _captions(obj: Mapping[str, Any]) -> tuple[Caption, ...]:
    raw = obj.get("captions")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError("'captions' must be a list")
    merged: dict[str, Caption] = {}
    for item in raw:
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            raise ValueError("each caption must be an object with 'text'")
        text = _opt_str(item, "text")
        if not text:
            continue
        raw_date = item.get("date")
        if raw_date is not None and not isinstance(raw_date, str):
            raise ValueError("caption 'date' must be an ISO 8601 string")
        photo_date = parse_published(raw_date).date() if raw_date is not None else None
        occurrences = item.get("occurrences", 1)
        if (
            not isinstance(occurrences, int)
            or isinstance(occurrences, bool)
            or not 1 <= occurrences <= MAX_OCCURRENCES
        ):
            raise ValueError(
                f"caption 'occurrences' must be a positive integer (at most {MAX_OCCURRENCES})"
            )
        cap = Caption(text, _opt_str(item, "credit"), photo_date, occurrences)
        if text in merged:
            prev = merged[text]
            cap = Caption(
                text,
                prev.credit or cap.credit,
                prev.date or cap.date,
                prev.occurrences + cap.occurrences,
            )
        merged[text] = cap
    return tuple(merged.values())


def split_body(body: str) -> tuple[str, ...]:
    """Split a body string into paragraphs on blank lines."""
    return tuple(p for p in (clean_text(b) for b in re.split(r"\n\s*\n", body)) if p)


def article_from_json(obj: Any) -> Article:
    """Build an Article from the JSON form; ``ValueError`` says what is wrong in one line."""
    if not isinstance(obj, dict):
        raise ValueError("an article must be a JSON object")
    headline = _opt_str(obj, "headline")
    paragraphs = _str_list(obj, "paragraphs")
    body = obj.get("body")
    if not paragraphs and body is not None:
        if not isinstance(body, str):
            raise ValueError("'body' must be a string")
        paragraphs = split_body(_checked(body, "body"))
    if not headline and not paragraphs:
        raise ValueError("article has neither 'headline' nor 'paragraphs'")
    published = _opt_date(obj, "published")
    url = _opt_str(obj, "url")
    source = _opt_str(obj, "source")
    raw_id = obj.get("id")
    if raw_id is not None and (not isinstance(raw_id, str) or not raw_id.strip()):
        raise ValueError("'id' must be a non-empty string")
    if isinstance(raw_id, str):
        _checked(raw_id, "id")
    article_id = (
        raw_id
        if isinstance(raw_id, str)
        else Article.derive_id(
            url=url, headline=headline, published=published, source=source, paragraphs=paragraphs
        )
    )
    return Article(
        id=article_id,
        headline=headline,
        paragraphs=paragraphs,
        captions=_captions(obj),
        notes=_str_list(obj, "notes"),
        url=url,
        published=published,
        source=source,
        byline=_opt_str(obj, "byline"),
        dateline=_opt_str(obj, "dateline"),
        captures=_captures(obj),
        modified=_opt_date(obj, "modified"),
        language=_language(obj),
    )


def _captures(obj: Mapping[str, Any]) -> tuple[datetime, ...]:
    """The crawl dates of ``captures``: ISO 8601 strings, kept sorted and distinct."""
    raw = obj.get("captures")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ValueError("'captures' must be a list of ISO 8601 strings")
    return tuple(sorted({parse_published(v) for v in raw}))


def _opt_date(obj: Mapping[str, Any], key: str) -> datetime | None:
    raw = obj.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ValueError(f"'{key}' must be an ISO 8601 string")
    return parse_published(raw)


_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def language_tag(value: str) -> str:
    """A language tag as it is stored and as ``lang:`` and the facet compare it: lower case,
    ``_`` as ``-`` ("pt_BR" is "pt-br")."""
    return value.strip().lower().replace("_", "-")


def _language(obj: Mapping[str, Any]) -> str | None:
    value = _opt_str(obj, "language")
    if value is None:
        return None
    tag = language_tag(value)
    if not _LANGUAGE_TAG.fullmatch(tag):
        raise ValueError(
            f"'language' must be a language tag such as 'en' or 'pt-BR', not {value!r}"
        )
    return tag
