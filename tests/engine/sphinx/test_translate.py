"""Query tree -> SphinxQL: only our operators reach the server, whatever is typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import QueryError, article_from_json, index_articles, open_index
from indexer.engine.sphinx.translate import translate
from indexer.query.parser import parse_query

from .conftest import StartCluster

#: What our expressions are made of: words of the index's charset inside quotes, our field
#: names after @, brackets, |, -, *, spaces and MAYBE
_SAFE = re.compile(
    r'^(?:[()|\- ]|@(?:text|headline|credit|byline|dateline|meta)|MAYBE|"[^"\\\'@()|!~<>=/^$-]*")*$'
)

HOSTILE = [
    "harbour') OR 1=1 --",
    'harbour" | @* nfall',
    "harbour \\' \\\\ MAYBE NEAR/3 zone",
    "@headline harbour",
    "harbour ~ ^ $ = < > / !",
    "maybe near sentence paragraph zone harbour",
    "harbour'; DROP TABLE shard; --",
    "harbour\x00\x1a",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_text_becomes_quoted_words_only(query: str) -> None:
    try:
        match = translate(parse_query(query)).match
    except QueryError:
        return
    assert _SAFE.fullmatch(match), match


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_text_translates_to_a_safe_expression(query: str) -> None:
    try:
        match = translate(parse_query(query)).match
    except QueryError:
        return
    assert _SAFE.fullmatch(match), (query, match)


def test_hostile_queries_run_as_words_on_a_real_cluster(
    new_cluster: StartCluster, tmp_path: Path
) -> None:
    location, _ = new_cluster()
    report = index_articles(
        location,
        [article_from_json({"id": "a", "headline": "Harbour", "paragraphs": ["zone harbour"]})],
    )
    assert report.failed == 0
    ran = 0
    with open_index(location) as ix:
        for query in HOSTILE:
            try:
                results = ix.search(query)
            except QueryError:
                continue  # refused by our parser, as on every engine
            assert results.total_articles == 1, query
            ran += 1
        assert ix.stats().documents == 2  # nothing was dropped or changed
    assert ran >= 4  # "NEAR/3" is our operator since issue 14: refused here (no "near")


@pytest.mark.parametrize(
    "query", ["oil prices", "+opec oil -gold", "headline:summit leaders", '"crude oil" OR brent']
)
def test_counting_matches_the_same_documents_without_the_headline_ranking(query: str) -> None:
    """Facets only count: they match ``matching``, the expression without the headline's
    MAYBE (which never adds a document, only ranks), so the servers read fewer postings."""
    found = translate(parse_query(query))
    assert "@headline" not in found.matching.replace("(@meta nfkindheadline)", "")
    assert found.match in (
        found.matching,
        f"({found.matching} MAYBE {found.match.split(' MAYBE ')[-1]}",
    )


def test_facets_and_totals_agree_with_the_page_on_a_real_cluster(
    new_cluster: StartCluster,
) -> None:
    """Counts from the cheaper expression are the page's: every hit counted once."""
    location, _ = new_cluster()
    items = [
        {
            "id": f"m{i}",
            "headline": "Oil prices climb" if i % 2 else "Markets calm",
            "paragraphs": ["Oil traders watched prices.", "Nothing else moved."],
        }
        for i in range(8)
    ]
    index_articles(location, [article_from_json(a) for a in items])
    with open_index(location) as ix:
        found = ix.search("oil prices", per_page=50)
    # 8 paragraphs and 4 headlines hold the words; "Markets calm" headlines never match
    assert found.total_hits == 12 == sum(found.facets["kind"].values())
    assert found.total_articles == 8 == len(found.results)
