"""Article JSON Lines and the article JSON form."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, date, datetime

import pytest

from indexer.errors import ParseError
from indexer.ingest.jsonl import parse_jsonl
from indexer.model import article_from_json, parse_published

FULL = {
    "id": "ap-123",
    "url": "https://example.com/a",
    "headline": "Putin begins visit in China",
    "published": "2023-10-17T08:00:00+02:00",
    "source": "AP",
    "byline": "By Jim Heintz",
    "dateline": "TAIPEI, Taiwan",
    "paragraphs": ["First  paragraph.", "Second paragraph."],
    "captions": [
        {"text": "Putin arrives.", "credit": "Parker Song/Pool Photo via AP",
         "date": "2023-10-17", "occurrences": 3},
    ],
    "notes": ["Associated Press writer contributed to this report."],
}


def test_full_article():
    article = article_from_json(FULL)
    assert article.id == "ap-123"
    assert article.published == datetime(2023, 10, 17, 6, 0, tzinfo=UTC)
    assert article.paragraphs == ("First paragraph.", "Second paragraph.")
    assert article.captions[0].credit == "Parker Song/Pool Photo via AP"
    assert article.captions[0].date == date(2023, 10, 17)
    assert article.captions[0].occurrences == 3
    assert article.notes == ("Associated Press writer contributed to this report.",)


def test_to_json_round_trip():
    article = article_from_json(FULL)
    assert article_from_json(json.loads(json.dumps(article.to_json()))) == article


def test_body_is_split_into_paragraphs():
    article = article_from_json({"headline": "H", "body": "One.\n\nTwo\nlines.\n\n\nThree."})
    assert article.paragraphs == ("One.", "Two lines.", "Three.")


def test_headline_only_and_derived_ids():
    a = article_from_json({"headline": "Only a headline", "published": "2023-10-17"})
    b = article_from_json({"headline": "Only  a headline", "published": "2023-10-17T09:00"})
    assert a.paragraphs == ()
    assert a.id == b.id  # same story, same day: the same derived id
    c = article_from_json({"url": "https://x.test/story", "headline": "Whatever"})
    assert c.id == "https://x.test/story"


def test_identical_captions_merge():
    article = article_from_json(
        {"headline": "H", "captions": [{"text": "A photo."}, "A photo.", {"text": "Other."}]}
    )
    assert [(c.text, c.occurrences) for c in article.captions] == [("A photo.", 2), ("Other.", 1)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-10-17", datetime(2023, 10, 17, tzinfo=UTC)),
        ("2023-10-17T08:00:00", datetime(2023, 10, 17, 8, tzinfo=UTC)),
        ("2023-10-17T08:00:00Z", datetime(2023, 10, 17, 8, tzinfo=UTC)),
        ("2023-10-17T08:00:00-05:00", datetime(2023, 10, 17, 13, tzinfo=UTC)),
    ],
)
def test_parse_published(value, expected):
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "must be a JSON object"),
        ({"url": "u"}, "neither 'headline' nor 'paragraphs'"),
        ({"headline": "H", "published": "yesterday"}, "not an ISO 8601 date"),
        ({"headline": "H", "paragraphs": "text"}, "'paragraphs' must be a list"),
        ({"headline": 3}, "'headline' must be a string"),
        ({"headline": "H", "id": ""}, "'id' must be a non-empty string"),
        ({"headline": "H", "captions": [{"text": "c", "occurrences": 0}]}, "positive integer"),
    ],
)
def test_invalid_articles(obj, message):
    with pytest.raises(ValueError, match=message):
        article_from_json(obj)


def _lines(*lines: str) -> io.BytesIO:
    return io.BytesIO("".join(line + "\n" for line in lines).encode())


def test_bad_lines_are_reported_and_the_rest_kept():
    stream = _lines(
        json.dumps({"headline": "One"}),
        "{not json",
        "",
        json.dumps({"url": "no text"}),
        json.dumps({"headline": "Two"}),
    )
    items = list(parse_jsonl(stream, "batch.jsonl"))
    assert [type(i).__name__ for i in items] == ["Article", "ParseError", "ParseError", "Article"]
    assert str(items[1]).startswith("batch.jsonl:2: invalid JSON")
    assert str(items[2]) == "batch.jsonl:4: article has neither 'headline' nor 'paragraphs'"


def test_empty_and_binary_jsonl():
    assert [str(e) for e in parse_jsonl(io.BytesIO(b"\n\n"), "e.jsonl")] == [
        "e.jsonl: empty file: no JSON lines"
    ]
    items = list(parse_jsonl(io.BytesIO(b"\x00\x01{}\n{}\n"), "b.jsonl"))
    assert len(items) == 1 and isinstance(items[0], ParseError)
    assert "binary" in str(items[0])


def test_gzip_stream():
    data = gzip.compress((json.dumps({"headline": "Zipped"}) + "\n").encode())
    items = list(parse_jsonl(gzip.GzipFile(fileobj=io.BytesIO(data)), "z.jsonl.gz"))
    assert [i.headline for i in items] == ["Zipped"]  # type: ignore[union-attr]
