"""Article languages: detected from HTML pages, stored, shown, exported, faceted and filtered
with ``lang:``, and part of the content hash (a re-index of the same pages changes nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import QueryError, index_articles, open_index
from indexer.engine.base import needed_capabilities
from indexer.ingest.html.page import parse_html
from indexer.ingest.language import detect_language
from indexer.model import Article, article_from_json
from indexer.query.parser import parse_query

PAGES = {
    "fr.html": (
        "Le Parlement adopte la loi sur le renseignement",
        [
            "Les députés ont adopté mardi, à une large majorité, le projet de loi sur le "
            "renseignement, malgré les critiques des associations de défense des libertés.",
            "Le texte doit maintenant être examiné par le Sénat au mois de juin, a précisé le "
            "gouvernement dans un communiqué publié dans la soirée.",
        ],
    ),
    "en.html": (
        "Parliament passes the surveillance bill",
        [
            "Lawmakers approved the surveillance bill on Tuesday by a wide margin, despite "
            "criticism from civil liberties groups across the country.",
            "The text now goes to the Senate in June, the government said in a statement "
            "released late in the evening.",
        ],
    ),
}


def _html(headline: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{headline}</title></head><body><article><h1>{headline}</h1>"
        f"{body}</article></body></html>"
    ).encode()


@pytest.fixture()
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, (headline, paragraphs) in PAGES.items():
        (folder / name).write_bytes(_html(headline, paragraphs))
    return folder


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], capture_output=True, text=True, check=False
    )


def test_html_pages_get_their_language() -> None:
    french = parse_html(_html(*PAGES["fr.html"]), "fr.html")
    english = parse_html(_html(*PAGES["en.html"]), "en.html")
    assert (french.language, english.language) == ("fr", "en")
    assert french.to_json()["language"] == "fr"


def test_too_little_text_has_no_language() -> None:
    assert detect_language(["OK", "12:30"]) is None


def test_language_is_part_of_the_content_hash() -> None:
    plain = Article(id="a", headline="Bridge closes", paragraphs=("The bridge closed.",))
    tagged = Article(
        id="a", headline="Bridge closes", paragraphs=("The bridge closed.",), language="en"
    )
    assert plain.content_hash() != tagged.content_hash()


def test_language_tags_in_json_are_normalised_and_checked() -> None:
    article = article_from_json({"headline": "x", "language": "pt_BR"})
    assert article.language == "pt-br"
    with pytest.raises(ValueError, match="'language' must be a language tag"):
        article_from_json({"headline": "x", "language": "not a language"})


def test_indexed_language_is_shown_exported_faceted_and_filtered(
    pages: Path, tmp_path: Path
) -> None:
    index = tmp_path / "ix"
    first = _run("index", str(pages), "--index", str(index), "--quiet")
    assert first.returncode == 0, first.stderr
    show = _run("show", "--index", str(index), "--json", _id_of(index, "fr"))
    assert json.loads(show.stdout)["language"] == "fr"
    text = _run("show", "--index", str(index), _id_of(index, "fr"))
    assert "language: fr" in text.stdout
    exported = [
        json.loads(line) for line in _run("export", "--index", str(index)).stdout.splitlines()
    ]
    assert sorted(a["language"] for a in exported) == ["en", "fr"]
    with open_index(index) as ix:
        results = ix.search("projet OR bill OR senate OR sénat")
        assert set(results.facets["language"]) == {"en", "fr"}
        french = ix.search("projet OR bill OR senate OR sénat lang:fr")
        assert {r.article_id for r in french.results} == {_id_of(index, "fr")}
        assert french.facets["language"] == {"fr": french.total_hits}
        assert [r["language"] for r in french.to_json()["results"]] == ["fr"]
    again = _run("index", str(pages), "--index", str(index))
    assert "2 unchanged" in again.stderr, again.stderr


def test_lang_finds_regional_tags(tmp_path: Path) -> None:
    articles = [
        article_from_json({"id": "br", "headline": "Tite fala", "language": "pt-BR"}),
        article_from_json({"id": "pt", "headline": "Tite fala", "language": "pt"}),
        article_from_json({"id": "es", "headline": "Tite fala", "language": "es"}),
    ]
    index_articles(tmp_path / "ix", articles)
    with open_index(tmp_path / "ix") as ix:
        found = ix.search("tite lang:pt")
        assert {r.article_id for r in found.results} == {"br", "pt"}
        assert ix.search("tite lang:pt-br").total_articles == 1


def test_lang_needs_its_capability() -> None:
    assert "lang" in needed_capabilities(parse_query("putin lang:fr"))
    assert "lang" not in needed_capabilities(parse_query("putin source:ap"))


def test_an_unknown_field_error_lists_lang() -> None:
    with pytest.raises(QueryError, match="lang:"):
        parse_query("nope:x")


def _id_of(index: Path, language: str) -> str:
    with open_index(index) as ix:
        for article in ix.articles():
            if article.language == language:
                return article.id
    raise AssertionError(f"no {language} article")
