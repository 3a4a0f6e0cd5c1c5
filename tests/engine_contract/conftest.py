"""The engines the contract suite runs against, and how each gets a fresh index location.

Every test in this package takes the ``engine`` fixture (directly or through the fixtures
below), so each runs once per engine in ``ENGINES``. Adding an engine is one entry there: a
function that, given a fresh empty directory for the test, returns the location string that
``open_index``, ``index_articles``, ``ArticleWriter`` and ``delete_articles`` accept for a new,
empty index of that engine (a plain path for Whoosh; ``"sphinx://..."`` for the next one).
The suite then reads and writes only through the public API.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer import (
    Article,
    NewsIndex,
    QueryError,
    article_from_json,
    index_articles,
    open_index,
)
from indexer.engine.base import CAPABILITIES
from tests.engine.sphinx.local import start_cluster, stop_all

#: engine name -> a fresh index location inside the given empty directory
LocationFactory = Callable[[Path], str]


def _whoosh_location(base: Path) -> str:
    return str(base / "index")


def _sphinx_location(base: Path) -> str:
    """A real two-shard cluster of its own (skipped when searchd is absent); a base that does
    not exist stands for "no index there": a running head without the named index."""
    if not base.exists():
        location, _ = start_cluster(base.with_name(base.name + "-cluster"))
        return location.rsplit("/", 1)[0] + "/nfmissing"
    location, _ = start_cluster(base / "sphinx")
    return location


MakeIndex = Callable[[Iterable[Article | dict[str, Any]]], NewsIndex]

ENGINES: dict[str, LocationFactory] = {
    "whoosh": _whoosh_location,
    "sphinx": _sphinx_location,
}

#: Every capability an engine may declare (``NewsIndex.capabilities``); the suite skips, with
#: the reason, what an engine does not declare, and checks that it refuses it with QueryError.
ALL_CAPABILITIES = CAPABILITIES


def capabilities(ix: NewsIndex) -> frozenset[str]:
    """What ``ix``'s engine declares it can do (each one of ALL_CAPABILITIES)."""
    declared = ix.capabilities
    assert declared <= ALL_CAPABILITIES, declared - ALL_CAPABILITIES
    return declared


def needs(ix: NewsIndex, capability: str, probe: str | None = None) -> None:
    """Skip the calling test, saying why, when the engine does not declare ``capability``;
    before skipping, check that the engine refuses ``probe`` (a query using it) with a
    QueryError rather than answering something else."""
    assert capability in ALL_CAPABILITIES, capability
    if capability in capabilities(ix):
        return
    if probe is not None:
        with pytest.raises(QueryError):
            ix.search(probe)
    pytest.skip(f"this engine does not declare the {capability!r} capability")


def every_hit(ix: NewsIndex, query: str, **params: Any) -> tuple[Counter[str], set[str], int, int]:
    """Every page of an answer: hits per article (those shown plus ``more_hits``), the doc ids
    shown, and the totals (checked to be the same on every page, no article on two)."""
    counts: Counter[str] = Counter()
    shown: set[str] = set()
    first = ix.search(query, per_page=100, **params)
    for page in range(1, first.pages + 1):
        results = first if page == 1 else ix.search(query, per_page=100, page=page, **params)
        assert (results.total_hits, results.total_articles) == (
            first.total_hits,
            first.total_articles,
        )
        for article in results.results:
            assert article.article_id not in counts, "an article on two pages"
            counts[article.article_id] = len(article.hits) + article.more_hits
            shown |= {hit.doc_id for hit in article.hits}
    return counts, shown, first.total_hits, first.total_articles


@pytest.fixture(scope="session", autouse=True)
def _stop_clusters() -> Iterator[None]:
    """The sphinx clusters the suite started stop with it."""
    yield
    stop_all()


@pytest.fixture(scope="session", params=sorted(ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    """The engine under test (each contract test runs once per engine)."""
    return str(request.param)


@pytest.fixture
def location(engine: str, tmp_path: Path) -> str:
    """A fresh, empty index location of the engine under test (nothing created yet)."""
    return ENGINES[engine](tmp_path)


def build(location: str, articles: Iterable[Article | dict[str, Any]]) -> str:
    """Index ``articles`` (Article objects or the article JSON form) at ``location``."""
    items = [a if isinstance(a, Article) else article_from_json(a) for a in articles]
    report = index_articles(location, items)
    assert report.failed == 0, report.errors
    return location


@pytest.fixture
def make_index(location: str) -> Iterator[MakeIndex]:
    """``make_index(articles)``: a fresh index of the engine under test, opened for reading
    (closed at the end of the test)."""
    opened: list[NewsIndex] = []

    def make(articles: Iterable[Article | dict[str, Any]]) -> NewsIndex:
        ix = open_index(build(location, articles))
        opened.append(ix)
        return ix

    yield make
    for ix in opened:
        ix.close()
