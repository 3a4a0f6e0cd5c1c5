"""The Whoosh schema: one index document per headline, paragraph, caption, note and quote.

Each document carries its article's metadata, and indexes its headline so a passage can be
ranked with it (BM25F); the headline is stored once, in the headline document (``documents``).
Columns (``sortable``) back the facets, filters and date sorts, which would otherwise need every
matching document's stored fields.
"""

from __future__ import annotations

from whoosh import analysis, fields
from whoosh.support.charset import accent_map

from ...model import KINDS

__all__ = ["KINDS", "SCHEMA_VERSION", "make_schema", "news_analyzer"]


#: Bumped when the schema changes incompatibly; stored in every index's ``schema_version`` doc.
SCHEMA_VERSION = 1


def news_analyzer() -> analysis.Analyzer:
    """English text analysis: words (keeping ``U.S.`` whole), lower-cased, accents folded so
    ``Antonio`` finds ``António``, English stop words dropped, Porter-stemmed."""
    return (
        analysis.RegexTokenizer(r"\w+(\.?\w+)*")
        | analysis.LowercaseFilter()
        | analysis.CharsetFilter(accent_map)
        | analysis.StopFilter()
        | analysis.StemFilter()
    )


def name_analyzer() -> analysis.Analyzer:
    """For names (credits, bylines, datelines): words, lower-cased, accents folded, no stemming,
    no stop words (``Ng Han Guan`` must keep every part)."""
    return (
        analysis.RegexTokenizer(r"\w+(\.?\w+)*")
        | analysis.LowercaseFilter()
        | analysis.CharsetFilter(accent_map)
    )


def one_term(field: fields.DATETIME) -> fields.DATETIME:
    """``field`` indexing one term a value, not Whoosh's eight precision tiers: for dates no
    query ranges over finely (day values, a sort column), the tiers were most of what an
    archived page's every document indexed beyond its words. Ranges still work, over one
    term per distinct value; the setting is pickled with the index's schema."""
    field.shift_step = 0
    return field


def make_schema() -> fields.Schema:
    """A fresh schema; analyzers are per-schema objects, so never share one between indexes."""
    exact = analysis.IDTokenizer() | analysis.LowercaseFilter()
    return fields.Schema(
        # shown, never looked up (articles are replaced and deleted by article_id)
        doc_id=fields.STORED(),
        article_id=fields.ID(stored=True, sortable=True),
        kind=fields.ID(stored=True, sortable=True),
        # never searched by range (the column serves sorting), so one term, not eight tiers
        position=fields.NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=0),
        # no spelling=True: "did you mean" works from the stemmed terms (suggest.py), and the
        # unstemmed copy of every passage's words cost a quarter of indexing time
        text=fields.TEXT(analyzer=news_analyzer(), stored=True, phrase=True),
        headline=fields.TEXT(analyzer=news_analyzer(), stored=True, phrase=True),
        url=fields.STORED(),
        published=fields.DATETIME(stored=True, sortable=True),
        # source matches whole values ignoring case; the column keeps the original spelling
        source=fields.ID(stored=True, sortable=True, analyzer=exact),
        byline=fields.TEXT(analyzer=name_analyzer(), stored=True),
        dateline=fields.TEXT(analyzer=name_analyzer(), stored=True),
        # captions only: the credit as words (credit:song) and as one value (facets)
        credit=fields.TEXT(analyzer=name_analyzer(), stored=True),
        credit_exact=fields.ID(sortable=True, analyzer=exact),
        photo_date=fields.DATETIME(stored=True),
        occurrences=fields.NUMERIC(int, bits=32, stored=True, shift_step=0),
        # the article's publication month, "2023-10", for the month facet
        month=fields.ID(sortable=True),
        # issue 17: the page's last change (shown, never searched) and the text's language
        # (lang: filters on it, the column counts the language facet)
        modified=fields.STORED(),
        language=fields.ID(stored=True, sortable=True),
        content_hash=fields.STORED(),
        # quotes only: who said it, as words (speaker:putin) and as one key (facets), and the
        # position of the paragraph it is in with the quoted words' offsets there
        speaker=fields.TEXT(analyzer=name_analyzer(), stored=True),
        speaker_key=fields.ID(sortable=True, analyzer=exact),
        quote_of=fields.NUMERIC(int, bits=32, stored=True, shift_step=0),
        quote_start=fields.STORED(),
        quote_end=fields.STORED(),
        # WARC captures: the UTC day of every capture (crawled: filters, whose spans are whole
        # days), the exact times on the article's first document (shown, replay links), the
        # first capture for sort=crawled (its column); indexes before these keep ``crawled``
        # as the exact times in eight-tier terms, which read and filter the same
        crawled=one_term(fields.DATETIME()),
        captures=fields.STORED(),
        first_crawled=one_term(fields.DATETIME(sortable=True)),
        # the article's fingerprint (``indexer.lineage``), on its first document only
        lineage=fields.STORED(),
    )
