"""What every engine must do, through the public API only: hits and totals of each construct
of the query language, grouping, pages, filters, sorts, facets, snippets, suggestions, atomic
replace and delete, and errors. Runs once per engine (``conftest.ENGINES``)."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from indexer import (
    UNDATED,
    ArticleWriter,
    IndexNotFound,
    NewsIndex,
    QueryError,
    article_from_json,
    delete_articles,
    index_articles,
    open_index,
)

from . import oracle
from .conftest import ENGINES, MakeIndex, build, capabilities, every_hit, needs
from .corpus import ARTICLES

MODELS = [article_from_json(a) for a in ARTICLES]
DOCS = oracle.documents(MODELS)


@pytest.fixture(scope="module")
def ix(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewsIndex]:
    """The corpus, indexed once per engine: every test using it only reads."""
    location = ENGINES[engine](tmp_path_factory.mktemp(f"contract-{engine}"))
    with open_index(build(location, MODELS)) as opened:
        yield opened


def with_word(word: str) -> set[str]:
    """Brute force: the doc ids whose text has ``word``."""
    return {d.doc_id for d in DOCS if word in d.words}


def of(*article_ids: str) -> set[str]:
    return {d.doc_id for d in DOCS if d.article_id in article_ids}


def assert_hits(ix: NewsIndex, query: str, expected: set[str], **params: Any) -> None:
    """The answer has exactly ``expected`` as its hits (counted per article, shown ones among
    them) and totals that say so."""
    counts, shown, total_hits, total_articles = every_hit(ix, query, **params)
    per_article = Counter(d.rpartition("#")[0] for d in expected)
    assert (total_hits, total_articles) == (len(expected), len(per_article)), query
    assert counts == per_article, query
    assert shown <= expected, query


HARBOUR = with_word("harbour")
RESERVOIR = with_word("reservoir")
LIGHTHOUSE = with_word("lighthouse")

# (query, the capability it needs or None, expected doc ids)
CONSTRUCTS: list[tuple[str, str | None, set[str]]] = [
    ("lighthouse", None, LIGHTHOUSE),
    ("LightHouse", None, LIGHTHOUSE),
    ("harbour lighthouse", None, HARBOUR | LIGHTHOUSE),
    ("harbour OR lighthouse", None, HARBOUR | LIGHTHOUSE),
    ("harbour AND reservoir", None, HARBOUR & RESERVOIR),
    ("harbour -reservoir", None, HARBOUR - RESERVOIR),
    ("harbour NOT reservoir", None, HARBOUR - RESERVOIR),
    ("+harbour lighthouse", None, HARBOUR),
    ("(harbour -reservoir) OR keeper", None, (HARBOUR - RESERVOIR) | with_word("keeper")),
    ("lighthouse (+harbour -reservoir)", None, LIGHTHOUSE | (HARBOUR - RESERVOIR)),
    ("(harbour OR lighthouse) AND keeper", None, LIGHTHOUSE & with_word("keeper")),
    ('"belt and road"', "phrase", {"summit#2"}),
    ('"road belt"', "phrase", set()),
    ("infra*", "prefix", {"summit#2"}),
    ("reservior~", "fuzzy", RESERVOIR),  # two letters swapped: one edit
    ("resrvoir~1", "fuzzy", RESERVOIR),
    ("rezervoi~2", "fuzzy", RESERVOIR),
    ("rezervoi~1", "fuzzy", set()),
    ("headline:harbour", None, {"summit#0", "late#0"}),
    ("kind:caption", None, {"summit#1", "dam#1", "dam#2"}),
    ("kind:caption reservoir", None, {"dam#1", "dam#2"}),
    ("kind:caption OR lighthouse", None, {"summit#1", "dam#1", "dam#2"} | LIGHTHOUSE),
    ('credit:"ann lee"', None, {"summit#1", "dam#1"}),
    ("credit:chen", None, {"dam#2"}),
    ("source:AP", None, of("dam", "late")),
    ("source:ap harbour", None, {"late#0", "late#1"}),
    ('source:"Example News"', None, of("escape")),
    ("byline:park", None, of("dam")),
    ("dateline:beijing", None, of("summit")),
    ("published:2023-10-18", None, of("summit")),
    ("published:2023-10", None, of("summit", "escape")),
    ("published:2023", None, of("summit", "dam", "late", "escape")),
    # 23:30 at -05:00 on 2023-11-01 is 2023-11-02 in UTC, which is what dates mean
    ("published:2023-11-02", None, of("late")),
    ("published:2023-11-01", None, set()),
    ("published:2023-09-01..2023-10-18", None, of("dam", "summit")),
    ("published:2023-10-19..", None, of("escape", "late")),
    ("published:..2022-12-31", None, of("old")),
    ("published:>=2023-10-20", None, of("escape", "late")),
    ("published:>2023-10-20", None, of("late")),
    ("published:<2023-09-05", None, of("old")),
    ("published:<=2023-09-05", None, of("old", "dam")),
    ("published:2023-10 harbour", None, HARBOUR & of("summit", "escape")),
    ("photo_date:2023-10-17", None, {"summit#1"}),
    ("photo_date:2023-09", None, {"dam#1", "dam#2"}),
    ("photo_date:2023-09-03..2023-09-03", None, {"dam#2"}),
    ("photo_date:>2023-09-03", None, {"dam#1", "summit#1"}),
    # "Officials said the reservoir project near the harbour": two words between them
    ('"harbour reservoir"~2', "near", {"summit#3"}),
    ('"harbour reservoir"~1', "near", set()),
    ("reservoir NEAR/2 harbour", "near", {"summit#3"}),
    ("harbour NEAR/1 reservoir", "near", set()),
    ('"belt and road" NEAR/2 infrastructure', "near", {"summit#2"}),
    ("(harbour OR keeper) NEAR/1 lighthouse", "near", {"old#0", "old#1"}),
    ("reservoir SENTENCE farmers", "sentence", {"dam#4"}),
    ("lighthouse SENTENCE harbour", "sentence", set()),
    ("said:(reservoir) pictured:(reservoir)", "join", of("dam") - {"dam#0"}),
    ("said:(harbour) pictured:(lee)", "join", {"summit#1", "summit#3"}),
    ("said:(reservoir) pictured:(reservoir) source:Reuters", "join", set()),
    ("pictured:(chen)", "join", {"dam#2"}),
]


@pytest.mark.parametrize(("query", "capability", "expected"), CONSTRUCTS)
def test_each_construct_finds_its_documents(
    ix: NewsIndex, query: str, capability: str | None, expected: set[str]
) -> None:
    if capability is not None:
        needs(ix, capability, probe=query)
    assert_hits(ix, query, expected)


def test_grouping_shows_the_best_three_hits_and_counts_the_rest(ix: NewsIndex) -> None:
    results = ix.search("reservoir", per_page=100)
    per_article = Counter(d.rpartition("#")[0] for d in RESERVOIR)
    assert per_article["dam"] > 3  # the case under test: more hits than are shown
    for article in results.results:
        n = per_article[article.article_id]
        assert len(article.hits) == min(3, n)
        assert article.more_hits == n - len(article.hits)
        scores = [h.score for h in article.hits]
        assert scores == sorted(scores, reverse=True)
        assert {h.doc_id for h in article.hits} <= RESERVOIR
    assert results.total_hits == sum(len(a.hits) + a.more_hits for a in results.results)


@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_pages_are_a_partition_of_the_whole_result(ix: NewsIndex, per_page: int) -> None:
    query = "harbour OR lighthouse OR reservoir"
    whole = ix.search(query, per_page=100)
    first = ix.search(query, per_page=per_page)
    assert first.pages == -(-whole.total_articles // per_page)
    seen: list[str] = []
    for page in range(1, first.pages + 1):
        results = ix.search(query, per_page=per_page, page=page)
        assert (results.total_hits, results.total_articles) == (
            whole.total_hits,
            whole.total_articles,
        )
        assert 0 < len(results.results) <= per_page
        seen += [a.article_id for a in results.results]
    assert seen == [a.article_id for a in whole.results]  # same order, no article twice
    assert len(set(seen)) == whole.total_articles == 6
    assert whole.total_hits == len(HARBOUR | LIGHTHOUSE | RESERVOIR)
    assert ix.search(query, per_page=per_page, page=first.pages + 1).results == ()


def _published(article_id: str) -> Any:
    return next(m.published for m in MODELS if m.id == article_id)


FILTERS: list[tuple[dict[str, Any], set[str]]] = [
    ({"kind": "caption"}, {d for d in HARBOUR | RESERVOIR if d in {"summit#1", "dam#1", "dam#2"}}),
    ({"kind": "note"}, {"dam#6"}),
    ({"source": "ap"}, (HARBOUR | RESERVOIR) & of("dam", "late")),
    ({"source": "A"}, set()),  # whole values only
    ({"source": "example news"}, (HARBOUR | RESERVOIR) & of("escape")),
    ({"date_from": "2023-10-18", "date_to": "2023-10-18"}, (HARBOUR | RESERVOIR) & of("summit")),
    ({"date_to": "2023-10-18"}, (HARBOUR | RESERVOIR) & of("summit", "dam")),
    ({"date_from": "2023-11-02"}, (HARBOUR | RESERVOIR) & of("late")),
    ({"date_from": "2023-11-03"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_filters(ix: NewsIndex, params: dict[str, Any], expected: set[str]) -> None:
    assert_hits(ix, "harbour reservoir", expected, **params)


def test_date_filters_leave_undated_articles_out(ix: NewsIndex) -> None:
    assert_hits(ix, "lighthouse", of("old") & LIGHTHOUSE, date_to="9999-12-31")
    assert_hits(ix, "lighthouse", of("old") & LIGHTHOUSE, date_from="0001-01-01")


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_sorts(ix: NewsIndex, sort: str) -> None:
    results = ix.search("harbour OR lighthouse", sort=sort, per_page=100)
    assert len(results.results) == 5
    if sort == "relevance":
        scores = [a.score for a in results.results]
        assert scores == sorted(scores, reverse=True)
        return
    dated = [a.published for a in results.results if a.published is not None]
    assert dated == sorted(dated, reverse=sort == "newest")
    # undated articles come last in both date orders (issue 18: first under oldest was noise)
    undated = [a.article_id for a in results.results if a.published is None]
    assert undated == ["undated"]
    assert results.results[-1].article_id == "undated"


def _facets_of(doc_ids: set[str]) -> dict[str, Counter[str]]:
    """Brute force: the facet counts of these documents, from the articles themselves."""
    counts: dict[str, Counter[str]] = {n: Counter() for n in ("kind", "source", "credit", "month")}
    for model in MODELS:
        kinds = ["headline"] * bool(model.headline) + ["caption"] * len(model.captions)
        kinds += ["paragraph"] * len(model.paragraphs) + ["note"] * len(model.notes)
        for position, kind in enumerate(kinds):
            if f"{model.id}#{position}" not in doc_ids:
                continue
            counts["kind"][kind] += 1
            if model.source:
                counts["source"][model.source] += 1
            if kind == "caption":
                credit = model.captions[position - bool(model.headline)].credit
                if credit:
                    counts["credit"][credit] += 1
            if model.published is not None:
                counts["month"][model.published.astimezone(UTC).strftime("%Y-%m")] += 1
            else:
                counts["month"][UNDATED] += 1  # a value of its own: the counts add up
    return counts


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reservoir", RESERVOIR),
        ("harbour OR lighthouse", HARBOUR | LIGHTHOUSE),
        ("kind:caption", {"summit#1", "dam#1", "dam#2"}),
    ],
)
def test_facets_count_every_match(ix: NewsIndex, query: str, expected: set[str]) -> None:
    needs(ix, "facets")
    results = ix.search(query, per_page=1)
    for name, counts in _facets_of(expected).items():
        assert results.facets[name] == dict(counts), name
        if name == "month":  # the timeline's months: in date order (issue 16)
            assert list(results.facets[name]) == sorted(counts), name
            continue
        values = list(results.facets[name].values())
        assert values == sorted(values, reverse=True), name


def _marked(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def _plain(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def test_snippets_are_escaped_text_with_only_mark_markup(ix: NewsIndex) -> None:
    hit = ix.search("harbour", source="Example News").results[0].hits[0]
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet
    assert "&amp; docks" in hit.snippet
    assert _plain(hit.snippet) == MODELS[3].paragraphs[0]
    assert _marked(hit.snippet) == ["harbour"]


@pytest.mark.parametrize(
    ("query", "marks"),
    [
        ("reservoir", {"reservoir"}),
        ("harbour lighthouse", {"harbour", "lighthouse"}),
        ("infra*", {"infrastructure"}),
        ('"belt and road"', {"belt and road"}),
        ("harbour -reservoir", {"harbour"}),
    ],
)
def test_marks_are_around_the_matching_words(ix: NewsIndex, query: str, marks: set[str]) -> None:
    results = ix.search(query, per_page=100)
    found = {m.lower() for a in results.results for h in a.hits for m in _marked(h.snippet)}
    assert found == marks
    for hit in (h for a in results.results for h in a.hits):
        assert _marked(hit.snippet), f"{hit.doc_id}: a hit without a mark"


def test_a_misspelt_common_word_gets_a_suggestion(ix: NewsIndex) -> None:
    needs(ix, "suggest")
    assert ix.search("resevoir").suggestion == "reservoir"
    assert ix.search("reservoir").suggestion is None


# --- writing ------------------------------------------------------------------------------------


def _article(**changes: Any) -> dict[str, Any]:
    base = {
        "id": "story",
        "headline": "Quokka spotted",
        "paragraphs": ["A quokka was seen near the ferry.", "Rangers counted wombats."],
    }
    return {**base, **changes}


def test_reindexing_a_changed_article_replaces_it_atomically(location: str) -> None:
    build(location, [_article(), {"id": "other", "headline": "Ferry timetable"}])
    with open_index(location) as ix:
        before = ix.stats()
        assert ix.search("wombats").total_hits == 1
        # an open index sees the commit: the old text is gone and the new found, at once
        changed = _article(paragraphs=["A platypus swam past the ferry."])
        with ArticleWriter(location) as writer:
            assert writer.add(article_from_json(changed)) == "updated"
            assert writer.add(article_from_json(changed)) == "unchanged"
        assert ix.search("wombats").total_hits == 0
        assert ix.search("quokka").total_hits == 1  # the headline only
        assert [h.doc_id for a in ix.search("platypus").results for h in a.hits] == ["story#1"]
        assert ix.search("ferry").total_articles == 2
        article = ix.article("story")
        assert article is not None and article.paragraphs == tuple(changed["paragraphs"])
        after = ix.stats()
        assert (after.articles, after.documents) == (before.articles, before.documents - 1)


def test_deleting_an_article_removes_it_everywhere(location: str) -> None:
    build(location, [_article(), {"id": "other", "headline": "Quokka ferry"}])
    with open_index(location) as ix:
        before = ix.stats()
        assert ix.search("quokka").total_articles == 2
        assert delete_articles(location, ["story", "nope"]) == (["story"], ["nope"])
        assert [a.article_id for a in ix.search("quokka").results] == ["other"]
        assert ix.search("wombats").total_hits == 0
        assert ix.article("story") is None
        assert ix.article_ids() == ["other"]
        after = ix.stats()
        assert (after.articles, after.documents) == (before.articles - 1, before.documents - 3)
        assert after.kinds["paragraph"] == before.kinds["paragraph"] - 2


def test_index_articles_reports_what_it_did(location: str) -> None:
    first = index_articles(location, [article_from_json(_article())])
    again = index_articles(location, [article_from_json(_article(headline="Quokka seen"))])
    assert (first.added, first.documents, again.updated, again.added) == (1, 3, 1, 0)
    with open_index(location) as ix:
        assert ix.search("spotted").total_hits == 0
        assert ix.search("seen").total_hits == 2  # the new headline and the paragraph


# --- errors -------------------------------------------------------------------------------------

BAD_PARAMS: list[tuple[dict[str, Any], str]] = [
    ({"page": 0}, "page"),
    ({"page": "two"}, "page"),
    ({"per_page": 101}, "per_page"),
    ({"kind": "video"}, "kind"),
    ({"sort": "sideways"}, "sort"),
    ({"date_from": "yesterday"}, "from"),
    ({"date_to": "2023-02-30"}, "to"),
    ({"date_from": "2023-10-02", "date_to": "2023-10-01"}, "from"),
    ({"query": "x" * 2001}, "q"),
]


@pytest.mark.parametrize(("params", "param"), BAD_PARAMS)
def test_bad_parameters_are_query_errors_naming_them(
    ix: NewsIndex, params: dict[str, Any], param: str
) -> None:
    params = dict(params)  # the table is shared by every engine's run: never change it
    query = params.pop("query", "harbour")
    with pytest.raises(QueryError) as caught:
        ix.search(query, **params)
    assert caught.value.param == param


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("foo:bar", "unknown field 'foo:'"),
        ('"harbour', "unbalanced quotes"),
        ("harbour AND", "AND needs a word"),
        ("-harbour", "only excludes"),
        ("the of and", "too common"),
        ("h*", "at least 2 letters"),
        ("harbour~3", "~1 or ~2"),
        ("published:2023-13-45", "not a date"),
        ("kind:video", "kind: must be one of"),
    ],
)
def test_bad_queries_are_query_errors(ix: NewsIndex, query: str, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        ix.search(query)
    assert caught.value.param == "q"
    assert says in caught.value.message


def test_no_index_at_a_location_is_index_not_found(engine: str, tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound):
        open_index(ENGINES[engine](tmp_path / "nothing"))


PROBES = {
    "fuzzy": "reservior~",
    "prefix": "infra*",
    "phrase": '"belt and road"',
    "near": "reservoir NEAR/2 harbour",
    "sentence": "reservoir SENTENCE farmers",
    "join": "said:(reservoir) pictured:(reservoir)",
}


@pytest.mark.parametrize("capability", sorted(PROBES))
def test_a_capability_is_declared_or_refused(ix: NewsIndex, capability: str) -> None:
    """An engine either declares a capability and answers queries using it, or refuses them
    with a QueryError: never a silently different answer."""
    if capability in capabilities(ix):
        assert ix.search(PROBES[capability]).total_hits > 0
    else:
        with pytest.raises(QueryError):
            ix.search(PROBES[capability])


def test_undeclared_facets_and_suggestions_are_absent_not_wrong(ix: NewsIndex) -> None:
    declared = capabilities(ix)
    results = ix.search("resevoir harbour")
    if "facets" not in declared:
        assert results.facets == {}
    if "suggest" not in declared:
        assert results.suggestion is None
    assert declared <= {
        "fuzzy", "prefix", "phrase", "proximity", "facets", "suggest", "quotes", "timeline",
        "stream", "crawled", "lang", "language-facet", "check", "near", "sentence", "join",
        "stories",
    }  # fmt: skip


def test_crawled_filters_on_any_capture_and_sorts_by_the_first(make_index: MakeIndex) -> None:
    """``crawled:`` matches an article captured in the span at any capture; ``sort=crawled``
    puts the most recent first capture first and articles never crawled last."""
    ix = make_index(
        [
            {"id": "a", "headline": "Harbour a", "paragraphs": ["harbour storm"],
             "captures": ["2024-01-10T00:00:00Z", "2024-06-01T00:00:00Z"]},
            {"id": "b", "headline": "Harbour b", "paragraphs": ["harbour storm"],
             "captures": ["2024-03-01T00:00:00Z"]},
            {"id": "c", "headline": "Harbour c", "paragraphs": ["harbour storm"]},
        ]
    )  # fmt: skip
    if "crawled" not in capabilities(ix):
        with pytest.raises(QueryError):
            ix.search("harbour", sort="crawled")
    needs(ix, "crawled", "harbour crawled:2024")
    assert [r.article_id for r in ix.search("harbour crawled:2024-06").results] == ["a"]
    assert sorted(r.article_id for r in ix.search("storm crawled:<2024-04").results) == ["a", "b"]
    assert [r.article_id for r in ix.search("harbour", sort="crawled").results] == ["b", "a", "c"]
    stored = ix.article("a")
    assert stored is not None and [c.month for c in stored.captures] == [1, 6]


def test_words_near_each_other_rank_first(make_index: MakeIndex) -> None:
    ix = make_index(
        [
            {"id": "near", "headline": "Notes", "paragraphs": ["zorp quix then blen tolt dask"]},
            {"id": "far", "headline": "Notes", "paragraphs": ["zorp blen tolt dask then quix"]},
        ]
    )
    needs(ix, "proximity")
    assert [a.article_id for a in ix.search("zorp quix").results] == ["near", "far"]
