"""Writing the index: documents per article, idempotent re-indexing, updates, deletes, locks."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from indexer import IndexLocked, IndexNotFound, article_from_json, open_index
from indexer.writing import ArticleWriter, delete_articles, index_articles


def _article(**overrides):
    base = {
        "id": "a1",
        "headline": "Harbour reopens after storm",
        "published": "2024-02-01T10:00:00Z",
        "source": "Coast Times",
        "paragraphs": ["The harbour reopened on Thursday.", "Fishing boats returned."],
        "captions": [{"text": "Boats in the harbour.", "credit": "Ann Lee/Coast Times"}],
        "notes": ["Reporting by Ann Lee."],
    }
    base.update(overrides)
    return article_from_json(base)


def test_seed_documents(seed_index):
    with open_index(seed_index) as ix:
        stats = ix.stats()
        assert stats.to_json() == {
            "articles": 1,
            "documents": 54,
            "kinds": {"headline": 1, "paragraph": 24, "caption": 18, "note": 1, "quote": 10},
        }
        (article_id,) = ix.article_ids()
    raw = whoosh_index.open_dir(str(seed_index))
    with raw.searcher() as s:
        docs = sorted(s.documents(article_id=article_id), key=lambda d: d["position"])
    assert [d["kind"] for d in docs[:3]] == ["headline", "caption", "caption"]
    assert [d["position"] for d in docs] == list(range(54))
    assert len({d["doc_id"] for d in docs}) == 54
    caption = docs[1]
    assert caption["credit"] == "Sergey Savostyanov, Sputnik, Kremlin Pool Photo via AP"
    assert caption["photo_date"] == datetime(2023, 10, 17)
    assert caption["occurrences"] == 9
    assert docs[43]["kind"] == "note"
    # the quotations follow every other passage, so adding them moved no position
    assert {d["kind"] for d in docs[44:]} == {"quote"}
    # every passage carries its article's metadata for ranking and display; the headline is
    # stored once, as the headline document's text (every passage indexes it for ranking)
    assert docs[0]["text"].startswith("Putin begins visit")
    assert not any("headline" in d for d in docs)
    assert all(d["source"] == "AP" and d["dateline"] == "TAIPEI, Taiwan" for d in docs)


def test_article_round_trip(tmp_path):
    original = _article()
    index_articles(tmp_path / "ix", [original])
    with open_index(tmp_path / "ix") as ix:
        assert ix.article("a1") == original
        assert ix.article("missing") is None


def test_reindex_unchanged_changes_nothing(tmp_path):
    path = tmp_path / "ix"
    first = index_articles(path, [_article()])
    assert (first.added, first.documents) == (1, 5)
    generation = whoosh_index.open_dir(str(path)).latest_generation()
    again = index_articles(path, [_article()])
    assert (again.added, again.updated, again.unchanged, again.documents) == (0, 0, 1, 0)
    # not even an empty commit: the index generation is the same
    assert whoosh_index.open_dir(str(path)).latest_generation() == generation


def test_changed_article_replaces_all_documents(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article()])
    changed = _article(paragraphs=["Only one paragraph now."], captions=[], notes=[])
    report = index_articles(path, [changed])
    assert (report.added, report.updated, report.documents) == (0, 1, 2)
    with open_index(path) as ix:
        assert ix.stats().kinds == {
            "headline": 1, "paragraph": 1, "caption": 0, "note": 0, "quote": 0,
        }  # fmt: skip
        assert ix.article("a1") == changed


def test_two_versions_in_one_batch_keep_the_last(tmp_path):
    path = tmp_path / "ix"
    v2 = _article(headline="Harbour reopens after storm, boats return")
    report = index_articles(path, [_article(), v2])
    assert (report.added, report.updated) == (1, 1)
    with open_index(path) as ix:
        assert ix.stats().documents == 5
        assert ix.article("a1") == v2


def test_batches_commit_every_n_articles(tmp_path):
    path = tmp_path / "ix"
    articles = [_article(id=f"a{i}") for i in range(7)]
    report = index_articles(path, articles, batch_articles=3)
    assert report.added == 7
    with open_index(path) as ix:
        assert ix.stats().articles == 7
        assert ix.stats().documents == 35


def test_delete(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article(), _article(id="a2")])
    deleted, missing = delete_articles(path, ["a1", "nope"])
    assert (deleted, missing) == (["a1"], ["nope"])
    with open_index(path) as ix:
        assert ix.article_ids() == ["a2"]
        assert ix.stats().documents == 5


def test_delete_without_index(tmp_path):
    with pytest.raises(IndexNotFound):
        delete_articles(tmp_path / "none", ["a1"])
    with pytest.raises(IndexNotFound, match="no index at"):
        open_index(tmp_path / "none")


def test_second_writer_waits_then_fails_clearly(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article()])
    with ArticleWriter(path):
        with pytest.raises(IndexLocked, match="another process is writing"):
            index_articles(path, [_article(id="a2")], lock_timeout=0.5)
    # once the first writer is done, the second one goes through
    assert index_articles(path, [_article(id="a2")], lock_timeout=0.5).added == 1


def test_failed_writer_leaves_previous_commit(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article()])
    with pytest.raises(RuntimeError):
        with ArticleWriter(path) as writer:
            writer.add(_article(id="a2"))
            raise RuntimeError("crash mid-batch")
    with open_index(path) as ix:
        assert ix.article_ids() == ["a1"]


def test_export_then_reindex_gives_the_same_articles(seed_index, tmp_path):
    with open_index(seed_index) as ix:
        exported = [json.loads(json.dumps(a.to_json())) for a in ix.articles()]
        originals = list(ix.articles())
    rebuilt = tmp_path / "rebuilt"
    index_articles(rebuilt, [article_from_json(obj) for obj in exported])
    with open_index(rebuilt) as ix:
        assert list(ix.articles()) == originals
        assert ix.stats() == open_index(seed_index).stats()


def test_reader_sees_new_commits_without_reopening(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article()])
    with open_index(path) as ix:
        assert ix.stats().articles == 1
        index_articles(path, [_article(id="a2")])
        assert ix.stats().articles == 2


def test_published_stored_as_utc(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article(published="2024-02-01T23:30:00-05:00")])
    with open_index(path) as ix:
        article = ix.article("a1")
    assert article is not None and article.published == datetime(2024, 2, 2, 4, 30, tzinfo=UTC)
    assert article.captions[0].date is None
    assert date(2024, 2, 2) == article.published.date()



def test_stats_are_kept_per_commit_and_follow_deletes(tmp_path):
    path = tmp_path / "ix"
    index_articles(path, [_article(), _article(id="a2")])
    with open_index(path) as ix:
        first = ix.stats()
        assert ix.stats() is first  # no new commit: the same counts, not counted again
        delete_articles(path, ["a1"])
        after = ix.stats()
        assert (after.articles, after.documents) == (1, 5)


def _segment_sizes(path: Path) -> list[int]:
    from indexer.engine.whoosh.writer import open_whoosh

    with open_whoosh(path).reader() as reader:
        return sorted(r.doc_count_all() for r, _ in reader.leaf_readers())


def _small_articles(prefix: str, n: int) -> list[Any]:
    return [
        article_from_json({"id": f"{prefix}{i}", "headline": f"Note {i}", "paragraphs": ["Ferry."]})
        for i in range(n)
    ]


def test_small_segments_fold_together_at_each_commit(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    for batch in range(4):
        index_articles(path, _small_articles(f"b{batch}-", 3))
    # four commits of six documents each: every commit folded the small ones into its own
    assert _segment_sizes(path) == [24]


def test_large_segments_are_never_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoosh's default policy merged 27 of 28 similar segments in one go at a million passages;
    segments past MERGE_BELOW_DOCS stay as written."""
    from indexer.engine.whoosh import writer as store

    monkeypatch.setattr(store, "MERGE_BELOW_DOCS", 5)
    path = tmp_path / "ix"
    for batch in range(3):
        index_articles(path, _small_articles(f"b{batch}-", 4))
    assert _segment_sizes(path) == [8, 8, 8]
    index_articles(path, _small_articles("tiny-", 1))
    index_articles(path, _small_articles("tinier-", 1))
    # the two 2-document segments (under the bound) were folded into one
    assert _segment_sizes(path) == [4, 8, 8, 8]


def test_article_repeated_across_batches_of_a_new_index(tmp_path: Path) -> None:
    """A bulk load into a new index does not look articles up in the index; one seen in an
    earlier batch of the same run still counts as unchanged or updated, never twice."""
    path = tmp_path / "ix"
    changed = _article(id="a2", paragraphs=["Now one paragraph."], captions=[], notes=[])
    items = [_article(id="a1"), _article(id="a2"), _article(id="a3"), _article(id="a1"), changed]
    report = index_articles(path, items, batch_articles=2)
    assert (report.added, report.updated, report.unchanged) == (3, 1, 1)
    with open_index(path) as ix:
        assert ix.stats().articles == 3
        assert ix.stats().documents == 5 + 2 + 5
        assert ix.article("a2") == changed


def test_bulk_load_into_new_index_opens_no_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-batch reader maps every segment (most of the parent's memory at a million
    passages, docs/performance.md); a new index has nothing to compare with."""
    from whoosh.writing import SegmentWriter

    opened = []
    original = SegmentWriter.reader

    def counting(self: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return original(self, **kwargs)

    monkeypatch.setattr(SegmentWriter, "reader", counting)
    path = tmp_path / "ix"
    report = index_articles(path, [_article(id=f"a{i}") for i in range(6)], batch_articles=2)
    assert report.added == 6 and opened == []
    again = index_articles(path, [_article(id="a1")])
    assert again.unchanged == 1 and opened == [1]


def test_writer_started_on_empty_index_sees_a_commit_made_before_its_first_batch(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ix"
    writer = ArticleWriter(path, batch_articles=1)
    # another writer commits between this one's creation and its first batch
    index_articles(path, [_article(id="a1")])
    with writer:
        assert writer.add(_article(id="a1")) == "unchanged"
        assert writer.add(_article(id="a2")) == "added"
    with open_index(path) as ix:
        assert (ix.stats().articles, ix.stats().documents) == (2, 10)


def _mapped_index_files(path: Path) -> int:
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("needs /proc/self/maps (Linux) to see which files are mapped")
    return sum(str(path) in line for line in maps.read_text().splitlines())


def test_update_run_unmaps_the_index_at_each_commit(tmp_path: Path) -> None:
    """Updating an existing index opens a reader per batch to find stored versions; it is closed
    at the commit, so segments stay mapped only while a batch needs them."""
    path = tmp_path / "ix"
    index_articles(path, [_article(id=f"a{i}") for i in range(4)], batch_articles=2)
    mapped_after_commit = []

    def each(report: Any) -> None:
        mapped_after_commit.append(_mapped_index_files(path))

    updates = [_article(id=f"a{i}", headline=f"Harbour update {i}") for i in range(4)]
    report = index_articles(path, updates, batch_articles=1, on_article=each)
    assert report.updated == 4
    assert mapped_after_commit == [0, 0, 0, 0]
