"""What an engine declaring "timeline" or "stream" must do (issue 16), checked against brute
force over the contract corpus: day counts that add up, every match streamed exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC

import pytest

from indexer import NewsIndex, open_index

from .conftest import ENGINES, build, needs
from .test_contract import DOCS, HARBOUR, LIGHTHOUSE, MODELS, RESERVOIR, of


@pytest.fixture(scope="module")
def ix(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewsIndex]:
    location = ENGINES[engine](tmp_path_factory.mktemp(f"research-{engine}"))
    with open_index(build(location, MODELS)) as opened:
        yield opened


def _months(doc_ids: set[str]) -> Counter[str]:
    published = {m.id: m.published for m in MODELS}
    months: Counter[str] = Counter()
    for d in DOCS:
        when = published[d.article_id]
        if d.doc_id in doc_ids and when is not None:
            months[when.astimezone(UTC).strftime("%Y-%m")] += 1
    return months


@pytest.mark.parametrize("expected", [RESERVOIR, HARBOUR | LIGHTHOUSE], ids=["one", "or"])
def test_timeline_counts_every_match(ix: NewsIndex, expected: set[str]) -> None:
    needs(ix, "timeline")
    query = "reservoir" if expected == RESERVOIR else "harbour OR lighthouse"
    results = ix.search(query, interval="month", per_page=1)
    timeline = results.timeline
    assert timeline is not None
    hits = {p.label: p.total_hits for p in timeline.periods if p.total_hits}
    assert hits == dict(_months(expected))
    undated_hits = sum(timeline.undated_hits.values())
    assert sum(hits.values()) + undated_hits == results.total_hits == len(expected)
    articles = sum(p.articles for p in timeline.periods) + timeline.undated_articles
    assert articles == results.total_articles


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_stream_yields_every_match_once_in_order(ix: NewsIndex, sort: str) -> None:
    needs(ix, "stream")
    stream = ix.matches("harbour OR lighthouse", sort=sort)
    rows = list(stream.rows)
    assert stream.total == len(rows) == len(HARBOUR | LIGHTHOUSE)
    assert {r.doc_id for r in rows} == HARBOUR | LIGHTHOUSE
    if sort == "relevance":
        scores = [r.score for r in rows]
        assert scores == sorted(scores, reverse=True)
    else:
        dated = [r.published for r in rows if r.published is not None]
        assert dated == sorted(dated, reverse=sort == "newest")


def test_stream_restricted_to_articles(ix: NewsIndex) -> None:
    needs(ix, "stream")
    some = sorted({d.article_id for d in DOCS if d.doc_id in HARBOUR})[:2]
    stream = ix.matches("harbour", article_ids=frozenset([*some, "no-such-article"]), spans=True)
    rows = list(stream.rows)
    assert {r.doc_id for r in rows} == HARBOUR & of(*some)
    assert all(r.spans and r.text[r.spans[0][0] : r.spans[0][1]].lower().startswith("harbour")
               for r in rows)  # fmt: skip
