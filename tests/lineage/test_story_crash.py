"""A crash mid-batch leaves stories consistent with the articles the index holds.

Stories are worked out from the fingerprints stored in each article's own documents, so after
SIGKILL inside a commit (driven as in tests/test_crash.py) the stories must be exactly those of
the articles that survived, and a re-run must end with the stories of a clean build.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import article_from_json, index_articles, open_index
from indexer.lineage.fingerprint import fingerprint
from indexer.lineage.stories import StoryRecord, build_stories
from tests.test_crash import KILL_DRIVER

from .corpus import article, body, copy_of, grouping

#: commits of this many articles: the corpus takes several
BATCH = 6


def stories_corpus() -> list[dict[str, object]]:
    """Eight stories of three copies, interleaved so every batch holds parts of several."""
    raws = []
    for c in range(3):
        for s in range(8):
            paragraphs = body(200 + s) if c == 0 else copy_of(body(200 + s), 10 * s + c)
            raws.append(article(f"s{s}-c{c}", paragraphs, None if c == 2 else 10 + c))
    return raws


def expected_grouping(index_dir: Path) -> set[frozenset[str]]:
    """The stories of the articles the index holds, worked out from the articles themselves."""
    with open_index(index_dir) as ix:
        records = []
        for article_id in ix.article_ids():
            a = ix.article(article_id)
            assert a is not None
            records.append(StoryRecord(a.id, a.published, a.source, a.headline, fingerprint(a)))
    stories = build_stories(records)
    groups: dict[str, set[str]] = {}
    for r in records:
        groups.setdefault(stories.story_of(r.article_id) or "", set()).add(r.article_id)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.parametrize("stage", ["before-toc", "toc-not-renamed", "before-cleanup"])
def test_a_kill_inside_a_commit_leaves_stories_consistent(tmp_path: Path, stage: str) -> None:
    raws = stories_corpus()
    jsonl = tmp_path / "stories.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in raws), encoding="utf-8")
    index_dir = tmp_path / "index"
    driver = tmp_path / "driver.py"
    driver.write_text(KILL_DRIVER, encoding="utf-8")
    killed = subprocess.run(
        [sys.executable, str(driver), stage, "3", "--batch", str(BATCH), str(jsonl),
         str(index_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    with open_index(index_dir) as ix:
        held = len(ix.article_ids())
        assert 0 < held < len(raws)
        assert grouping(ix) == expected_grouping(index_dir)
    index_articles(index_dir, (article_from_json(r) for r in raws), batch_articles=BATCH)
    with open_index(index_dir) as ix:
        assert grouping(ix) == {frozenset(f"s{s}-c{c}" for c in range(3)) for s in range(8)}
        leads = {ix.story(a).lead.article_id for a in ix.article_ids()}  # type: ignore[union-attr]
        assert leads == {f"s{s}-c0" for s in range(8)}
