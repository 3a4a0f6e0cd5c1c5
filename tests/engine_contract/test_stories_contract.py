"""The "stories" capability, once per engine: copies grouped, collapse, story:ID, a delete.

An engine that does not declare "stories" must refuse ``story:ID`` and answer collapsed
searches uncollapsed (``total_stories`` None); one that declares it must agree with these.
"""

from __future__ import annotations

from typing import Any

from indexer import delete_articles, open_index
from tests.lineage.corpus import article, body, copy_of

from .conftest import MakeIndex, build, needs

WORD = "zandorf"


def corpus() -> list[dict[str, Any]]:
    raws = []
    for s in range(3):
        for c in range(s + 1):
            paragraphs = body(400 + s) if c == 0 else copy_of(body(400 + s), 5 * s + c)
            paragraphs = [f"{paragraphs[0]} {WORD}", *paragraphs[1:]]
            raws.append(article(f"s{s}-c{c}", paragraphs, 1 + c))
    return raws


def test_collapse_and_story_queries(make_index: MakeIndex) -> None:
    ix = make_index(corpus())
    needs(ix, "stories", "story:000000000000")
    grouped = ix.search(WORD, per_page=100)
    assert grouped.total_articles == 6 and grouped.total_stories == 3
    assert sorted(r.article_id.split("-")[0] for r in grouped.results) == ["s0", "s1", "s2"]
    every = ix.search(WORD, per_page=100, collapse="none")
    assert len(every.results) == 6 and every.total_stories == 3
    story = ix.story("s2-c1")
    assert story is not None and story.lead.article_id == "s2-c0"
    listed = ix.search(f"story:{story.story_id}", per_page=100)
    assert [r.article_id for r in listed.results] == ["s2-c0", "s2-c1", "s2-c2"]


def test_deleting_a_lead_promotes_the_next(location: str) -> None:
    build(location, corpus())
    with open_index(location) as ix:
        needs(ix, "stories")
    delete_articles(location, ["s2-c0"])
    with open_index(location) as ix:
        story = ix.story("s2-c2")
        assert story is not None and story.lead.article_id == "s2-c1"
