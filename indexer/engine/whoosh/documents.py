"""How an Article maps to index documents and back.

Both directions live here so the stored form has one definition: ``article_documents`` is what
the writer adds, ``article_from_documents`` what ``show``/``export`` rebuild from stored fields.
Reading order is headline, captions (a page dump lists its photos first), paragraphs, notes.
The headline is stored once, as the text of the headline document; indexes written before that
stored it in every document, and both forms read back the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from ...ingest.quotes import extract_quotes, speaker_key
from ...model import Article, Caption, Quote
from .columns import columns

__all__ = [
    "HEADLINE_INDEXED_CHARS",
    "article_documents",
    "article_from_documents",
    "doc_id",
    "indexed_headline",
    "stored_headline",
    "to_utc",
    "to_naive_utc",
]

#: How much of the headline every document indexes in its ``headline`` field (the BM25F part of
#: a passage's score). The longest real headline we have is 137 characters (Reuters-21578; BBC's
#: is 52, the HTML test pages' 107), so no real headline is cut and ranking is unchanged; a
#: hostile 1 MB headline is analysed in full once (the headline document's text), not once per
#: passage.
HEADLINE_INDEXED_CHARS = 2000


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


def _utc_day(value: datetime) -> datetime:
    """The naive UTC midnight of ``value``'s day: what ``crawled`` indexes."""
    utc = to_naive_utc(value)
    return datetime(utc.year, utc.month, utc.day)


def _as_date(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)


def indexed_headline(headline: str) -> str:
    """The headline as every document indexes it: whole up to HEADLINE_INDEXED_CHARS, else cut
    at the last space before that (a cut word would be a term no query means)."""
    if len(headline) <= HEADLINE_INDEXED_CHARS:
        return headline
    cut = headline[: HEADLINE_INDEXED_CHARS + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut[:HEADLINE_INDEXED_CHARS]


def article_documents(
    article: Article, content_hash: str, lineage: str | None = None
) -> list[dict[str, Any]]:
    """The documents to add for one article, in reading order; its fingerprint (``lineage``)
    goes on the first, where ``stories.story_records`` reads it."""
    common = _common_fields(article, content_hash)
    docs = []
    for position, (kind, text, extra) in enumerate(_parts(article)):
        doc = dict(common)
        doc.update(extra)
        doc.update(doc_id=doc_id(article.id, position), kind=kind, position=position, text=text)
        docs.append(doc)
    if lineage is not None and docs:
        docs[0]["lineage"] = lineage
    if article.captures and docs:
        docs[0]["captures"] = [to_naive_utc(c) for c in article.captures]
    return docs


def _common_fields(article: Article, content_hash: str) -> dict[str, Any]:
    """The fields every document of the article carries."""
    common: dict[str, Any] = {"article_id": article.id, "content_hash": content_hash}
    if article.headline:
        # indexed for the BM25F headline score, stored nowhere (``_stored_headline``): the
        # headline document's text holds it, once per article
        common["headline"] = indexed_headline(article.headline)
        common["_stored_headline"] = None
    if article.url:
        common["url"] = article.url
    if article.published is not None:
        common["published"] = to_naive_utc(article.published)
        utc = article.published.astimezone(UTC)
        # not strftime("%Y"): glibc writes year 1 as "1", not "0001"
        common["month"] = f"{utc.year:04d}-{utc.month:02d}"
    if article.source:
        common["source"] = article.source
    if article.byline:
        common["byline"] = article.byline
    if article.dateline:
        common["dateline"] = article.dateline
    if article.captures:
        # every capture's day for crawled: filters (spans of whole days, so exact), the first
        # capture (a sortable single value) for sorting; the exact times go on the first document
        common["crawled"] = sorted({_utc_day(c) for c in article.captures})
        common["first_crawled"] = to_naive_utc(min(article.captures))
    if article.modified is not None:
        common["modified"] = to_naive_utc(article.modified)
    if article.language:
        common["language"] = article.language
    return common


def _parts(article: Article) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, text, the kind's own fields) of each document, in reading order."""
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
    first_paragraph = len(parts)
    parts.extend(("paragraph", p, {}) for p in article.paragraphs)
    parts.extend(("note", n, {}) for n in article.notes)
    parts.extend(_quote_parts(article, first_paragraph))
    return parts


def _quote_parts(article: Article, first_paragraph: int) -> list[tuple[str, str, dict[str, Any]]]:
    """The article's quotations as documents after all others (so adding them moved no
    position): each keeps its paragraph's position and where in it the words are."""
    parts: list[tuple[str, str, dict[str, Any]]] = []
    for q in extract_quotes(article.paragraphs):
        extra: dict[str, Any] = {
            "quote_of": first_paragraph + q.paragraph,
            "quote_start": q.start,
            "quote_end": q.end,
        }
        if q.speaker and q.speaker_key:
            extra["speaker"] = q.speaker
            extra["speaker_key"] = q.speaker_key
        parts.append(("quote", q.text, extra))
    return parts


def article_from_documents(stored: Iterable[Mapping[str, Any]]) -> Article:
    """Rebuild an Article from the stored fields of all its documents (any order)."""
    docs = sorted(stored, key=lambda d: int(d["position"]))
    if not docs:
        raise ValueError("no documents")
    first = docs[0]
    published = first.get("published")
    headline = next((d["text"] for d in docs if d["kind"] == "headline"), first.get("headline"))
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
        quotes=_stored_quotes(docs),
        id=first["article_id"],
        headline=headline,
        paragraphs=tuple(d["text"] for d in docs if d["kind"] == "paragraph"),
        captions=captions,
        notes=tuple(d["text"] for d in docs if d["kind"] == "note"),
        url=first.get("url"),
        published=to_utc(published) if published is not None else None,
        source=first.get("source"),
        byline=first.get("byline"),
        dateline=first.get("dateline"),
        # an index written before ``captures`` stored the exact times in ``crawled``
        captures=tuple(
            sorted(to_utc(c) for c in first.get("captures") or first.get("crawled") or ())
        ),
        modified=to_utc(first["modified"]) if first.get("modified") is not None else None,
        language=first.get("language"),
    )


def _stored_quotes(docs: list[Mapping[str, Any]]) -> tuple[Quote, ...]:
    """The quote documents as Quotes of their paragraphs (``quote_of`` is a position)."""
    paragraph_at = {
        int(d["position"]): i for i, d in enumerate(x for x in docs if x["kind"] == "paragraph")
    }
    out = []
    for d in docs:
        of = d.get("quote_of")
        if d["kind"] != "quote" or of is None or int(of) not in paragraph_at:
            continue
        speaker = d.get("speaker")
        out.append(
            Quote(
                paragraph=paragraph_at[int(d["quote_of"])],
                start=int(d.get("quote_start") or 0),
                end=int(d.get("quote_end") or 0),
                text=str(d.get("text") or ""),
                speaker=speaker,
                speaker_key=speaker_key(speaker) if speaker else None,
            )
        )
    return tuple(out)


def stored_headline(searcher: Any, docnum: int, stored: Mapping[str, Any]) -> str | None:
    """The full headline of the article that document ``docnum`` (``stored``: its stored
    fields) belongs to.

    An index written before the headline was stored once has it in every document; otherwise
    it is the text of the article's headline document.
    """
    if "headline" in stored:
        return str(stored["headline"])
    if stored.get("kind") == "headline":
        return str(stored.get("text") or "") or None
    found = _headline_docnum(searcher, docnum)
    if found is None:
        return None
    return str(searcher.stored_fields(found).get("text") or "") or None


def _headline_docnum(searcher: Any, docnum: int) -> int | None:
    """Where the headline document of ``docnum``'s article is, from the searcher's columns.

    An article's documents are written in reading order, so its headline usually sits
    ``position`` documents before any of them; when the article was split between segments
    (each writing process takes a share of a batch), its postings are scanned instead. A
    search of the whole index for the pair of terms cost 4 ms a result on Reuters-21578.
    """
    cols = columns(searcher)
    if "headline" not in cols.kind.values:
        return None
    headline = cols.kind.values.index("headline")
    article = cols.article.codes[docnum]
    reader = searcher.reader()

    def is_headline(d: int) -> bool:
        return (
            0 <= d < len(cols.position)
            and cols.article.codes[d] == article
            and cols.kind.codes[d] == headline
            and not reader.is_deleted(d)
        )

    guess = docnum - int(cols.position[docnum])
    if is_headline(guess):
        return guess
    postings = reader.postings("article_id", cols.article.values[article])
    return next((int(d) for d in postings.all_ids() if is_headline(int(d))), None)
