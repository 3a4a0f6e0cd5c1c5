"""Searching a small real index: order, grouping, totals, facets, filters, suggestions, threads."""

from __future__ import annotations

import html
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from indexer import UNDATED, NewsIndex, SearchResults, index_articles, iter_articles, open_index

from .conftest import SEED, write_jsonl

SEED_ID = "608a415901ee4207"
LONG = (
    "The council met for three hours on Monday evening to debate the budget. " * 6
    + "Engineers said the old reservoir would need repairs before winter. "
    + "Residents asked about parking, libraries and the price of bus tickets. " * 6
)
ARTICLES: list[dict[str, Any]] = [
    {
        "id": "summit",
        "headline": "Xi Jinping hosts Putin for talks in Beijing",
        "published": "2023-10-18T09:00:00+00:00",
        "source": "Reuters",
        "paragraphs": [
            "Chinese leader Xi Jinping met Russian President Vladimir Putin on Wednesday.",
            "The two leaders discussed trade and infrastructure projects.",
        ],
        "captions": [
            {
                "text": "Xi Jinping, right, greets Vladimir Putin in Beijing.",
                "credit": "Jane Doe/Reuters",
                "date": "2023-10-18",
            }
        ],
    },
    {
        "id": "economy",
        "headline": "Putin speaks about the economy",
        "published": "2023-09-05T12:00:00+00:00",
        "source": "AP",
        "paragraphs": ["Putin said the economy was growing.", "Analysts doubted the figures."],
    },
    {
        "id": "exports",
        "headline": "Trade figures released",
        "published": "2023-11-02T08:00:00+00:00",
        "source": "AP",
        "paragraphs": ["Xi called for more openness in trade.", "Exports rose in October."],
    },
    {
        "id": "escape",
        "headline": "Security test page",
        "published": "2023-10-20T10:00:00+00:00",
        "source": "Example News",
        "paragraphs": [
            "A page containing <script>alert(1)</script> and <b>bold</b> markup while "
            "visiting markets & shops."
        ],
        "notes": ["Reporting by the markets desk."],
    },
    {
        "id": "council",
        "headline": "Council debates budget",
        "published": "2023-10-03T18:00:00+00:00",
        "source": "Local Paper",
        "paragraphs": [LONG],
    },
    # identical but for the date: equal scores, so the newer must come first
    {
        "id": "flood-old",
        "headline": "Flooding hits the valley",
        "published": "2023-10-01T06:00:00+00:00",
        "source": "AP",
        "paragraphs": ["Heavy rain flooded the valley roads."],
    },
    {
        "id": "flood-new",
        "headline": "Flooding hits the valley",
        "published": "2023-10-02T06:00:00+00:00",
        "source": "AP",
        "paragraphs": ["Heavy rain flooded the valley roads."],
    },
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed plus the articles above, built once: every test here only reads."""
    base = tmp_path_factory.mktemp("search")
    jsonl = write_jsonl(base / "articles.jsonl", ARTICLES)
    report = index_articles(base / "index", iter_articles([str(SEED), str(jsonl)]))
    assert report.failed == 0, report.errors
    return base / "index"


@pytest.fixture(scope="module")
def ix(index_dir: Path) -> NewsIndex:
    return open_index(index_dir)


def ids(results: SearchResults) -> list[str]:
    return [a.article_id for a in results.results]


def all_results(ix: NewsIndex, query: str, **kw: Any) -> list[Any]:
    first = ix.search(query, per_page=100, **kw)
    return list(first.results)


def marked(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


# --- ranking ------------------------------------------------------------------------------------

# (query, expected article order (a prefix), expected (kind, position) of the first article's hits)
ORDER_TABLE = [
    # the summit's headline, caption and paragraph each name both men; the seed does in longer
    # passages; articles naming only one of them come after both
    ("putin xi", ["summit", SEED_ID], [("headline", 0), ("caption", 1), ("paragraph", 2)]),
    ('"Xi Jinping"', ["summit", SEED_ID], [("headline", 0), ("caption", 1), ("paragraph", 2)]),
    # "trade" in headline and paragraph beats one paragraph mention
    ("trade", ["exports", "summit", SEED_ID], [("headline", 0), ("paragraph", 1)]),
    # equal scores: newer first
    ("flooding", ["flood-new", "flood-old"], [("headline", 0), ("paragraph", 1)]),
    ("reservoir", ["council"], [("paragraph", 1)]),
    # a short note about markets outranks the long paragraph that also mentions them
    ("markets", ["escape", SEED_ID], [("note", 2), ("paragraph", 1)]),
]


@pytest.mark.parametrize(("query", "articles", "hits"), ORDER_TABLE)
def test_ranking_table(
    ix: NewsIndex, query: str, articles: list[str], hits: list[tuple[str, int]]
) -> None:
    results = ix.search(query)
    assert ids(results)[: len(articles)] == articles
    assert [(h.kind, h.position) for h in results.results[0].hits] == hits
    scores = [a.score for a in results.results]
    assert scores == sorted(scores, reverse=True)


def test_two_words_put_articles_with_both_first(ix: NewsIndex) -> None:
    results = ix.search("putin xi")
    assert set(ids(results)) == {"summit", SEED_ID, "economy", "exports"}
    assert set(ids(results)[:2]) == {"summit", SEED_ID}


def test_headline_raises_scores_but_does_not_make_hits(ix: NewsIndex) -> None:
    # "hosts" is only in the summit's headline: the headline document is the one hit, not
    # every passage of the article (all of which carry the headline for scoring)
    results = ix.search("hosts")
    assert results.total_hits == 1
    assert [(h.kind, h.position) for h in results.results[0].hits] == [("headline", 0)]
    # the paragraph saying "economy" scores above the same words in an article without it
    economy = ix.search("economy")
    assert [h.kind for h in economy.results[0].hits] == ["headline", "paragraph"]
    assert economy.total_hits == 2  # "Analysts doubted the figures." is not a hit


def test_phrase_only_matches_words_in_order(ix: NewsIndex) -> None:
    results = ix.search('"belt and road"')
    assert results.total_hits > 0
    for article in results.results:
        for hit in article.hits:
            assert [m.lower() for m in marked(hit.snippet)] == ["belt and road"] * len(
                marked(hit.snippet)
            )
            assert marked(hit.snippet)


# --- long and short queries pull against each other ---------------------------------------------

# Common words (minister, said, new, what, did, about, over) fill most passages, so they carry
# little weight; "bridge", "river", "open", "Dover", "port", "strike" are rare.
PULL_FILLER = [
    "The minister said on Monday that the new budget would be debated again.",
    "What the minister did next surprised many, officials said about the new rules.",
    "Officials said the new tax would be reviewed over the coming months.",
    "The minister did not say what would happen to the new hospital plans.",
    "Over the weekend the minister spoke about the economy and said little new.",
    "Reporters asked what the council did about the new parking rules.",
    "The new mayor did say what she thought about the minister.",
    "What happened over the holiday, the minister said, was new to everyone.",
    "The minister said the new school would be built over two years.",
    "Nobody said what the new ward did about waiting lists.",
]
PULL_ARTICLES: list[dict[str, Any]] = [
    {
        "id": "tamar-bridge",
        "headline": "Tamar crossing ready",
        "published": "2023-05-02",
        "paragraphs": [
            "The suspension bridge over the Tamar river will open to traffic in May, "
            "engineers said."
        ],
    },
    {
        "id": "minister-remarks",
        "headline": "Minister speaks to reporters",
        "published": "2023-05-03",
        "paragraphs": [
            "Asked what he did about it, the minister said he would say more about the new "
            "plans over the summer; what he did say was little."
        ],
    },
    {
        "id": "ferry-strike",
        "headline": "Ferry crews strike",
        "published": "2023-05-04",
        "paragraphs": ["Ferry crews went on strike at the port of Dover on Tuesday."],
    },
    {
        "id": "dover-port",
        "headline": "Dover port traffic",
        "published": "2023-05-05",
        "paragraphs": [
            "Dover port reported long queues; Dover port staff said Dover traffic at the port "
            "was heavy."
        ],
    },
] + [
    {"id": f"filler-{i}", "headline": "Council news", "published": "2023-04-01", "paragraphs": [t]}
    for i, t in enumerate(PULL_FILLER)
]

# (query, expected article order (a prefix))
PULL_TABLE = [
    # a long question: the passage with its rare words wins over one that has more of its
    # common words (coordination at this length would put minister-remarks first)
    (
        "what did the minister say about the new bridge over the river and when will it open",
        ["tamar-bridge", "minister-remarks"],
    ),
    # a short query: the article with all three words wins over one repeating two of them
    # (without coordination, "Dover port" said three times would come first)
    ("dover port strike", ["ferry-strike", "dover-port"]),
    ("ferry strike dover", ["ferry-strike", "dover-port"]),
]


@pytest.fixture(scope="module")
def pull_ix(tmp_path_factory: pytest.TempPathFactory) -> NewsIndex:
    base = tmp_path_factory.mktemp("pull")
    jsonl = write_jsonl(base / "articles.jsonl", PULL_ARTICLES)
    report = index_articles(base / "index", iter_articles([str(jsonl)]))
    assert report.failed == 0, report.errors
    return open_index(base / "index")


@pytest.mark.parametrize(("query", "articles"), PULL_TABLE)
def test_long_and_short_queries_table(pull_ix: NewsIndex, query: str, articles: list[str]) -> None:
    assert ids(pull_ix.search(query))[: len(articles)] == articles


# --- syntax elements against the index ----------------------------------------------------------


def count(ix: NewsIndex, query: str, **kw: Any) -> int:
    return ix.search(query, **kw).total_hits


def test_boolean_operators_are_consistent(ix: NewsIndex) -> None:
    both = count(ix, "putin AND xi")
    assert 0 < both < count(ix, "putin")
    assert count(ix, "putin OR xi") == count(ix, "putin") + count(ix, "xi") - both
    assert count(ix, "putin -xi") == count(ix, "putin") - both
    assert count(ix, "putin NOT xi") == count(ix, "putin -xi")
    assert count(ix, "+xi putin") == count(ix, "xi")
    grouped = ix.search("(putin OR xi) AND trade")
    assert [(a.article_id, [h.position for h in a.hits]) for a in grouped.results] == [
        ("exports", [1])  # "Xi called for more openness in trade."
    ]
    assert count(ix, "PUTIN") == count(ix, "putin")


def test_fields(ix: NewsIndex) -> None:
    headline = all_results(ix, "headline:putin")
    assert {a.article_id for a in headline} == {"summit", "economy", SEED_ID}
    assert {h.kind for a in headline for h in a.hits} == {"headline"}
    credit = all_results(ix, "credit:song")
    assert {a.article_id for a in credit} == {SEED_ID}
    assert all("Song" in (h.credit or "") for a in credit for h in a.hits)
    assert ids(ix.search("source:reuters")) == ["summit"]
    assert ids(ix.search('source:"Example News"')) == ["escape"]
    assert ids(ix.search("dateline:taipei")) == [SEED_ID]
    notes = all_results(ix, "kind:note")
    assert {h.kind for a in notes for h in a.hits} == {"note"}
    captions = ix.search("kind:caption putin")
    assert captions.facets["kind"] == {"caption": captions.total_hits}


def test_wildcard_and_fuzzy(ix: NewsIndex) -> None:
    results = ix.search("infra*")
    assert set(ids(results)) == {"summit", SEED_ID}
    assert all(
        m.lower() == "infrastructure"
        for a in results.results
        for h in a.hits
        for m in marked(h.snippet)
    )
    assert count(ix, "Puttin~") == count(ix, "putin")
    assert count(ix, "Puitn~2") >= count(ix, "putin")


def test_date_fields(ix: NewsIndex) -> None:
    assert ids(ix.search("published:2023-10-02")) == ["flood-new"]
    assert set(ids(ix.search("flooding published:<=2023-10-01"))) == {"flood-old"}
    assert set(ids(ix.search("published:2023-11-01..2023-11-30"))) == {"exports"}
    assert "economy" not in ids(ix.search("putin published:>=2023-10-17"))
    photo = all_results(ix, "photo_date:2023-10-18")
    assert [(a.article_id, [h.kind for h in a.hits]) for a in photo] == [("summit", ["caption"])]


# --- grouping, totals, pages --------------------------------------------------------------------


@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_pages_partition_the_articles_and_totals_add_up(ix: NewsIndex, per_page: int) -> None:
    query = "putin OR xi OR trade OR flooding OR markets"
    first = ix.search(query, per_page=per_page)
    seen: list[str] = []
    hits = 0
    for page in range(1, first.pages + 1):
        results = ix.search(query, per_page=per_page, page=page)
        assert results.results, f"page {page} is empty"
        assert (results.total_hits, results.total_articles) == (
            first.total_hits,
            first.total_articles,
        )
        for article in results.results:
            assert len(article.hits) <= 3
            assert article.more_hits == 0 or len(article.hits) == 3
            hits += len(article.hits) + article.more_hits
        seen += ids(results)
    assert len(seen) == len(set(seen)) == first.total_articles == 7
    assert hits == first.total_hits
    assert ix.search(query, per_page=per_page, page=first.pages + 1).results == ()


# --- facets and filters -------------------------------------------------------------------------


def test_facets_count_every_match(ix: NewsIndex) -> None:
    results = ix.search("putin", per_page=1)
    facets = results.facets
    assert sum(facets["kind"].values()) == results.total_hits
    for kind, n in facets["kind"].items():
        assert count(ix, "putin", kind=kind) == n
    for source, n in facets["source"].items():
        assert count(ix, "putin", source=source) == n
    assert facets["month"] == {
        "2023-10": count(ix, "putin", date_from="2023-10-01", date_to="2023-10-31"),
        "2023-09": count(ix, "putin", date_from="2023-09-01", date_to="2023-09-30"),
    }
    credits = ix.search("putin kind:caption").facets["credit"]
    assert credits["Jane Doe/Reuters"] == 1
    assert credits["Parker Song/Pool Photo via AP"] == count(ix, 'putin credit:"parker song"')
    assert list(credits.values()) == sorted(credits.values(), reverse=True)


def test_filters(ix: NewsIndex) -> None:
    assert {h.kind for a in all_results(ix, "putin", kind="caption") for h in a.hits} == {"caption"}
    assert set(ids(ix.search("putin", source="ap"))) == {"economy", SEED_ID}
    assert ix.search("putin", source="A").total_hits == 0  # whole values only
    # to= keeps all of its day; from= and to= together
    assert ids(ix.search("flooding", date_to="2023-10-02")) == ["flood-new", "flood-old"]
    assert ids(ix.search("flooding", date_from="2023-10-02", date_to="2023-10-02")) == ["flood-new"]
    assert ix.search("flooding", date_from="2023-10-03").total_hits == 0


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts(ix: NewsIndex, sort: str) -> None:
    results = ix.search("putin OR xi OR trade OR flooding", sort=sort)
    dates = [a.published for a in results.results]
    assert all(d is not None for d in dates)
    assert dates == sorted(dates, reverse=sort == "newest")  # type: ignore[type-var]
    assert len(dates) == 6


# --- hits and snippets --------------------------------------------------------------------------


def test_snippets_escape_document_markup(ix: NewsIndex) -> None:
    hit = ix.search("visit", source="Example News").results[0].hits[0]
    assert "<script>" not in hit.snippet and "<b>" not in hit.snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hit.snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in hit.snippet
    assert "&amp; shops" in hit.snippet
    assert marked(hit.snippet) == ["visiting"]  # the stem matched inside the inflected word
    assert re.sub(r"</?mark>", "", html.unescape(hit.snippet)) == ARTICLES[3]["paragraphs"][0]


def test_caption_hits_carry_credit_and_date(ix: NewsIndex) -> None:
    hits = ix.search("greets").results[0].hits
    assert [(h.kind, h.credit, str(h.date)) for h in hits] == [
        ("caption", "Jane Doe/Reuters", "2023-10-18")
    ]
    paragraph = ix.search("doubted").results[0].hits[0]
    assert (paragraph.credit, paragraph.date) == (None, None)


def test_long_paragraph_is_cut_at_words_and_short_caption_is_whole(ix: NewsIndex) -> None:
    hit = ix.search("reservoir").results[0].hits[0]
    assert hit.snippet.startswith("\u2026") and hit.snippet.endswith("\u2026")
    inner = html.unescape(re.sub(r"</?mark>", "", hit.snippet)).strip("\u2026")
    assert 100 < len(inner) < 300 and inner in LONG
    at = LONG.index(inner)
    assert LONG[at - 1] == " " and LONG[at + len(inner)] == " "
    assert marked(hit.snippet) == ["reservoir"]
    # the seed's longest caption (over 300 characters) is shown entire
    flag = ix.search("flag").results[0].hits[0]
    assert flag.kind == "caption" and "\u2026" not in flag.snippet
    assert len(html.unescape(flag.snippet)) > 300


# --- suggestions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("Puttin Jinpin", "putin jinping"),
        ("Jinpin", "jinping"),
        ("putin Jinpin", "putin jinping"),
        ("putin", None),
        ("cooperaton", "cooperation"),  # the stem "cooper" is far shorter than the word
        ("milirary", "military"),
        ("visits", None),  # matched well through its stem: never "corrected"
        ("zzyzx", None),  # nothing close
    ],
)
def test_suggestions(ix: NewsIndex, query: str, suggestion: str | None) -> None:
    assert ix.search(query).suggestion == suggestion


# --- the API ------------------------------------------------------------------------------------


def test_json_form(ix: NewsIndex) -> None:
    data = ix.search("greets").to_json()
    assert set(data) == {
        "query", "total_hits", "total_articles", "page", "per_page", "took_ms", "suggestion",
        "results", "facets", "timeline", "total_stories", "collapse",
    }  # fmt: skip
    article = data["results"][0]
    assert article["article_id"] == "summit"
    assert article["published"] == "2023-10-18T09:00:00+00:00"
    assert article["hits"][0]["date"] == "2023-10-18"
    assert set(data["facets"]) == {"kind", "source", "credit", "month", "speaker", "language"}


def test_article_lookup(ix: NewsIndex) -> None:
    article = ix.article("summit")
    assert article is not None and article.headline == ARTICLES[0]["headline"]
    assert ix.article("nope") is None


# --- concurrency --------------------------------------------------------------------------------


def test_threads_search_while_another_process_commits(build_index: Any, tmp_path: Path) -> None:
    index = build_index(SEED, articles=ARTICLES)
    batches = []
    for b in range(3):
        batch = [
            {
                "id": f"new-{b}-{i}",
                "headline": f"Quokka sighting number {i}",
                "published": "2023-12-01T00:00:00+00:00",
                "paragraphs": ["A quokka was seen near Putin's favourite lake."],
            }
            for i in range(40)
        ]
        batches.append(write_jsonl(tmp_path / f"batch{b}.jsonl", batch))
    errors: list[BaseException] = []
    done = threading.Event()
    shared = open_index(index)

    def worker(query: str) -> None:
        try:
            while not done.is_set():
                results = shared.search(query, per_page=5)
                shown = sum(len(a.hits) + a.more_hits for a in results.results)
                assert shown <= results.total_hits
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    queries = ["putin xi", "quokka", "putin", "infra*", '"belt and road"', "trade", "x~1", "a*b"]
    threads = [threading.Thread(target=worker, args=(q,)) for q in queries[:6]]
    threads += [threading.Thread(target=worker, args=("Puttin~",)) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for batch in batches:
            subprocess.run(
                [sys.executable, "-m", "indexer", "index", str(batch), "--index", str(index), "-q"],
                check=True,
                capture_output=True,
            )
    finally:
        done.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors[:3]
    # the shared index sees every commit without being reopened
    assert shared.search("quokka").total_articles == 120
    shared.close()


def test_undated_articles_are_searchable_and_sort_last(build_index: Any) -> None:
    """An article without a publication date has no date in the column (not an error), sorts
    after dated ones under newest and under oldest (issue 18), is a month facet value of its
    own, and is left out by a date filter."""
    index_dir = build_index(
        articles=[
            {"id": "undated", "headline": "Lighthouse keeper retires"},
            {"id": "dated", "headline": "Lighthouse repainted", "published": "2023-10-17"},
        ]
    )
    with open_index(index_dir) as ix:
        newest = ix.search("lighthouse", sort="newest")
        assert [r.article_id for r in newest.results] == ["dated", "undated"]
        assert newest.results[1].published is None
        oldest = ix.search("lighthouse", sort="oldest")
        assert [r.article_id for r in oldest.results] == ["dated", "undated"]
        assert oldest.facets["month"] == {"2023-10": 1, UNDATED: 1}
        filtered = ix.search("lighthouse", date_from="2023-01-01")
        assert [r.article_id for r in filtered.results] == ["dated"]


def test_fuzzy_words_find_the_stemmed_terms_on_one_segment_as_on_many(tmp_path: Path) -> None:
    """A fuzzy word expands to the index's (stemmed) terms. Whoosh's own terms_within answers
    from the unstemmed spelling list on a single segment, so "milirary~" once found nothing
    in a fresh one-segment index and six documents once it had two segments."""
    from indexer import article_from_json
    from indexer.engine.whoosh import writer as store

    def segments() -> int:
        with store.open_whoosh(path).reader() as reader:
            return len(list(reader.leaf_readers()))

    path = tmp_path / "ix"
    index_articles(path, iter_articles([str(SEED)]))
    assert segments() == 1
    with open_index(path) as one:
        single = count(one, "milirary~")
    assert single > 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "MERGE_BELOW_DOCS", 0)  # keep the second segment apart
        index_articles(path, [article_from_json({"id": "x1", "paragraphs": ["Ferry timetables."]})])
    assert segments() == 2
    with open_index(path) as two:
        assert count(two, "milirary~") == single == count(two, "military")
