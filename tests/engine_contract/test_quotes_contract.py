"""Quotations on every engine: one declaring "quotes" finds them by kind and speaker and
counts the speaker facet; one without it refuses those queries instead of answering wrongly."""

from __future__ import annotations

import pytest

from indexer import QueryError

from .conftest import MakeIndex, capabilities, needs

ARTICLES = [
    {
        "id": "talks",
        "headline": "Harbour talks end",
        "paragraphs": [
            "Mayor Jane Holt met the harbour board on Monday.",
            '"We will rebuild the pier," Holt said. "It will take two years."',
            'The board chairman, Sam Ruiz, rejected the "fast track" plan.',
            '"We have no money for it," said Sam Ruiz.',
        ],
    },
    {"id": "quiet", "headline": "Pier closed", "paragraphs": ["The pier is closed to visitors."]},
]


def test_quotes_by_kind_and_speaker(make_index: MakeIndex) -> None:
    ix = make_index(ARTICLES)
    needs(ix, "quotes", probe="speaker:holt")
    found = ix.search("kind:quote", per_page=10)
    assert (found.total_hits, found.total_articles) == (3, 1)
    holt = ix.search("speaker:holt pier")
    hits = [h for r in holt.results for h in r.hits]
    assert [(h.kind, h.speaker) for h in hits] == [("quote", "Jane Holt")]
    assert ix.search('speaker:"sam ruiz"').total_hits == 1
    assert ix.search("pier", kind="quote").total_hits == 1
    if "facets" in capabilities(ix):
        assert found.facets["speaker"] == {"jane holt": 2, "sam ruiz": 1}


def test_without_quotes_an_engine_refuses_quote_queries(make_index: MakeIndex) -> None:
    ix = make_index(ARTICLES)
    if "quotes" in capabilities(ix):
        pytest.skip("this engine declares quotes (the test above covers it)")
    for query, kind in (("speaker:holt", None), ("kind:quote", None), ("pier", "quote")):
        with pytest.raises(QueryError):
            ix.search(query, kind=kind)
