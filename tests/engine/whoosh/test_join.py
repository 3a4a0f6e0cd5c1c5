"""said:(...) pictured:(...) against a brute-force join on a generated corpus: the articles,
total_hits, total_articles and facets are exactly those of the articles where every side
present has a hit, and each shown hit says its side (both sides shown)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import NewsIndex, article_from_json, index_articles
from indexer.engine.whoosh.schema import name_analyzer, news_analyzer
from indexer.query.join import SAID_KINDS

_WORDS = ["putin", "xi", "limits", "summit", "forum", "trade", "song"]
_CREDITS = ["Parker Song/Pool Photo via AP", "Ng Han Guan/AP", "Reuters/Forum Pool"]
_SOURCES = ["AP", "Reuters"]


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS + ["the", "said", "met"]) for _ in range(rng.randint(2, 7)))


def _article(i: int, rng: random.Random) -> dict[str, object]:
    return {
        "id": f"j{i:03d}",
        "headline": _text(rng),
        "source": rng.choice(_SOURCES),
        "published": f"2023-10-{rng.randint(10, 20)}",
        "paragraphs": [_text(rng) for _ in range(rng.randint(1, 3))],
        "captions": [
            {"text": _text(rng), "credit": rng.choice(_CREDITS)} for _ in range(rng.randint(0, 3))
        ],
        "notes": [_text(rng)] if rng.random() < 0.3 else [],
    }


def _corpus() -> list[dict[str, object]]:
    rng = random.Random(314)
    return [_article(i, rng) for i in range(60)]


ARTICLES = _corpus()


@pytest.fixture(scope="module")
def join_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("join") / "ix"
    index_articles(path, [article_from_json(a) for a in ARTICLES])
    return path


_NEWS, _NAMES = news_analyzer(), name_analyzer()


def _has(text: str, words: list[str], analyzer: object = _NEWS) -> bool:
    have = {t.text for t in analyzer(text)}  # type: ignore[operator]
    return any(next(iter(t.text for t in analyzer(w)), None) in have for w in words)  # type: ignore[operator]


def _sides(article: dict[str, object], said: list[str], pictured: list[str]) -> Counter[str]:
    """The article's hits per kind on each present side; empty unless every side has one."""
    said_hits: Counter[str] = Counter()
    pictured_hits: Counter[str] = Counter()
    if said:
        for kind, texts in (("paragraph", article["paragraphs"]), ("note", article["notes"])):
            assert kind in SAID_KINDS
            said_hits[kind] += sum(_has(t, said) for t in texts)  # type: ignore[attr-defined]
    for caption in article["captions"] if pictured else ():  # type: ignore[attr-defined]
        if _has(caption["text"], pictured) or _has(caption["credit"], pictured, _NAMES):
            pictured_hits["caption"] += 1
    if (said and not said_hits.total()) or (pictured and not pictured_hits.total()):
        return Counter()
    return said_hits + pictured_hits


def _query(said: list[str], pictured: list[str], source: str | None) -> str:
    parts = []
    if said:
        parts.append(f"said:({' '.join(said)})")
    if pictured:
        parts.append(f"pictured:({' '.join(pictured)})")
    if source:
        parts.append(f"source:{source}")
    return " ".join(parts)


_SOME = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2, unique=True)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    said=st.one_of(st.just([]), _SOME),
    pictured=st.one_of(st.just([]), _SOME),
    source=st.sampled_from([None, "AP"]),
    sort=st.sampled_from(["relevance", "newest"]),
)
def test_join_totals_and_facets_are_the_brute_force_join(
    join_index: Path, said: list[str], pictured: list[str], source: str | None, sort: str
) -> None:
    if not said and not pictured:
        said = ["putin"]
    expected: dict[str, Counter[str]] = {}
    for article in ARTICLES:
        if source and article["source"] != source:
            continue
        hits = _sides(article, said, pictured)
        if hits:
            expected[str(article["id"])] = hits
    with NewsIndex(join_index) as ix:
        found = ix.search(_query(said, pictured, source), sort=sort, per_page=100)
    assert {r.article_id for r in found.results} == set(expected)
    assert found.total_articles == len(expected)
    kinds = sum(expected.values(), Counter())
    assert found.total_hits == kinds.total()
    assert found.facets.get("kind", {}) == dict(kinds)
    for result in found.results:
        sides = {h.side for h in result.hits}
        assert all(h.side == ("pictured" if h.kind == "caption" else "said") for h in result.hits)
        assert sides == {n for n, w in (("said", said), ("pictured", pictured)) if w}
        assert len(result.hits) + result.more_hits == expected[result.article_id].total()


def test_a_join_combines_with_the_date_filter_and_a_plain_query_has_no_sides(
    join_index: Path,
) -> None:
    with NewsIndex(join_index) as ix:
        every = ix.search("said:(putin) pictured:(song)", per_page=100)
        some = ix.search("said:(putin) pictured:(song)", date_from="2023-10-15", per_page=100)
        assert 0 < some.total_articles < every.total_articles
        assert all(r.published and r.published.day >= 15 for r in some.results)
        plain = ix.search("putin")
        assert all(h.side is None for r in plain.results for h in r.hits)
        assert plain.results[0].to_json()["hits"][0]["side"] is None
        joined = every.results[0].to_json()["hits"]
        assert {h["side"] for h in joined} == {"said", "pictured"}


def test_said_includes_quotes_with_their_speaker(seed_index: Path) -> None:
    """Now that quotes are documents of their own (issue 14 point 1), said: searches them too,
    and speaker: narrows a said: side."""
    assert "quote" in SAID_KINDS
    with NewsIndex(seed_index) as ix:
        found = ix.search("said:(lifeline) pictured:(xi)")
        assert found.facets["kind"].get("quote", 0) >= 1 and found.facets["kind"]["caption"] >= 1
        quoted = ix.search("said:(speaker:gabuev lifeline) pictured:(xi)", per_page=1)
        said = [h for h in quoted.results[0].hits if h.side == "said"]
        assert said and all(h.kind == "quote" and h.speaker for h in said)
        assert quoted.facets["kind"].keys() == {"quote", "caption"}
