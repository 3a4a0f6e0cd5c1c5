"""Captures (the crawl dates of WARC input) in the Whoosh index: stored, filtered, sorted, and an
index made before the fields existed gains them at its next write."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import fields
from whoosh import index as whoosh_index

from indexer import index_articles, open_index
from indexer.engine.base import CAPABILITIES, needed_capabilities
from indexer.engine.whoosh.documents import article_documents, to_naive_utc
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
    schema.remove("captures")
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


def test_crawled_indexes_one_term_a_capture_day_and_keeps_the_exact_times(tmp_path: Path) -> None:
    times = ("2024-01-10T08:00:05", "2024-01-10T20:30:00", "2024-06-01T00:00:00")
    index_articles(tmp_path, [_article(1, *times), _article(2, "2024-01-10T09:30:00")])
    with whoosh_index.open_dir(str(tmp_path)).reader() as reader:
        # two capture days; two first captures (sort=crawled's column), one term each
        assert len(list(reader.lexicon("crawled"))) == 2
        assert len(list(reader.lexicon("first_crawled"))) == 2
    stored = open_index(tmp_path).article("https://example.com/1")
    assert stored is not None
    assert [c.isoformat() for c in stored.captures] == [f"{t}+00:00" for t in times]


def test_crawled_spans_take_the_capture_day_in_utc(tmp_path: Path) -> None:
    late = Article(
        id="https://example.com/late",
        headline="Harbour late",
        paragraphs=("The harbour quay at night.",),
        # 21:00 UTC on 31 January
        captures=(datetime.fromisoformat("2024-02-01T02:00:00+05:00"),),
    )
    index_articles(tmp_path, [late, _article(2, "2024-02-01T00:00:00")])
    assert _ids(tmp_path, "harbour crawled:2024-01") == ["https://example.com/late"]
    assert _ids(tmp_path, "harbour crawled:2024-01-31") == ["https://example.com/late"]
    assert _ids(tmp_path, "harbour crawled:>2024-01-31") == ["https://example.com/2"]
    assert _ids(tmp_path, "harbour crawled:<2024-02-01") == ["https://example.com/late"]
    assert _ids(tmp_path, "harbour crawled:>9999-12-31") == []


def _previous_schema() -> Any:
    """The schema before capture days: ``crawled`` the exact times in eight-tier terms,
    stored on every document, and no ``captures``."""
    schema = make_schema()
    for name in ("crawled", "captures", "first_crawled"):
        schema.remove(name)
    schema.add("crawled", fields.DATETIME(stored=True))
    schema.add("first_crawled", fields.DATETIME(sortable=True))
    return schema


def test_an_index_of_the_previous_schema_reads_and_filters_its_captures(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), _previous_schema())
    old = _article(1, "2024-01-10T08:00:05", "2024-06-01T10:00:00")
    with ix.writer() as writer:
        for doc in article_documents(old, "old"):
            doc.pop("captures", None)
            doc["crawled"] = [to_naive_utc(c) for c in old.captures]
            writer.add_document(**doc)
    stored = open_index(tmp_path).article(old.id)
    assert stored is not None and stored.captures == old.captures
    assert _ids(tmp_path, "harbour crawled:2024-06-01") == [old.id]
    index_articles(tmp_path, [_article(2, "2024-06-01T23:00:00")])
    assert sorted(_ids(tmp_path, "harbour crawled:2024-06-01")) == [old.id, _article(2).id]
    assert _ids(tmp_path, "harbour crawled:2024-01") == [old.id]
    assert _ids(tmp_path, "harbour", sort="crawled") == [_article(2).id, old.id]
    new = open_index(tmp_path).article(_article(2).id)
    assert new is not None and [c.hour for c in new.captures] == [23]
