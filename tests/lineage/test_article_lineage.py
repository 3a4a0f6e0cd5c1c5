"""The article page and its JSON: other versions against the lead, paragraph and photo reuse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from flask.testing import FlaskClient

from indexer import article_from_json, index_articles, open_index
from indexer.cli.commands import cli
from webapp import create_app

from .corpus import article, body

EVIL = "<img src=x onerror=alert(1)>"
QUOTE = "We will not give up on the harbour, the minister told reporters outside parliament."
CAPTION = "The old lighthouse at sunrise, seen from the northern pier."


def corpus() -> list[dict[str, Any]]:
    lead = body(300)
    copy = [lead[0].replace(lead[0].split()[3], EVIL), lead[1]]  # one word changed, one dropped
    raws = [
        article("lead", lead, 1, "AP"),
        article("copy", copy, 2, "Times"),
        # other stories quoting the same paragraph and running the same photo
        article("quote-1", [*body(301), QUOTE], 3, "Globe"),
        article("quote-2", [*body(302), QUOTE.upper()], 4, "Post"),
        article("quote-3", [*body(303)], 5, "Herald"),
    ]
    raws[0]["captions"] = [{"text": CAPTION, "credit": "Ann Lee/AP"}]
    raws[1]["captions"] = [{"text": CAPTION, "credit": "Staff"}]
    raws[2]["captions"] = [{"text": CAPTION, "credit": "Ann Lee/AP"}]
    raws[4]["captions"] = [{"text": CAPTION, "credit": "Cy Ng/Herald"}]
    raws[4]["paragraphs"].append(QUOTE)
    return raws


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lineage")
    index_articles(root / "index", (article_from_json(r) for r in corpus()))
    return root / "index"


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app.test_client()
    app.extensions["newsfind_index"].close()


def test_versions_compare_each_copy_with_the_lead(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        lineage = ix.lineage("copy")
    assert lineage.story is not None and lineage.story.lead.article_id == "lead"
    (version,) = lineage.versions
    assert version.copy.article_id == "copy" and version.copy.similarity is not None
    assert [p.change for p in version.paragraphs] == ["reworded", "same", "removed"]
    reworded = version.paragraphs[0]
    assert [reworded.copy[s:e] for s, e in reworded.copy_changed] == [EVIL]  # type: ignore[index]
    assert [c.change for c in version.captions] == ["credit"]


def test_paragraph_reuse_links_articles_of_other_stories(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        (reuse,) = ix.lineage("quote-1").paragraph_reuse
        assert reuse.index == 3 and reuse.count == 2
        assert [a.article_id for a in reuse.articles] == ["quote-2", "quote-3"]
        # copies of one story are versions, not reuse
        assert ix.lineage("lead").paragraph_reuse == ()


def test_photo_reuse_names_first_and_last_use_and_credit_conflicts(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        (photo,) = ix.lineage("quote-1").photo_reuse
    assert photo.uses == 4
    assert photo.first.article_id == "lead" and photo.last.article_id == "quote-3"
    assert photo.outlets == ("AP", "Globe", "Herald", "Times")
    assert photo.credit_conflict
    assert photo.credits == ("Ann Lee/AP", "Cy Ng/Herald", "Staff")


def test_the_article_page_shows_versions_and_reuse_escaped(client: FlaskClient) -> None:
    response = client.get("/articles/copy")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert EVIL not in text
    page = BeautifulSoup(text, "html.parser")
    version = page.select_one(".story-versions .version")
    assert version is not None and version["data-article"] == "copy"
    rows = [tr["class"][0] for tr in version.select("tbody tr")]
    assert rows == ["diff-reworded", "diff-same", "diff-removed", "diff-caption"]
    assert [m.get_text() for m in version.select(".diff-reworded td:nth-of-type(2) mark")] == [EVIL]
    quote = BeautifulSoup(client.get("/articles/quote-1").get_data(as_text=True), "html.parser")
    reuse = quote.select_one(".paragraph-reuse")
    assert reuse is not None and "Also in 2 other articles" in reuse.get_text()
    photo = quote.select_one(".photo-reuse.credit-conflict")
    assert photo is not None and "credits differ" in photo.get_text()


def test_the_json_carries_story_and_reuse_links(client: FlaskClient, index_dir: Path) -> None:
    data = client.get("/api/articles/quote-1").get_json()
    assert data["story"]["id"] and data["versions"] == []
    assert data["paragraph_reuse"][0]["articles"][0]["article_id"] == "quote-2"
    assert data["photo_reuse"][0]["credit_conflict"] is True
    out = CliRunner().invoke(cli, ["show", "copy", "--index", str(index_dir), "--json"]).stdout
    shown = json.loads(out)
    assert shown["story"]["lead"]["article_id"] == "lead"
    assert shown["versions"][0]["paragraphs"][2]["change"] == "removed"
