"""Publication and modification dates of HTML pages: every source, and their order of trust
(JSON-LD, meta tags, <time>, the URL, the byline line)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer.ingest.html.page import parse_html
from indexer.ingest.html.written_dates import line_dates, url_date, written_date

BODY = (
    "<article><h1>Bridge closes</h1>{byline}"
    "<p>The council voted on Tuesday to close the old bridge, citing cracks found by engineers "
    "during a routine inspection last month.</p>"
    "<p>Residents who cross it daily said the decision, while expected, would add twenty "
    "minutes to their commute, and asked for a ferry.</p></article>"
)


def _page(head: str = "", byline: str = "", canonical: str | None = None) -> bytes:
    link = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    return (
        f"<html><head><title>Bridge closes</title>{link}{head}</head>"
        f"<body>{BODY.format(byline=byline)}</body></html>"
    ).encode()


def _ld(published: str, modified: str | None = None, cdata: bool = False) -> str:
    mod = f', "dateModified": "{modified}"' if modified else ""
    data = f'{{"@type": "NewsArticle", "datePublished": "{published}"{mod}}}'
    if cdata:
        data = f"<![CDATA[ {data} ]]>"
    return f"<script type='application/ld+json'>{data}</script>"


def _meta(prop: str, value: str) -> str:
    return f"<meta property='{prop}' content='{value}'>"


def test_json_ld_gives_both_dates_and_beats_meta_tags() -> None:
    head = _ld("2023-10-17T08:00:00+02:00", "2023-10-18T09:30:00Z") + _meta(
        "article:published_time", "2020-01-01T00:00:00Z"
    )
    article = parse_html(_page(head), "p.html")
    assert article.published == datetime(2023, 10, 17, 6, 0, tzinfo=UTC)
    assert article.modified == datetime(2023, 10, 18, 9, 30, tzinfo=UTC)


def test_json_ld_in_a_cdata_section_is_read() -> None:
    article = parse_html(_page(_ld("2024-12-06T22:00:40Z", cdata=True)), "p.html")
    assert article.published == datetime(2024, 12, 6, 22, 0, 40, tzinfo=UTC)


def test_meta_tags_give_both_dates() -> None:
    head = _meta("article:published_time", "2019-11-20T09:28:00Z") + _meta(
        "article:modified_time", "2019-11-21T10:00:00Z"
    )
    article = parse_html(_page(head), "p.html")
    assert article.published == datetime(2019, 11, 20, 9, 28, tzinfo=UTC)
    assert article.modified == datetime(2019, 11, 21, 10, 0, tzinfo=UTC)


def test_time_elements_tell_the_update_from_the_publication() -> None:
    byline = (
        "<p class='meta'><time class='updated' datetime='2019-11-21T10:00:00Z'>Nov 21</time> "
        "<time datetime='2019-11-20T09:00:00Z'>Nov 20</time></p>"
    )
    article = parse_html(_page(byline=byline), "p.html")
    assert article.published == datetime(2019, 11, 20, 9, 0, tzinfo=UTC)
    assert article.modified == datetime(2019, 11, 21, 10, 0, tzinfo=UTC)


def test_the_url_day_comes_before_the_byline_line() -> None:
    url = "https://example.com/news/2019/11/19/bridge-closes/"
    byline = "<p>By Jane Doe | Nov. 25, 2019, 9:28 AM UTC</p>"
    article = parse_html(_page(byline=byline, canonical=url), "p.html")
    assert article.published == datetime(2019, 11, 19, tzinfo=UTC)


def test_the_byline_line_gives_the_time_of_the_url_day() -> None:
    url = "https://example.com/news/2019/11/20/bridge-closes/"
    byline = "<p>By Jane Doe | Nov. 20, 2019, 9:28 AM EST</p>"
    article = parse_html(_page(byline=byline, canonical=url), "p.html")
    assert article.published == datetime(2019, 11, 20, 14, 28, tzinfo=UTC)


def test_the_byline_line_alone_gives_both_dates() -> None:
    byline = "<p>Nov. 20, 2019, 9:28 AM UTC / Updated Nov. 21, 2019, 1:05 PM UTC</p>"
    article = parse_html(_page(byline=byline), "p.html")
    assert article.published == datetime(2019, 11, 20, 9, 28, tzinfo=UTC)
    assert article.modified == datetime(2019, 11, 21, 13, 5, tzinfo=UTC)
    assert not any("2019" in p for p in article.paragraphs)


def test_meta_dates_beat_the_byline_line() -> None:
    head = _meta("article:published_time", "2019-11-18T07:00:00Z")
    byline = "<p>Nov. 20, 2019, 9:28 AM UTC</p>"
    article = parse_html(_page(head, byline), "p.html")
    assert article.published == datetime(2019, 11, 18, 7, 0, tzinfo=UTC)


def test_a_modification_no_later_than_the_publication_is_dropped() -> None:
    article = parse_html(_page(_ld("2023-10-17T08:00:00Z", "2023-10-17T08:00:00Z")), "p.html")
    assert article.modified is None


def test_modified_is_in_the_article_json() -> None:
    article = parse_html(_page(_ld("2023-10-17T08:00:00Z", "2023-10-18T08:00:00Z")), "p.html")
    assert article.to_json()["modified"] == "2023-10-18T08:00:00+00:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nov. 20, 2019, 9:28 AM UTC", datetime(2019, 11, 20, 9, 28, tzinfo=UTC)),
        (
            "Updated 3:27 am PST, Wednesday, November 20, 2019",
            datetime(2019, 11, 20, 11, 27, tzinfo=UTC),
        ),
        ("04.05.2015 à 13h36", datetime(2015, 5, 4, 13, 36, tzinfo=UTC)),
        ("1 novembre 2021", datetime(2021, 11, 1, tzinfo=UTC)),
        ("Published 2021-11-01", datetime(2021, 11, 1, tzinfo=UTC)),
        ("no date here at all", None),
        ("Feb. 30, 2019", None),
    ],
)
def test_written_dates(text: str, expected: datetime | None) -> None:
    assert written_date(text) == expected


def test_line_dates_split_at_the_update_word() -> None:
    published, modified = line_dates(
        "Le Monde | 04.05.2015 à 13h36 • Mis à jour le 05.05.2015 à 20h13 | Par Martin Dupont"
    )
    assert published == datetime(2015, 5, 4, 13, 36, tzinfo=UTC)
    assert modified == datetime(2015, 5, 5, 20, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/2019/11/19/story/", datetime(2019, 11, 19, tzinfo=UTC)),
        ("https://x.com/news/20191120-story.html", datetime(2019, 11, 20, tzinfo=UTC)),
        ("https://x.com/2019/13/45/story/", None),
        ("https://2019.example.com/story/12345", None),
        (None, None),
    ],
)
def test_url_dates(url: str | None, expected: datetime | None) -> None:
    assert url_date(url) == expected


def test_modified_survives_the_index(tmp_path: Path) -> None:
    from indexer import index_articles, open_index

    page = _page(_ld("2023-10-17T08:00:00Z", "2023-10-18T08:00:00Z"))
    article = parse_html(page, "p.html")
    index_articles(tmp_path / "ix", [article])
    with open_index(tmp_path / "ix") as ix:
        stored = ix.article(article.id)
        assert stored is not None
        assert stored.modified == datetime(2023, 10, 18, 8, 0, tzinfo=UTC)
        assert stored.published == datetime(2023, 10, 17, 8, 0, tzinfo=UTC)
        assert [a.to_json().get("modified") for a in ix.articles()] == ["2023-10-18T08:00:00+00:00"]
