"""The HTML article parser: metadata, body, captions, boilerplate and hostile input."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from indexer.errors import ParseError
from indexer.ingest.html.page import MAX_BYTES, looks_like_html, parse_html
from indexer.model import Article, Caption

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html"
SHARED_HTML = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "html"


def parse_fixture(name: str) -> Article:
    return parse_html((FIXTURES / name).read_bytes(), name)


def test_json_ld_article_metadata_wins_over_opengraph() -> None:
    article = parse_fixture("jsonld_article.html")
    assert article.headline == "Island holds drills as tensions rise"
    assert article.url == "https://example.com/news/island-drills"
    assert article.id == "https://example.com/news/island-drills"
    assert article.published == datetime(2023, 10, 17, 0, 30, tzinfo=UTC)
    assert article.source == "Example News"
    assert article.byline == "Jane Doe, John Roe"
    assert article.dateline == "TAIPEI, Taiwan"


def test_body_keeps_article_paragraphs_and_drops_boilerplate() -> None:
    article = parse_fixture("jsonld_article.html")
    assert article.paragraphs == (
        "TAIPEI, Taiwan (AP) — Taiwan held military drills on Tuesday, the defense ministry "
        "said, as tensions with its neighbour rose for a third week.",
        "The exercises, which lasted several hours, involved tanks, helicopters and about "
        "2,000 troops, officials told reporters at a briefing in the capital.",
        "Residents near the coast were told to expect loud noise until the evening, and some "
        "roads were closed to traffic.",
    )
    everything = " ".join(article.paragraphs + tuple(c.text for c in article.captions))
    for junk in ("cookies", "Home", "Share", "Advertisement", "Related", "reader comment",
                 "newsletter", "Copyright", "tracking", "font-family"):  # fmt: skip
        assert junk not in everything


def test_figure_caption_with_credit_element_and_date() -> None:
    article = parse_fixture("jsonld_article.html")
    assert article.captions == (
        Caption(
            "Soldiers take part in a drill in Taipei, Taiwan, Tuesday, Oct. 17, 2023.",
            "Chiang Ying-ying/AP",
            date(2023, 10, 17),
            1,
        ),
    )


def test_opengraph_only_page() -> None:
    article = parse_fixture("opengraph_article.html")
    assert article.headline == "Pandas return to the zoo"
    assert article.url == "https://daily.example.org/2023/pandas"
    assert article.source == "Daily Example"
    assert article.byline == "Ng Reporter"
    assert article.published == datetime(2023, 11, 2, 14, 0, tzinfo=UTC)
    assert article.dateline is None
    assert article.paragraphs == (
        "Two giant pandas returned to the city zoo on Thursday after a year away, and visitors "
        "queued from early morning to see them.",
        "Keepers said the pair had settled in quickly, eating bamboo within hours of arriving "
        "in their renovated enclosure.",
    )


def test_trailing_credits_split_off_and_repeats_counted() -> None:
    article = parse_fixture("opengraph_article.html")
    assert article.captions == (
        Caption(
            "A giant panda eats bamboo at the zoo in Beijing, Thursday, Nov. 2, 2023.",
            "AP Photo/Ng Han Guan",
            date(2023, 11, 2),
            2,
        ),
        Caption("Visitors wait outside the panda house.", "Li Wei/Reuters", None, 1),
    )


def test_truncated_tag_soup_still_yields_the_text() -> None:
    article = parse_fixture("tagsoup_truncated.html")
    assert article.headline == "Storm hits coast"
    assert article.paragraphs == (
        "The storm reached the coast late on Monday night, bringing heavy rain and strong wind.",
        "Power was cut to thousands of homes across the region, the utility said.",
        "Officials urged people to stay indoors until the warning was lifted",
        "Schools will remain closed on Tuesday as crews clear fallen trees from the ro",
    )
    assert article.url is None
    assert article.id == Article.derive_id(
        url=None, headline="Storm hits coast", published=None, source=None
    )


def test_cp1252_bytes_are_decoded() -> None:
    article = parse_fixture("cp1252.html")
    assert article.headline == "Café owners “delighted”"
    assert article.paragraphs == (
        "The café’s owners said they were “delighted” with the award – their first in twenty "
        "years of trading.",
        "Prices will stay at £3 for a coffee, naïvely perhaps, they added.",
    )


def test_utf8_wins_over_a_wrong_declared_charset() -> None:
    page = '<meta charset="gb2312"><title>t</title><p>腾讯科技讯 人工智能迈上新台阶，这是一段正文。'
    article = parse_html(page.encode("utf-8"), "qq.html")
    assert article.paragraphs == ("腾讯科技讯 人工智能迈上新台阶，这是一段正文。",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty.html: empty file"),
        (b"  \n\t \n", "empty.html: empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20, "binary content"),
        (b"just some words, no markup at all", "no HTML markup"),
        (b"<html><body><nav><a href='/'>Home</a></nav></body></html>", "no article text"),
        (b"<html><head><title>Only a title</title></head></html>", "no article text"),
    ],
)
def test_unusable_input_is_a_one_line_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_html(data, "empty.html")
    text = str(caught.value)
    assert text.startswith("empty.html: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    "data",
    [
        b"<div>" * 20000 + b"deep text in a very deeply nested page, long enough to count",
        b"<p>" + b"<b><i>" * 5000 + b"unclosed inline soup with enough words to be a paragraph",
        b"<<<>>><p <a =>><//p>< / >&#xFFFFFFFF; &bogus; <p>text after garbage, long enough</p>",
        b"<table><tr><td><p>cell one with words</td><td>cell two</tr></table></p></td>",
        b"<html><body>" + "é".encode() * 3 + b"\xff\xfe\xfd <p>broken bytes in a page</p>",
        b"<svg><p>inside svg</p></svg><math><p>inside math</p></math><p>outside, enough words",
    ],
)
def test_hostile_markup_gives_an_article_or_a_parse_error(data: bytes) -> None:
    try:
        article = parse_html(data, "soup.html")
    except ParseError as exc:
        assert str(exc).startswith("soup.html: ")
    else:
        assert all(p.strip() for p in article.paragraphs)


def test_page_over_the_size_cap_is_read_up_to_the_cap() -> None:
    para = b"<p>" + b"A sentence about the news that goes on for a while, " * 20 + b"</p>\n"
    data = b"<html><body><article>" + para * (MAX_BYTES // len(para) + 50)
    article = parse_html(data, "huge.html")
    assert 0 < len(article.paragraphs) <= MAX_BYTES // len(para) + 1


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"<!DOCTYPE html>\n<html lang='en'>", True),
        (b"\xef\xbb\xbf  <html><head>", True),
        (b"<!-- saved page -->\n<!doctype html><html>", True),
        (b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        (b"<p>A fragment</p>", True),
        (b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS TOPICS="YES">', False),
        (b'{"headline": "<b>not html</b>"}', False),
        (b"Ad sales boost Time Warner profit\n\nQuarterly profits <at> US", False),
        (b'<?xml version="1.0"?><rss version="2.0">', False),
        (b"", False),
    ],
)
def test_looks_like_html(head: bytes, expected: bool) -> None:
    assert looks_like_html(head) is expected


# --- real pages ---------------------------------------------------------------------------------


def _f1(predicted: str, gold: str) -> float:
    pred = Counter(re.findall(r"\w+", predicted.lower()))
    ref = Counter(re.findall(r"\w+", gold.lower()))
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


needs_shared = pytest.mark.skipif(
    not SHARED_HTML.is_dir(), reason=f"shared HTML pages not found at {SHARED_HTML}"
)


@pytest.mark.shared
@needs_shared
@pytest.mark.parametrize(
    "page", ["zyte-hosted.ap.org-82b6d780", "zyte-usatoday.com-c58aa507", "zyte-bbc.com-c7e39ac4"]
)
def test_real_page_body_matches_gold(page: str) -> None:
    folder = SHARED_HTML / page
    gold = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))["articleBody"]
    article = parse_html((folder / "source.html").read_bytes(), "source.html")
    assert _f1("\n\n".join(article.paragraphs), gold) >= 0.9
    assert article.headline
    assert article.published is None or article.published.tzinfo is UTC


@pytest.mark.shared
@needs_shared
def test_real_page_placeholder_date_is_not_a_publication_date() -> None:
    # USA Today's JSON-LD says "0001-01-01T00:00:00Z" and the page has no other machine date:
    # the placeholder is ignored and the day comes from the URL (/2019/11/19/), the next
    # source in the order of trust (issue 17).
    folder = SHARED_HTML / "zyte-usatoday.com-c58aa507"
    article = parse_html((folder / "source.html").read_bytes(), "source.html")
    assert article.published == datetime(2019, 11, 19, tzinfo=UTC)
    assert article.modified is None
    assert article.byline == "Kevin Johnson and Kevin McCoy USA TODAY"


@pytest.mark.shared
@needs_shared
def test_real_page_declaring_gb2312_is_read_as_utf8() -> None:
    folder = SHARED_HTML / "readability-qq"
    expected = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    article = parse_html((folder / "source.html").read_bytes(), "source.html")
    assert article.headline is not None and "DeepMind" in article.headline
    assert "人工智能" in article.headline
    assert "\ufffd" not in " ".join(article.paragraphs)
    assert expected["title"].startswith(article.headline[:10])
