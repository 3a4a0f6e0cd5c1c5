"""Stories from per-segment blocks: the same stories as building from scratch, and a commit
reading only what it added (issue 15 follow-up: the first search after a commit)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import Article, article_from_json, delete_articles, index_articles, open_index
from indexer.engine.whoosh import writer as store
from indexer.engine.whoosh.arrays.term_scores import generation_cache
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.stories import searcher_stories, segment_block
from indexer.lineage.fingerprint import fingerprint
from indexer.lineage.stories import StoryBlock, StoryRecord, build_stories, stories_of_blocks
from indexer.writing import ArticleWriter

from .corpus import article, body, copy_of, grouping
from .test_stories import CORPUS, STORIES


def _record(n: int, base: int, seed: int, day: int | None) -> StoryRecord:
    paragraphs = copy_of(body(base), seed, 0.05) if seed else body(base)
    a = Article(id=f"x{n:02d}", paragraphs=tuple(paragraphs))
    when = datetime(2023, 10, day, tzinfo=UTC) if day else None
    return StoryRecord(a.id, when, None, None, fingerprint(a))


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.integers(1, 4),  # which body
            st.integers(0, 30),  # 0: the body itself, else a copy's seed
            st.one_of(st.none(), st.integers(1, 28)),
            st.integers(0, 2),  # which block
            st.booleans(),  # deleted
        ),
        min_size=1,
        max_size=14,
    )
)
def test_blocks_with_deletions_give_the_stories_of_the_live_records(
    data: list[tuple[int, int, int | None, int, bool]],
) -> None:
    records = [_record(n, base, seed, day) for n, (base, seed, day, _, _) in enumerate(data)]
    blocks = []
    for k in range(3):
        rows = [n for n, row in enumerate(data) if row[3] == k]
        block = StoryBlock.of(records[n] for n in rows)
        blocks.append((block, [not data[n][4] for n in rows]))
    live = [r for r, row in zip(records, data, strict=True) if not row[4]]
    found = stories_of_blocks([(b, np.array(m, dtype=np.bool_)) for b, m in blocks])
    expected = build_stories(live)
    assert len(found) == len(expected)
    for r, row in zip(records, data, strict=True):
        if row[4]:
            assert found.story_of(r.article_id) is None  # a deleted article is in no story
            continue
        sid = found.story_of(r.article_id)
        assert sid == expected.story_of(r.article_id)
        assert found.members(sid or "") == expected.members(sid or "")
        assert found.similarity(live[0].article_id, r.article_id) == expected.similarity(
            live[0].article_id, r.article_id
        )


def _segments(path: Path) -> list[Any]:
    with WhooshEngine(path) as ix, ix.searcher() as searcher:
        return [segment_block(sub.reader())[0] for sub, _ in searcher.leaf_searchers()]


def test_a_commit_reads_the_fingerprints_of_its_new_segment_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # keep every batch's segment (small segments are otherwise folded into the next one)
    monkeypatch.setattr(store, "MERGE_BELOW_DOCS", 0)
    path = tmp_path / "index"
    index_articles(path, (article_from_json(r) for r in CORPUS))
    with open_index(path) as ix, WhooshEngine(path) as engine:
        assert grouping(ix) == STORIES
        with engine.searcher() as searcher:
            (kept,) = [segment_block(sub.reader())[0] for sub, _ in searcher.leaf_searchers()]
        # an earlier copy of story A arrives alone in a commit: it takes the lead
        with ArticleWriter(path) as writer:
            writer.add(article_from_json(article("a0", copy_of(body(1), 7), 1, "UPI")))
        with engine.searcher() as searcher:
            blocks = [segment_block(sub.reader())[0] for sub, _ in searcher.leaf_searchers()]
            assert len(blocks) == 2 and blocks[0] is kept  # the kept segment was not re-read
            assert [r.article_id for r in blocks[1].records] == ["a0"]
            assert (
                searcher_stories(searcher)
                .members(searcher_stories(searcher).story_of("a1") or "")[0]
                .article_id
                == "a0"
            )
        assert ix.story("a2").lead.article_id == "a0"  # type: ignore[union-attr]
        # a delete is this generation's mask over the kept blocks: nothing is re-read
        delete_articles(path, ["a0", "b1"])
        with engine.searcher() as searcher:
            after = [segment_block(sub.reader())[0] for sub, _ in searcher.leaf_searchers()]
            assert after[0] is kept
        assert grouping(ix) == STORIES - {frozenset({"b0", "b1", "b2"})} | {frozenset({"b0", "b2"})}
        assert ix.story("a2").lead.article_id == "a1"  # type: ignore[union-attr]


def test_a_new_generation_has_its_stories_before_any_search_asks(tmp_path: Path) -> None:
    """Built when the generation opens, where searches meanwhile read the previous one (up to
    OPEN_WAIT), not by a search after its deadline started."""
    path = tmp_path / "index"
    index_articles(path, (article_from_json(r) for r in CORPUS))
    with WhooshEngine(path) as engine:
        with engine.searcher() as searcher:
            assert "story_codes" in generation_cache(searcher)
        with ArticleWriter(path) as writer:
            writer.add(article_from_json(article("a0", copy_of(body(1), 7), 1, "UPI")))
        with engine.searcher() as searcher:
            store = generation_cache(searcher)
            assert "story_codes" in store
            assert store["stories"].story_of("a1") == store["stories"].story_of("a0")
