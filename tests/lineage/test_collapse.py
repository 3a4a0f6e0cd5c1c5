"""Collapsing search results by story: one result per story, exact totals and pages, facets,
``story:ID``, and the same through the CLI, the JSON API and the search page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer import NewsIndex, QueryError, article_from_json, index_articles, open_index
from indexer.cli.commands import cli
from webapp import create_app

from .corpus import article, body, copy_of

WORD = "quorble"
EVIL = '<script>alert("s")</script>'


def with_word(paragraphs: list[str], times: int) -> list[str]:
    return [f"{paragraphs[0]} {' '.join([WORD] * times)}", *paragraphs[1:]]


def corpus() -> list[dict[str, Any]]:
    """Five stories of 1 to 5 copies, every article mentioning WORD (more often in some)."""
    raws = []
    for s in range(5):
        original = body(100 + s)
        for c in range(s + 1):
            paragraphs = original if c == 0 else copy_of(original, 10 * s + c)
            source = EVIL if (s, c) == (4, 2) else f"Paper {c}"
            raws.append(
                article(f"s{s}-c{c}", with_word(paragraphs, 1 + (c + s) % 3), 1 + c + s, source)
            )
    return raws


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("collapse")
    index_articles(root / "index", (article_from_json(r) for r in corpus()))
    return root / "index"


@pytest.fixture(scope="module")
def ix(index_dir: Path) -> Iterator[NewsIndex]:
    with open_index(index_dir) as index:
        yield index


def story_of(article_id: str) -> str:
    return article_id.split("-")[0]


def test_one_result_per_story_with_both_totals(ix: NewsIndex) -> None:
    grouped = ix.search(WORD, per_page=100)
    every = ix.search(WORD, per_page=100, collapse="none")
    assert grouped.total_articles == every.total_articles == len(corpus())
    assert grouped.total_stories == every.total_stories == 5
    assert grouped.total_hits == every.total_hits
    shown = [story_of(r.article_id) for r in grouped.results]
    assert sorted(shown) == [f"s{s}" for s in range(5)]
    # each story's best-matching copy, in the order those copies rank among all articles
    firsts: list[str] = []
    for r in every.results:
        if story_of(r.article_id) not in {story_of(f) for f in firsts}:
            firsts.append(r.article_id)
    assert [r.article_id for r in grouped.results] == firsts
    assert grouped.facets == every.facets  # facets count the matches, whichever way shown


def test_results_name_the_lead_and_the_other_copies(ix: NewsIndex) -> None:
    for r in ix.search(WORD, per_page=100).results:
        assert r.story is not None
        s = int(story_of(r.article_id)[1:])
        assert r.story.lead.article_id == f"s{s}-c0"
        assert r.story.size == s + 1
        assert {c.article_id for c in r.story.others(r.article_id)} == {
            f"s{s}-c{c}" for c in range(s + 1)
        } - {r.article_id}


@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_pages_are_exact(ix: NewsIndex, per_page: int) -> None:
    whole = [r.article_id for r in ix.search(WORD, per_page=100).results]
    paged: list[str] = []
    results = ix.search(WORD, per_page=per_page)
    assert results.pages == -(-5 // per_page)
    for page in range(1, results.pages + 1):
        paged += [r.article_id for r in ix.search(WORD, per_page=per_page, page=page).results]
    assert paged == whole


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_collapse_under_date_sorts(ix: NewsIndex, sort: str) -> None:
    grouped = [r.article_id for r in ix.search(WORD, per_page=100, sort=sort).results]
    assert sorted(story_of(a) for a in grouped) == [f"s{s}" for s in range(5)]


def test_story_query_lists_the_copies_oldest_first(ix: NewsIndex) -> None:
    story = ix.story("s3-c2")
    assert story is not None
    found = ix.search(f"story:{story.story_id}", per_page=100)
    assert [r.article_id for r in found.results] == [f"s3-c{c}" for c in range(4)]
    assert found.total_articles == 4 and found.total_stories == 1
    # combined with words, and an unknown story finds nothing
    assert ix.search(f"story:{story.story_id} {WORD}").total_articles == 4
    assert ix.search("story:000000000000").total_articles == 0


def test_a_bad_collapse_names_the_parameter(ix: NewsIndex) -> None:
    with pytest.raises(QueryError) as caught:
        ix.search(WORD, collapse="stories")
    assert caught.value.param == "collapse"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


def test_the_cli_collapses_by_default(index_dir: Path) -> None:
    code, out = run("search", WORD, "--index", str(index_dir), "--json", "--per-page", "100")
    assert code == 0 and len(json.loads(out)["results"]) == 5
    code, out = run(
        "search", WORD, "--index", str(index_dir), "--json", "--per-page", "100",
        "--collapse", "none",
    )  # fmt: skip
    assert code == 0 and len(json.loads(out)["results"]) == len(corpus())
    code, out = run("search", WORD, "--index", str(index_dir))
    assert code == 0 and "other copies" in out and "story:" in out
    code, out = run("search", WORD, "--index", str(index_dir), "--collapse", "x")
    assert code == 2 and "collapse must be one of story, none" in out
    code, out = run("show", "s2-c1", "--index", str(index_dir), "--json")
    assert json.loads(out)["story"]["lead"]["article_id"] == "s2-c0"


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app.test_client()
    app.extensions["newsfind_index"].close()


def test_the_api_collapses_and_carries_stories(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": WORD, "per_page": 100}).get_json()
    assert data["collapse"] == "story" and data["total_stories"] == 5
    assert len(data["results"]) == 5
    top = data["results"][0]
    assert top["story"]["size"] == top["other_copies"] + 1
    every = client.get("/api/search", query_string={"q": WORD, "collapse": "none"}).get_json()
    assert every["total_articles"] == len(corpus()) and len(every["results"]) == 10
    bad = client.get("/api/search", query_string={"q": WORD, "collapse": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"]["param"] == "collapse"
    article = client.get("/api/articles/s4-c3").get_json()
    assert article["story"]["lead"]["article_id"] == "s4-c0"
    assert [c["article_id"] for c in article["story"]["copies"]] == [f"s4-c{c}" for c in range(5)]


def test_the_page_names_other_copies_escaped_and_links_to_them_all(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": WORD, "per_page": 100})
    assert response.status_code == 200
    assert EVIL not in response.get_data(as_text=True)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    stories = page.select(".result .story")
    assert len(page.select(".result")) == 5 and len(stories) == 4  # s0 has no other copy
    sizes = sorted(len(s.select(".story-copies li")) for s in stories)
    assert sizes == [1, 2, 3, 4]
    # the hostile source is shown as text (in a result or among the copies), never as markup
    assert any(EVIL in el.get_text() for el in page.select(".result"))
    link = page.select_one(".story-all")["href"]
    listed = client.get(link)
    assert listed.status_code == 200 and "collapse=none" in link
    all_page = BeautifulSoup(listed.get_data(as_text=True), "html.parser")
    assert len(all_page.select(".result")) > 1
    toggle = page.select_one("ul.collapse a")
    assert toggle is not None and "collapse=none" in toggle["href"]
