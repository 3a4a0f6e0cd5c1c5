"""The contract for languages (issue 17): ``lang:`` filters on an article's language, regional
tags included, and the language facet counts every matching document; an engine that does not
declare "lang" refuses the filter, one that does not declare "language-facet" leaves it out."""

from __future__ import annotations

from indexer import NewsIndex

from .conftest import MakeIndex, capabilities, needs

ARTICLES = [
    {"id": "fr", "headline": "Zorp sur la côte", "paragraphs": ["Zorp encore."], "language": "fr"},
    {"id": "br", "headline": "Zorp na praia", "language": "pt-BR"},
    {"id": "pt", "headline": "Zorp no porto", "language": "pt"},
    {"id": "none", "headline": "Zorp somewhere"},
]


def _ids(ix: NewsIndex, query: str) -> set[str]:
    return {r.article_id for r in ix.search(query, per_page=100).results}


def test_lang_filters_on_the_language(make_index: MakeIndex) -> None:
    ix = make_index(ARTICLES)
    needs(ix, "lang", probe="zorp lang:fr")
    assert _ids(ix, "zorp lang:fr") == {"fr"}
    assert _ids(ix, "zorp lang:pt") == {"br", "pt"}
    assert _ids(ix, "zorp lang:pt-br") == {"br"}
    assert _ids(ix, "zorp -lang:fr") == {"br", "pt", "none"}


def test_language_facet_counts_documents(make_index: MakeIndex) -> None:
    ix = make_index(ARTICLES)
    facets = ix.search("zorp").facets
    if "language-facet" not in capabilities(ix):
        assert "language" not in facets
        return
    # documents, not articles: the French one has a headline and a paragraph that match
    assert facets["language"] == {"fr": 2, "pt": 1, "pt-br": 1}
