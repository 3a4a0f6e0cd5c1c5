"""Stories on a real index: copies grouped, leads, order independence, updates and deletes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import article_from_json, delete_articles, index_articles, open_index
from indexer.lineage.fingerprint import fingerprint
from indexer.lineage.stories import StoryRecord, build_stories
from indexer.writing import ArticleWriter

from .corpus import article, body, copy_of, grouping

A, B = body(1), body(2)

#: two stories of three copies each, one article alone; dates chosen so the leads are known
CORPUS = [
    article("a2", copy_of(A, 1), 5, "Times"),
    article("a1", A, 3, "AP"),
    article("a3", copy_of(A, 2, 0.08), None, "Globe"),
    article("b1", B, 9, "Reuters"),
    article("b2", copy_of(B, 3), 9, "AFP"),
    article("b0", copy_of(B, 4, 0.05), None, "Le Monde"),
    article("c1", body(3), 1, "AP"),
]
STORIES = {frozenset({"a1", "a2", "a3"}), frozenset({"b0", "b1", "b2"}), frozenset({"c1"})}


def build(tmp: Path, raws: list[dict[str, Any]], batch: int = 1000) -> Path:
    index_dir = tmp / "index"
    index_articles(index_dir, (article_from_json(r) for r in raws), batch_articles=batch)
    return index_dir


def test_copies_share_a_story_and_the_earliest_leads(tmp_path: Path) -> None:
    with open_index(build(tmp_path, CORPUS)) as ix:
        assert grouping(ix) == STORIES
        story = ix.story("a3")
        assert story is not None
        assert story.lead.article_id == "a1"
        # oldest first, the undated copy last
        assert [c.article_id for c in story.copies] == ["a1", "a2", "a3"]
        assert story.copies[0].similarity == 1.0
        assert all(c.similarity is not None and c.similarity >= 0.3 for c in story.copies)


def test_undated_copies_never_lead_and_ties_go_to_the_smaller_id(tmp_path: Path) -> None:
    with open_index(build(tmp_path, CORPUS)) as ix:
        story = ix.story("b0")
        assert story is not None
        # b0 is undated (never leads); b1 and b2 share a date: the smaller id leads
        assert [c.article_id for c in story.copies] == ["b1", "b2", "b0"]
        assert ix.story("c1") is not None and ix.story("c1").size == 1  # type: ignore[union-attr]
        assert ix.story("nope") is None


def test_story_id_names_the_lead(tmp_path: Path) -> None:
    with open_index(build(tmp_path, CORPUS)) as ix:
        ids = {ix.story(a).story_id for a in ("a1", "a2", "a3")}  # type: ignore[union-attr]
        assert len(ids) == 1
        assert ids != {ix.story("b1").story_id}  # type: ignore[union-attr]


@settings(max_examples=12, deadline=None)
@given(order=st.permutations(range(len(CORPUS))), batch=st.integers(1, 4))
def test_stories_do_not_depend_on_arrival_order(order: list[int], batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = build(Path(tmp), [CORPUS[i] for i in order], batch)
        with open_index(index_dir) as ix:
            assert grouping(ix) == STORIES
            leads = {ix.story(a).lead.article_id for a in ix.article_ids()}  # type: ignore[union-attr]
            assert leads == {"a1", "b1", "c1"}


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 30), st.one_of(st.none(), st.integers(1, 28))),
        min_size=1,
        max_size=14,
    ),
    shuffle=st.randoms(use_true_random=False),
)
def test_build_stories_is_a_function_of_the_set(
    data: list[tuple[int, int, int | None]], shuffle: Any
) -> None:
    """Many small corpora: copies of up to six bodies; the same set in another order gives the
    same groups, leads and ids."""
    from datetime import UTC, datetime

    from indexer import Article

    records = []
    for n, (base, seed, day) in enumerate(data):
        paragraphs = copy_of(body(base), seed, 0.05) if seed else body(base)
        a = Article(id=f"x{n}", paragraphs=tuple(paragraphs))
        when = datetime(2023, 10, day, tzinfo=UTC) if day else None
        records.append(StoryRecord(a.id, when, None, None, fingerprint(a)))
    other = list(records)
    shuffle.shuffle(other)
    first, second = build_stories(records), build_stories(other)
    for r in records:
        assert first.story_of(r.article_id) == second.story_of(r.article_id)
        members = first.members(first.story_of(r.article_id) or "")
        assert members == second.members(second.story_of(r.article_id) or "")
        # copies of one body always end in one story, distinct bodies never do
        bases = {data[int(m.article_id[1:])][0] for m in members}
        assert bases == {data[int(r.article_id[1:])][0]}


def test_deleting_the_lead_promotes_the_next_earliest(tmp_path: Path) -> None:
    index_dir = build(tmp_path, CORPUS)
    with open_index(index_dir) as ix:
        before = ix.story("a2").story_id  # type: ignore[union-attr]
    assert delete_articles(index_dir, ["a1"]) == (["a1"], [])
    with open_index(index_dir) as ix:
        story = ix.story("a2")
        assert story is not None
        assert [c.article_id for c in story.copies] == ["a2", "a3"]
        assert story.lead.article_id == "a2"
        assert story.story_id != before  # the id follows the lead
        assert grouping(ix) == (STORIES - {frozenset({"a1", "a2", "a3"})}) | {
            frozenset({"a2", "a3"})
        }


def test_an_update_moves_the_article_in_the_same_commit(tmp_path: Path) -> None:
    index_dir = build(tmp_path, CORPUS)
    changed = dict(CORPUS[0], paragraphs=copy_of(B, 9))  # a2 now copies story B
    with ArticleWriter(index_dir) as writer:
        assert writer.add(article_from_json(changed)) == "updated"
    with open_index(index_dir) as ix:
        assert grouping(ix) == {
            frozenset({"a1", "a3"}),
            frozenset({"a2", "b0", "b1", "b2"}),
            frozenset({"c1"}),
        }


def test_reindexing_changes_nothing(tmp_path: Path) -> None:
    index_dir = build(tmp_path, CORPUS)
    with open_index(index_dir) as ix:
        first = {a: ix.story(a) for a in ix.article_ids()}
    report = index_articles(index_dir, (article_from_json(r) for r in CORPUS))
    assert report.unchanged == len(CORPUS) and report.added == report.updated == 0
    with open_index(index_dir) as ix:
        assert {a: ix.story(a) for a in ix.article_ids()} == first
