"""'Did you mean' only when the correction finds clearly more: never beside good results."""

from __future__ import annotations

from typing import Any

from indexer import open_index

ARTICLES = (
    [{"id": f"clove{i}", "headline": f"Zanzibar clove harvest {i}"} for i in range(3)]
    + [{"id": f"clive{i}", "headline": f"Clive speaks {i}"} for i in range(40)]
    + [{"id": f"zc{i}", "headline": f"Zanzibar ferry {i}", "paragraphs": ["Clive of Zanzibar."]}
       for i in range(4)]
)  # fmt: skip


def test_no_suggestion_beside_what_was_asked_for(build_index: Any) -> None:
    with open_index(build_index(articles=ARTICLES)) as ix:
        # "clove" is rare and "clive" common, but every clove article is what was asked for
        results = ix.search("zanzibar clove")
        assert {r.article_id for r in results.results} >= {"clove0", "clove1", "clove2"}
        assert results.suggestion is None


def test_a_suggestion_when_it_finds_clearly_more(build_index: Any) -> None:
    with open_index(build_index(articles=ARTICLES)) as ix:
        assert ix.search("zanzibar clibe").suggestion == "zanzibar clive"
        assert ix.search("clibe").suggestion == "clive"
