"""The body rules added for issue 17: asides beside a short story, byline lines, linked lines
inside the story's run of paragraphs. Each page is small and written here, so the rule it
checks is the only thing that decides the outcome."""

from __future__ import annotations

import pytest

from indexer.ingest.html.byline import is_byline_line
from indexer.ingest.html.page import parse_html

STORY = [
    "The council voted on Tuesday to close the old bridge, citing cracks found by engineers "
    "during a routine inspection last month.",
    "Residents who cross it daily said the decision, while expected, would add twenty minutes "
    "to their commute, and asked for a ferry.",
    "The mayor said repairs would start in the spring, once the budget for the work is agreed "
    "by the regional government.",
]
LIVE = [
    f"Live update {i}: the weather service warned of storms, flooding and road closures "
    f"across the region, and schools in the north were told to close early, officials said."
    for i in range(12)
]


def _page(article: str, extra: str = "") -> bytes:
    return (
        "<html><head><title>Bridge closes</title></head><body>"
        f"<div id='content'><article><h1>Bridge closes</h1>{article}</article>{extra}</div>"
        "</body></html>"
    ).encode()


def _paragraphs(html: str) -> str:
    return "".join(f"<p>{p}</p>" for p in html.split("\n"))


def test_a_big_aside_beside_a_short_story_is_left_out() -> None:
    aside = "<aside id='sidebar'><ul>" + "".join(f"<li><p>{t}</p></li>" for t in LIVE) + "</ul>"
    article = parse_html(_page(_paragraphs("\n".join(STORY)), aside + "</aside>"), "p.html")
    assert article.paragraphs == tuple(STORY)


def test_byline_and_date_lines_are_not_body_text() -> None:
    lines = "<p>Nov. 20, 2019, 9:28 AM UTC</p><p>By Phil Helsel</p>"
    article = parse_html(_page(lines + _paragraphs("\n".join(STORY))), "p.html")
    assert article.paragraphs == tuple(STORY)


def test_a_linked_line_inside_the_story_is_kept() -> None:
    linked = "<p>Read next: <a href='/a'>How the bridge was built in 1921</a></p>"
    body = _paragraphs("\n".join(STORY[:2])) + linked + f"<p>{STORY[2]}</p>"
    article = parse_html(_page(body), "p.html")
    assert "Read next: How the bridge was built in 1921" in article.paragraphs


def test_a_cluster_of_links_inside_a_paragraph_is_still_dropped() -> None:
    links = " ".join(f"<a href='/{i}'>Other story number {i}</a>" for i in range(4))
    body = _paragraphs("\n".join(STORY)) + f"<p>{links}</p>"
    article = parse_html(_page(body), "p.html")
    assert article.paragraphs == tuple(STORY)


@pytest.mark.parametrize(
    "line",
    [
        "By Jane Doe | Published 9:30 AM EST, Tue November 19, 2019",
        "Le Monde | 04.05.2015 à 13h36 • Mis à jour le 05.05.2015 à 20h13 | Par Martin Dupont",
        "Updated 3:27 am PST, Wednesday, November 20, 2019",
        "By Reuters",
    ],
)
def test_byline_lines_are_recognised(line: str) -> None:
    assert is_byline_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "By Tuesday, the storm had reached the coast and thousands of homes were without power.",
        "Feb. 21, 2019",
        "The meeting on Nov. 20 ended without agreement, and talks resume next week in Geneva.",
    ],
)
def test_prose_and_bare_dates_are_not_byline_lines(line: str) -> None:
    assert not is_byline_line(line)


def test_an_embedded_post_the_story_quotes_is_kept() -> None:
    tweet = (
        "<div class='article-widget article-tweet'><blockquote class='twitter-tweet'>"
        "<p>I can't thank this man enough, he taught me so much and I wish him luck.</p>"
        "&mdash; A Player (@player) <a href='https://t.co/x'>November 20, 2019</a>"
        "</blockquote></div>"
    )
    promo = "<div class='article-widget'><p>Download our app for the latest scores.</p></div>"
    body = _paragraphs("\n".join(STORY[:2])) + tweet + promo + f"<p>{STORY[2]}</p>"
    article = parse_html(_page(body), "p.html")
    assert "I can't thank this man enough, he taught me so much and I wish him luck." in (
        article.paragraphs
    )
    assert not any("Download our app" in p for p in article.paragraphs)


def test_a_gallerys_photo_counters_are_not_body_text() -> None:
    gallery = (
        "<div data-behavior='lightbox_trigger'><a href='#'><img src='a.jpg'></a>"
        "<div class='meta'>14</div><ul><li><a href='#'><div class='count'>+10</div></a></li>"
        "</ul></div>"
    )
    score = "<div class='rating'><p>87</p></div>"
    body = _paragraphs("\n".join(STORY[:2])) + gallery + score + f"<p>{STORY[2]}</p>"
    article = parse_html(_page(body), "p.html")
    # the review's score is not in a gallery: a bare number elsewhere stays
    assert article.paragraphs == (*STORY[:2], "87", STORY[2])


def test_a_block_between_two_parts_of_the_story_is_kept() -> None:
    part = "<div class='block'><div class='text'>{}</div></div>"
    gallery = "<div class='block'><section><h4>Gallery: the old bridge | 14 photos</h4></section>"
    links = "".join(f"<a href='/{i}'>Another story about bridges, number {i}</a>" for i in range(3))
    page = (
        "<html><body><article><h1>Bridge closes</h1>"
        + part.format(_paragraphs("\n".join(STORY[:2])))
        + gallery
        + f"</div><div class='block'><p>{links}</p></div>"
        + part.format(_paragraphs(STORY[2] + "\n" + LIVE[0]))
        + "</article></body></html>"
    )
    article = parse_html(page.encode(), "p.html")
    assert article.paragraphs == (
        *STORY[:2],
        "Gallery: the old bridge | 14 photos",
        STORY[2],
        LIVE[0],
    )
