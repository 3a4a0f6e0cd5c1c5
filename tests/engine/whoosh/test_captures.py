"""Captures (the crawl dates of WARC input) in the Whoosh index: stored, filtered, sorted, and an
index made before the fields existed gains them at its next write."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

from indexer import index_articles, open_index
from indexer.engine.base import CAPABILITIES, needed_capabilities
from indexer.engine.whoosh.schema import make_schema
from indexer.model import Article
from indexer.query.parser import parse_query


def _article(n: int, *captures: str) -> Article:
    return Article(
        id=f"https://example.com/{n}",
        headline=f"Harbour story {n}",
        paragraphs=(f"The harbour quay story number {n}.",),
        url=f"https://example.com/{n}",
        captures=tuple(datetime.fromisoformat(c).replace(tzinfo=UTC) for c in captures),
    )


def _ids(path: Path, query: str, sort: str = "relevance") -> list[str]:
    return [r.article_id for r in open_index(path).search(query, sort=sort).results]


def test_crawled_filters_on_any_capture_and_sorts_on_the_first(tmp_path: Path) -> None:
    index_articles(
        tmp_path,
        [
            _article(1, "2024-01-10T00:00:00", "2024-06-01T00:00:00"),
            _article(2, "2024-03-01T00:00:00"),
            _article(3),
        ],
    )
    assert _ids(tmp_path, "harbour crawled:2024-06") == ["https://example.com/1"]
    assert sorted(_ids(tmp_path, "harbour crawled:2024-01..2024-03-31")) == [
        "https://example.com/1",
        "https://example.com/2",
    ]
    assert _ids(tmp_path, "harbour", sort="crawled") == [
        "https://example.com/2",
        "https://example.com/1",
        "https://example.com/3",
    ]
    stored = open_index(tmp_path).article("https://example.com/1")
    assert stored is not None and [c.month for c in stored.captures] == [1, 6]


def test_an_index_older_than_captures_searches_and_then_takes_them(tmp_path: Path) -> None:
    schema = make_schema()
    schema.remove("crawled")
    schema.remove("first_crawled")
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(
            doc_id="old#0", article_id="old", kind="headline", position=0, text="Harbour old"
        )
    assert _ids(tmp_path, "harbour crawled:2024") == []
    assert _ids(tmp_path, "harbour", sort="crawled") == ["old"]
    index_articles(tmp_path, [_article(1, "2024-01-10T00:00:00")])
    assert _ids(tmp_path, "harbour crawled:2024") == ["https://example.com/1"]
    assert _ids(tmp_path, "harbour", sort="crawled") == ["https://example.com/1", "old"]


def test_crawled_is_a_declared_capability() -> None:
    assert "crawled" in CAPABILITIES
    assert needed_capabilities(parse_query("harbour crawled:2024")) == {"crawled"}
    assert needed_capabilities(parse_query("harbour published:2024")) == frozenset()
