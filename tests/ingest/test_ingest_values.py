"""One bad value in one article must cost that article, not the run (issue 19, points 3 and 5):
out-of-range dates and hostile JSON values become a ParseError at parse time, a huge headline is
stored once per article, and UTF-16/UTF-32 files are recognised by their byte order mark."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from indexer import (
    ParseError,
    article_from_json,
    index_articles,
    iter_articles,
    open_index,
)
from indexer.engine.whoosh import documents
from indexer.engine.whoosh.writer import create_whoosh
from indexer.ingest.html.page import parse_html
from indexer.ingest.jsonl import parse_jsonl
from indexer.model import parse_published

GOOD_BEFORE = 2000


def good(i: int) -> dict[str, Any]:
    return {
        "id": f"g{i}",
        "headline": f"Harbour council story {i}",
        "published": "2023-10-17T10:00:00+02:00",
        "paragraphs": [f"The council met about the harbour, item {i}."],
    }


def run_index(path: Path, index: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(path), "--index", str(index)]
        + ["--procs", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def indexed_ids(index: Path) -> set[str]:
    with open_index(index) as ix:
        return set(ix.article_ids())


# --- a bad date on line 2,001 of a real run with two writing processes ------------------------


@pytest.mark.parametrize("published", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"])
def test_out_of_range_date_costs_one_line_not_the_run(tmp_path: Path, published: str) -> None:
    lines = [json.dumps(good(i)) for i in range(GOOD_BEFORE)]
    lines.append(json.dumps({"id": "bad", "headline": "Bad date", "published": published}))
    lines += [json.dumps(good(i)) for i in range(GOOD_BEFORE, GOOD_BEFORE + 50)]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_index(path, tmp_path / "ix")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = error_lines(done.stderr)
    assert line.startswith(f"error: {path}:{GOOD_BEFORE + 1}: date out of range")
    assert published in line
    assert indexed_ids(tmp_path / "ix") == {f"g{i}" for i in range(GOOD_BEFORE + 50)}


# Each of these once reached the writer (or escaped the JSON reader) and ended the whole run.
HOSTILE: dict[str, str] = {
    "caption date before year 1 in UTC": json.dumps(
        {"headline": "h", "captions": [{"text": "c", "date": "0001-01-01T00:30:00+01:00"}]}
    ),
    "occurrences past 32 bits": json.dumps(
        {"headline": "h", "captions": [{"text": "c", "occurrences": 2**31}]}
    ),
    "occurrences of 20 digits": json.dumps(
        {"headline": "h", "captions": [{"text": "c", "occurrences": 10**20}]}
    ),
    "an integer of 5,000 digits": '{"headline": "h", "n": ' + "7" * 5000 + "}",
    "arrays nested 100,000 deep": '{"headline": "h", "n": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "a lone surrogate in a paragraph": '{"headline": "h", "paragraphs": ["a \\ud800 b"]}',
    "a lone surrogate in the id": '{"id": "x\\udfff", "headline": "h"}',
    "a lone surrogate in the source": '{"headline": "h", "source": "\\udc00AP"}',
    "a lone surrogate in the body": '{"headline": "h", "body": "one\\n\\ntwo \\ud83d"}',
}

# Wrong types that used to be ignored in silence; now said, like every other wrong type.
WRONG_TYPES: dict[str, str] = {
    "a caption date that is a number": json.dumps(
        {"headline": "h", "captions": [{"text": "c", "date": 20231017}]}
    ),
    "a body that is a number": json.dumps({"headline": "h", "body": 5}),
}


def test_every_hostile_value_costs_one_line_not_the_run(tmp_path: Path) -> None:
    lines = [json.dumps(good(i)) for i in range(200)]
    bad_lines: dict[int, str] = {}
    for n, (what, line) in enumerate({**HOSTILE, **WRONG_TYPES}.items()):
        lines.append(line)
        bad_lines[len(lines)] = what
        lines.append(json.dumps(good(1000 + n)))
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_index(path, tmp_path / "ix")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "this is a bug" not in done.stderr
    errors = error_lines(done.stderr)
    assert [e.split(":")[2] for e in errors] == [str(n) for n in bad_lines], errors
    assert all(e.startswith(f"error: {path}:") for e in errors)
    expected = {f"g{i}" for i in range(200)} | {f"g{1000 + n}" for n in range(len(bad_lines))}
    assert indexed_ids(tmp_path / "ix") == expected


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (HOSTILE["caption date before year 1 in UTC"], "date out of range"),
        (HOSTILE["occurrences past 32 bits"], "at most 2147483647"),
        (HOSTILE["an integer of 5,000 digits"], "invalid JSON: Exceeds the limit"),
        (HOSTILE["arrays nested 100,000 deep"], "invalid JSON: nested too deeply"),
        (HOSTILE["a lone surrogate in a paragraph"], "'paragraphs' holds an unpaired surrogate"),
        (HOSTILE["a lone surrogate in the id"], "'id' holds an unpaired surrogate"),
        (WRONG_TYPES["a caption date that is a number"], "caption 'date' must be an ISO 8601"),
        (WRONG_TYPES["a body that is a number"], "'body' must be a string"),
    ],
)
def test_hostile_values_are_parse_errors_naming_the_line(line: str, message: str) -> None:
    stream = [json.dumps(good(1)), line, json.dumps(good(2))]
    items = list(parse_jsonl(_Lines(stream), "x.jsonl"))
    assert [type(i).__name__ for i in items] == ["Article", "ParseError", "Article"]
    error = items[1]
    assert isinstance(error, ParseError) and error.line == 2
    assert message in str(error) and "\n" not in str(error)


class _Lines:
    """A byte stream of the given lines, for parse_jsonl."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = [(line + "\n").encode("utf-8") for line in lines]

    def readline(self, size: int = -1, /) -> bytes:
        return self._lines.pop(0) if self._lines else b""


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00+01:00", "0001-01-01T00:59:59.999999+01:00", "9999-12-31T23:00:00-05:00"],
)
def test_parse_published_refuses_instants_outside_years_1_to_9999(value: str) -> None:
    with pytest.raises(ValueError, match="date out of range"):
        parse_published(value)


def test_the_extreme_representable_dates_index_and_read_back(tmp_path: Path) -> None:
    """The edges that are valid stay valid: stored, sorted, shown, in their month facet."""
    first = article_from_json({"id": "y1", "headline": "Oldest", "published": "0001-01-01"})
    last = article_from_json(
        {"id": "y9", "headline": "Newest", "published": "9999-12-31T23:59:59.999999Z"}
    )
    index_articles(tmp_path / "ix", [first, last])
    with open_index(tmp_path / "ix") as ix:
        assert ix.article("y1") == first and ix.article("y9") == last
        found = ix.search("oldest OR newest", sort="newest")
        assert [a.article_id for a in found.results] == ["y9", "y1"]
        assert found.facets["month"] == {"9999-12": 1, "0001-01": 1}


def test_a_far_caption_date_in_a_text_file_is_kept(tmp_path: Path) -> None:
    page = tmp_path / "far.txt"
    page.write_text(
        "Far headline\n\nA photo of the harbour on Friday, Dec. 31, 9999. (AP Photo/Ann Lee)\n\n"
        "Body paragraph about the harbour.\n",
        encoding="utf-8",
    )
    (article,) = iter_articles([str(page)])
    assert not isinstance(article, ParseError)
    assert article.published is not None and article.published.year == 9999
    index_articles(tmp_path / "ix", [article])
    with open_index(tmp_path / "ix") as ix:
        assert ix.article(article.id) == article


@pytest.mark.parametrize(
    "meta",
    [
        '<meta property="article:published_time" content="0001-01-01T00:00:00+01:00">',
        '<meta property="article:published_time" content="9999-12-31T23:00:00-05:00">',
        '<time datetime="9999-12-31T23:30:00-01:00">today</time>',
    ],
)
def test_an_out_of_range_meta_date_is_ignored_not_the_page(meta: str) -> None:
    page = (
        f"<html><head><title>T</title>{meta}</head><body><h1>Harbour page</h1>"
        "<p>The council met about the harbour for a long evening of talks and votes.</p>"
        "<p>Another paragraph of the article about the harbour and its council.</p></body></html>"
    )
    article = parse_html(page.encode("utf-8"), "page.html")
    assert article.published is None
    assert article.paragraphs[0].startswith("The council met")


# --- a huge headline is stored once -----------------------------------------------------------

HUGE_HEADLINE = " ".join(f"head{i % 7000}" for i in range(120_000)) + " finalheadword"
TEN_PARAGRAPHS = [f"Paragraph {i} about the harbour council." for i in range(10)]


def test_a_1_mb_headline_is_stored_once(tmp_path: Path) -> None:
    assert len(HUGE_HEADLINE) > 1024 * 1024
    article = article_from_json(
        {"id": "big", "headline": HUGE_HEADLINE, "paragraphs": TEN_PARAGRAPHS}
    )
    index_articles(tmp_path / "ix", [article])
    raw = whoosh_index.open_dir(str(tmp_path / "ix"))
    with raw.searcher() as s:
        docs = sorted(s.documents(article_id="big"), key=lambda d: d["position"])
    assert len(docs) == 11
    # the first document also carries the article's fingerprint (docs/lineage.md), once
    stored_chars = [sum(len(str(v)) for k, v in d.items() if k != "lineage") for d in docs]
    assert docs[0]["kind"] == "headline" and docs[0]["text"] == HUGE_HEADLINE
    assert stored_chars[0] < len(HUGE_HEADLINE) + 200
    assert len(docs[0]["lineage"]) < 2000 and all("lineage" not in d for d in docs[1:])
    assert max(stored_chars[1:]) < 200, stored_chars
    # and it reads back whole: show/export, and a paragraph hit's result
    with open_index(tmp_path / "ix") as ix:
        assert ix.article("big") == article
        (result,) = ix.search('"paragraph 3"').results
        assert result.hits[0].kind == "paragraph" and result.headline == HUGE_HEADLINE
        # a word past the indexed prefix is still found in the headline document's text
        (tail,) = ix.search("finalheadword").results
        assert tail.hits[0].kind == "headline"


def test_indexed_headline_keeps_real_headlines_whole_and_cuts_at_a_word() -> None:
    real = "CORRECTED - MEDIA GENERAL INC UPS ANNUAL DIV TO 68 CTS/SHR FROM 64 CTS, SETS STOCK"
    assert documents.indexed_headline(real) == real
    cut = documents.indexed_headline(HUGE_HEADLINE)
    assert len(cut) <= documents.HEADLINE_INDEXED_CHARS and HUGE_HEADLINE.startswith(cut + " ")
    assert len(documents.indexed_headline("x" * 5000)) == documents.HEADLINE_INDEXED_CHARS


def test_a_paragraph_hit_shows_its_articles_headline(build_index: Any) -> None:
    index = build_index(
        articles=[
            {"id": "a", "headline": "Storm closes harbour", "paragraphs": ["Ferries stopped."]},
            {"id": "b", "headline": "Council budget", "paragraphs": ["Ferries got money."]},
        ]
    )
    with open_index(index) as ix:
        found = ix.search("ferries")
        by_id = {a.article_id: a for a in found.results}
        assert {k: (v.headline, v.hits[0].kind) for k, v in by_id.items()} == {
            "a": ("Storm closes harbour", "paragraph"),
            "b": ("Council budget", "paragraph"),
        }


def test_the_headline_is_found_wherever_its_document_sits(tmp_path: Path) -> None:
    """Documents out of reading order (as when an article is split between two writing
    processes' segments), an updated article, and one with no headline at all."""
    moved = article_from_json(
        {"id": "moved", "headline": "Moved harbour story", "paragraphs": ["Ferries one.", "Two."]}
    )
    ix = create_whoosh(tmp_path / "ix")
    with ix.writer() as writer:
        for doc in reversed(documents.article_documents(moved, moved.content_hash())):
            writer.add_document(**doc)
    old = {"id": "upd", "headline": "Old ferry headline", "paragraphs": ["Ferries stopped."]}
    index_articles(tmp_path / "ix", [article_from_json(old)])
    index_articles(
        tmp_path / "ix",
        [
            article_from_json({**old, "headline": "New ferry headline"}),
            article_from_json({"id": "bare", "paragraphs": ["Ferries without a headline."]}),
        ],
    )
    with open_index(tmp_path / "ix") as news:
        found = {r.article_id: r for r in news.search("ferries").results}
        assert {k: r.headline for k, r in found.items()} == {
            "moved": "Moved harbour story",
            "upd": "New ferry headline",
            "bare": None,
        }
        assert all(r.hits[0].kind == "paragraph" for r in found.values())
        assert news.article("moved") == moved


def test_an_index_with_the_headline_in_every_document_still_reads(tmp_path: Path) -> None:
    """Indexes written before this change store the headline in every document."""
    article = article_from_json(
        {"id": "old", "headline": "Old harbour story", "paragraphs": ["Ferries stopped."]}
    )
    ix = create_whoosh(tmp_path / "ix")
    with ix.writer() as writer:
        for doc in documents.article_documents(article, article.content_hash()):
            doc.pop("_stored_headline", None)
            doc["headline"] = article.headline
            writer.add_document(**doc)
    with open_index(tmp_path / "ix") as news:
        assert news.article("old") == article
        (result,) = news.search("ferries").results
        assert result.headline == "Old harbour story"


# --- byte order marks -------------------------------------------------------------------------

TEXT = "Wide harbour headline\n\nThe café by the harbour closed for the storm.\n\nSecond part.\n"
JSONL = "".join(
    json.dumps({"id": f"w{i}", "headline": f"Wide café {i}", "paragraphs": ["Zoë\u2028spoke."]})
    + "\n"
    for i in range(3)
)
HTML = (
    "<!doctype html><html><head><title>Wide page</title></head><body><h1>Wide harbour page</h1>"
    + "<p>The café by the harbour closed for the storm, the council said on Monday.</p>" * 3
    + "</body></html>"
)


BOMS = {
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}


@pytest.mark.parametrize("encoding", list(BOMS))
@pytest.mark.parametrize(("content", "kind"), [(TEXT, "text"), (JSONL, "jsonl"), (HTML, "html")])
def test_a_wide_file_without_extension_is_read_by_its_bom(
    tmp_path: Path, encoding: str, content: str, kind: str
) -> None:
    path = tmp_path / "story"  # no extension: the kind comes from the (decoded) content
    path.write_bytes(BOMS[encoding] + content.encode(encoding))
    counted: list[int] = []
    items = list(iter_articles([str(path)], on_bytes=counted.append))
    assert not [i for i in items if isinstance(i, ParseError)], items
    articles = [i for i in items if not isinstance(i, ParseError)]
    if kind == "jsonl":
        assert [a.headline for a in articles] == ["Wide café 0", "Wide café 1", "Wide café 2"]
        assert articles[0].paragraphs == ("Zoë spoke.",)
    elif kind == "html":
        (article,) = articles
        assert article.headline == "Wide harbour page"
        assert "café" in article.paragraphs[0]
    else:
        (article,) = articles
        assert article.headline == "Wide harbour headline"
        assert article.paragraphs[0] == "The café by the harbour closed for the storm."
    assert sum(counted) == path.stat().st_size  # the progress bar counts the file's bytes


def test_a_utf8_bom_jsonl_without_extension_is_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "export"
    path.write_bytes(b"\xef\xbb\xbf" + JSONL.encode("utf-8"))
    items = list(iter_articles([str(path)]))
    assert [getattr(i, "headline", i) for i in items] == [f"Wide café {i}" for i in range(3)]


def test_a_utf16_file_indexes_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "notes"
    path.write_bytes(TEXT.encode("utf-16"))  # Python writes the platform's BOM first
    done = run_index(path, tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    with open_index(tmp_path / "ix") as ix:
        (result,) = ix.search("café").results
        assert result.headline == "Wide harbour headline"
