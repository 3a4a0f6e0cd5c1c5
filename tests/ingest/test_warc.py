"""Web archives in: WARC and ARC records to articles with their captures, skips counted by kind,
damaged files read up to the damage. Every archive is written here, at test time, with warcio
(ARC by hand: warcio reads it but does not write it)."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from indexer import NewsIndex, index_articles, iter_articles, open_index
from indexer.cli.commands import cli
from indexer.errors import ParseError
from indexer.ingest.frontpage import is_link_index
from indexer.ingest.html.page import parse_html
from indexer.ingest.warc import NOT_ARTICLE, looks_like_warc
from indexer.model import Article

from ..conftest import shared_path

PARAGRAPHS = [
    "The harbour authority said on Monday that the new quay would open to container ships "
    "next spring, two years later than first planned, after storms damaged the foundations.",
    "Engineers found cracks in three of the concrete caissons during an inspection in March, "
    "and the contractor agreed to replace them at its own cost, officials told reporters.",
    "Local fishermen, who had opposed the project from the start, welcomed the delay and "
    "asked for a new study of how the quay changes the currents near the river mouth.",
]


def article_page(url: str, headline: str, extra: str = "") -> bytes:
    body = "".join(f"<p>{p} {extra}</p>" for p in PARAGRAPHS)
    return (
        f"<html><head><title>{headline}</title><link rel='canonical' href='{url}'>"
        "<meta property='article:published_time' content='2023-05-02T09:00:00Z'></head>"
        f"<body><article><h1>{headline}</h1>{body}</article></body></html>"
    ).encode()


def section_front() -> bytes:
    teasers = "".join(
        f"<li><a href='/news/{n}'>Headline number {n} about the harbour and the city council "
        f"budget vote</a> <span>{n} min</span></li>"
        for n in range(40)
    )
    return (
        "<html><head><title>News - Example Herald</title></head><body><h1>News</h1>"
        f"<p>The latest stories.</p><ul>{teasers}</ul></body></html>"
    ).encode()


class Archive:
    """A WARC under construction: records in the order they are added."""

    def __init__(self, path: Path, gz: bool = True) -> None:
        self.path = path
        self.handle = path.open("wb")
        self.writer = WARCWriter(self.handle, gzip=gz)

    def response(
        self, uri: str, body: bytes, date: str, ctype: str = "text/html", status: str = "200 OK"
    ) -> None:
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # else warcio buffers it in a temporary file it never closes
            http_headers=headers,
            warc_headers_dict={"WARC-Date": date},
        )
        self.writer.write_record(record)

    def revisit(self, uri: str, date: str, original: str) -> None:
        record = self.writer.create_revisit_record(
            uri, "sha1:AAAA", uri, original, warc_headers_dict={"WARC-Date": date}
        )
        self.writer.write_record(record)

    def other(self, uri: str, kind: str) -> None:
        raw = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
        record = self.writer.create_warc_record(
            uri, kind, payload=io.BytesIO(raw), length=len(raw), warc_content_type="text/plain"
        )
        self.writer.write_record(record)

    def close(self) -> Path:
        self.handle.close()
        return self.path


def read_all(path: Path) -> tuple[list[Article], list[ParseError], Counter[str]]:
    skipped: Counter[str] = Counter()
    items = list(iter_articles([str(path)], skipped=skipped))
    articles = [a for a in items if isinstance(a, Article)]
    errors = [e for e in items if isinstance(e, ParseError)]
    return articles, errors, skipped


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@pytest.fixture
def crawl(tmp_path: Path) -> Path:
    """A crawl of one article captured three times (two responses, one revisit), a second
    article, a section front, and the records a crawler writes besides pages."""
    warc = Archive(tmp_path / "crawl.warc.gz")
    quay = "https://example.com/news/quay-delayed"
    warc.response(quay, article_page(quay, "Quay opening delayed"), "2024-01-05T10:00:00Z")
    warc.other(quay, "request")
    warc.response(
        "https://example.com/logo.png", b"\x89PNG\r\n", "2024-01-05T10:00:01Z", "image/png"
    )
    warc.response("https://example.com/old", b"", "2024-01-05T10:00:02Z", status="301 Moved")
    warc.other("https://example.com/news/quay-delayed", "metadata")
    warc.response("https://example.com/news/", section_front(), "2024-01-05T10:00:03Z")
    ferry = "https://example.com/news/ferry"
    warc.response(ferry, article_page(ferry, "Ferry line reopens"), "2024-01-06T08:00:00Z")
    warc.revisit(quay, "2024-02-01T00:00:00Z", "2024-01-05T10:00:00Z")
    warc.response(quay, article_page(quay, "Quay opening delayed again"), "2024-03-01T12:00:00Z")
    return warc.close()


def test_responses_become_articles_and_captures_gather_per_url(crawl: Path) -> None:
    articles, errors, skipped = read_all(crawl)
    assert errors == []
    by_id = {a.id: a for a in articles}
    assert sorted(by_id) == [
        "https://example.com/news/ferry",
        "https://example.com/news/quay-delayed",
    ]
    quay = by_id["https://example.com/news/quay-delayed"]
    # the last capture's text, every capture's date, the page's own publication date apart
    assert quay.headline == "Quay opening delayed again"
    assert quay.captures == (
        utc("2024-01-05T10:00:00Z"),
        utc("2024-02-01T00:00:00Z"),
        utc("2024-03-01T12:00:00Z"),
    )
    assert quay.published == utc("2023-05-02T09:00:00Z")
    assert by_id["https://example.com/news/ferry"].captures == (utc("2024-01-06T08:00:00Z"),)
    assert skipped == Counter(
        {"request": 1, "metadata": 1, "response image/png": 1, "response 301": 1, NOT_ARTICLE: 1}
    )


def test_cli_summary_counts_skips_and_crawled_filters_and_sorts(
    crawl: Path, tmp_path: Path
) -> None:
    index_dir = tmp_path / "ix"
    result = CliRunner().invoke(
        cli, ["index", str(crawl), "--index", str(index_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "2 articles: 2 added" in result.stderr
    assert (
        "skipped: 1 response image/png, 1 response 301, 1 request, 1 page not an article, "
        "1 metadata" in result.stderr
    )
    index = open_index(index_dir)
    assert _ids(index, "crawled:2024-02 harbour") == ["https://example.com/news/quay-delayed"]
    assert _ids(index, "crawled:2024-01-06 harbour") == ["https://example.com/news/ferry"]
    assert _ids(index, "crawled:<2024-01-01 harbour") == []
    # the most recent first capture first: the ferry was first captured a day after the quay
    assert _ids(index, "harbour", sort="crawled") == [
        "https://example.com/news/ferry",
        "https://example.com/news/quay-delayed",
    ]
    stored = index.article("https://example.com/news/quay-delayed")
    assert stored is not None and len(stored.captures) == 3
    shown = CliRunner().invoke(
        cli, ["show", "https://example.com/news/quay-delayed", "--index", str(index_dir)]
    )
    assert "captured 3 times: 2024-01-05T10:00:00+00:00 to 2024-03-01T12:00:00+00:00" in (
        shown.stdout
    )


def _ids(index: NewsIndex, query: str, sort: str = "relevance") -> list[str]:
    # every article_page shares its paragraphs, so the crawl's articles are copies of one story:
    # these tests are about captures, so they list every copy
    return [r.article_id for r in index.search(query, sort=sort, collapse="none").results]


def test_export_keeps_captures_and_reindexes_to_the_same(crawl: Path, tmp_path: Path) -> None:
    first = tmp_path / "one"
    index_articles(first, iter_articles([str(crawl)]))
    exported = [a.to_json() for a in open_index(first).articles()]
    assert all(a["captures"] for a in exported)
    again = (
        CliRunner().invoke(cli, ["export", "--index", str(first)], catch_exceptions=False).stdout
    )
    dump = tmp_path / "dump.jsonl"
    dump.write_text(again, encoding="utf-8")
    second = tmp_path / "two"
    report = index_articles(second, iter_articles([str(dump)]))
    assert report.failed == 0
    assert sorted(a.to_json()["captures"][0] for a in open_index(second).articles()) == sorted(
        a["captures"][0] for a in exported
    )


def test_truncated_gzip_member_keeps_earlier_records_and_names_the_offset(tmp_path: Path) -> None:
    warc = Archive(tmp_path / "cut.warc.gz")
    urls = [f"https://example.com/news/story-{n}" for n in range(3)]
    for n, url in enumerate(urls):
        warc.response(url, article_page(url, f"Story {n}"), f"2024-01-0{n + 1}T00:00:00Z")
    data = warc.close().read_bytes()
    starts = [m for m in range(len(data)) if data.startswith(b"\x1f\x8b\x08", m)]
    assert len(starts) == 3
    (tmp_path / "cut.warc.gz").write_bytes(data[: starts[2] + (len(data) - starts[2]) // 2])
    articles, errors, _ = read_all(tmp_path / "cut.warc.gz")
    assert [a.id for a in articles] == urls[:2]
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'cut.warc.gz'}: truncated or corrupt record at byte {starts[2]}"
    ]
    result = CliRunner().invoke(
        cli, ["index", str(tmp_path / "cut.warc.gz"), "--index", str(tmp_path / "ix")]
    )
    assert result.exit_code == 1
    assert (
        f"error: {tmp_path / 'cut.warc.gz'}: truncated or corrupt record at byte {starts[2]}"
        in (result.stderr)
    )
    assert "2 articles: 2 added" in result.stderr and "Traceback" not in result.stderr


def test_uncompressed_warc_cut_inside_a_record(tmp_path: Path) -> None:
    warc = Archive(tmp_path / "cut.warc", gz=False)
    for n in range(2):
        url = f"https://example.com/news/story-{n}"
        warc.response(url, article_page(url, f"Story {n}"), "2024-01-01T00:00:00Z")
    data = warc.close().read_bytes()
    second = data.index(b"WARC/1", 10)
    (tmp_path / "cut.warc").write_bytes(data[:-200])
    articles, errors, _ = read_all(tmp_path / "cut.warc")
    assert [a.id for a in articles] == ["https://example.com/news/story-0"]
    assert [e.message for e in errors] == [f"truncated or corrupt record at byte {second}"]


def test_garbage_between_gzip_members_is_corrupt_data_at_its_offset(tmp_path: Path) -> None:
    warc = Archive(tmp_path / "bad.warc.gz")
    for n in range(2):
        url = f"https://example.com/news/story-{n}"
        warc.response(url, article_page(url, f"Story {n}"), "2024-01-01T00:00:00Z")
    data = warc.close().read_bytes()
    second = data.index(b"\x1f\x8b\x08", 10)
    (tmp_path / "bad.warc.gz").write_bytes(data[:second] + b"this is not gzip\n" + data[second:])
    articles, errors, _ = read_all(tmp_path / "bad.warc.gz")
    assert [a.id for a in articles] == ["https://example.com/news/story-0"]
    assert len(errors) == 1 and errors[0].message.startswith(f"corrupt data at byte {second} (")


def test_charset_from_http_headers_before_the_page(tmp_path: Path) -> None:
    greek = "Η λιμενική αρχή ανακοίνωσε καθυστέρηση στο νέο λιμάνι της πόλης."
    url = "https://example.gr/news/limani"
    page = article_page(url, "Λιμάνι", extra=greek).replace(b"<head>", b"<head>", 1)
    page = page.decode().encode("iso-8859-7")
    warc = Archive(tmp_path / "greek.warc.gz")
    warc.response(url, page, "2024-01-01T00:00:00Z", "text/html; charset=ISO-8859-7")
    articles, errors, _ = read_all(warc.close())
    assert errors == [] and greek in articles[0].paragraphs[0]


def test_recognised_by_content_and_found_in_directories(crawl: Path, tmp_path: Path) -> None:
    assert looks_like_warc(crawl.read_bytes()[:2048])
    assert not looks_like_warc(gzip.compress(b'{"headline": "x"}\n'))
    renamed = tmp_path / "sub" / "crawl.dat"
    renamed.parent.mkdir()
    renamed.write_bytes(crawl.read_bytes())
    assert len(read_all(renamed)[0]) == 2
    walked = tmp_path / "walk" / "deep"
    walked.mkdir(parents=True)
    (walked / "a.warc.gz").write_bytes(crawl.read_bytes())
    assert len(read_all(tmp_path / "walk")[0]) == 2


def _arc_record(url: str, date: str, ctype: str, http: bytes) -> bytes:
    return f"{url} 192.0.2.1 {date} {ctype} {len(http)}\n".encode() + http + b"\n"


def test_arc_gz_responses_become_articles(tmp_path: Path) -> None:
    url = "https://example.com/news/quay-delayed"
    page = article_page(url, "Quay opening delayed")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + page
    head = b"1 0 Example\nURL IP-address Archive-date Content-type Archive-length\n\n"
    members = [
        _arc_record("filedesc://crawl.arc", "20240105100000", "text/plain", head),
        _arc_record(url, "20240105100000", "text/html", http),
        _arc_record(url, "20240301120000", "text/html", http),
    ]
    path = tmp_path / "crawl.arc.gz"
    path.write_bytes(b"".join(gzip.compress(m) for m in members))
    articles, errors, _ = read_all(path)
    assert errors == []
    assert [a.id for a in articles] == [url]
    assert articles[0].captures == (utc("2024-01-05T10:00:00Z"), utc("2024-03-01T12:00:00Z"))


def test_development_pages_in_a_warc_are_articles_not_link_indexes(tmp_path: Path) -> None:
    pages = sorted(shared_path("data", "html").glob("*/source.html"))
    warc = Archive(tmp_path / "dev.warc.gz")
    for page in pages:
        warc.response(
            f"https://dev.example/{page.parent.name}", page.read_bytes(), "2024-01-01T00:00:00Z"
        )
    articles, errors, skipped = read_all(warc.close())
    assert len(pages) == 41
    assert errors == [] and skipped == Counter()
    assert len(articles) == len({a.id for a in articles}) == 41


def test_link_index_needs_links_without_article_claims() -> None:
    front = section_front()
    assert is_link_index(front.decode(), parse_html(front, "front.html"))
    # the same page claiming to be an article (a byline) is taken at its word
    claimed = front.replace(b"<h1>", b"<p class='byline'>By Jane Roe</p><h1>", 1)
    claimed = claimed.replace(b"</head>", b"<meta name='author' content='Jane Roe'></head>", 1)
    assert not is_link_index(claimed.decode(), parse_html(claimed, "claimed.html"))
    page = article_page("https://example.com/a", "Quay")
    assert not is_link_index(page.decode(), parse_html(page, "a.html"))


def test_captures_add_up_across_archives_and_runs(tmp_path: Path) -> None:
    """A crawl split over several files, and a later crawl indexed in another run: each is
    another capture of the same article, whose text is the newest capture read."""
    url = "https://example.com/news/quay-delayed"
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for n, (month, headline) in enumerate([("01", "Quay delayed"), ("02", "Quay delayed again")]):
        warc = Archive(crawl / f"part-{n}.warc.gz")
        warc.response(url, article_page(url, headline), f"2024-{month}-01T00:00:00Z")
        warc.close()
    later = Archive(tmp_path / "later.warc.gz")
    later.response(url, article_page(url, "Quay opens at last"), "2024-05-01T00:00:00Z")
    later.close()
    index_dir = tmp_path / "ix"
    assert index_articles(index_dir, iter_articles([str(crawl)])).failed == 0
    assert index_articles(index_dir, iter_articles([str(tmp_path / "later.warc.gz")])).updated == 1
    (stored,) = list(open_index(index_dir).articles())
    assert stored.headline == "Quay opens at last"
    assert [c.month for c in stored.captures] == [1, 2, 5]


def test_html_responses_without_a_page_are_counted_not_failed(tmp_path: Path) -> None:
    warc = Archive(tmp_path / "odd.warc.gz")
    warc.response("https://example.com/empty", b"  ", "2024-01-01T00:00:00Z")
    warc.response("https://example.com/bin", b"\x00\x01\x02" * 100, "2024-01-01T00:00:00Z")
    warc.response("https://example.com/text", b"just words", "2024-01-01T00:00:00Z")
    articles, errors, skipped = read_all(warc.close())
    assert articles == [] and errors == []
    assert skipped == Counter(
        {
            "page empty file": 1,
            "page binary content, not an HTML page": 1,
            "page no HTML markup found": 1,
        }
    )


def test_an_archive_on_a_pipe_is_one_line_asking_for_a_file(crawl: Path, tmp_path: Path) -> None:
    """Two passes need a file: a pipe is refused in one line (a redirected file works)."""
    args = [sys.executable, "-m", "indexer", "index", "-", "--index", str(tmp_path / "ix")]
    piped = subprocess.run(
        args, input=crawl.read_bytes(), capture_output=True, timeout=120, check=False
    )
    assert piped.returncode == 1
    assert b"error: <stdin>: a web archive is read twice: give it as a file, not a pipe" in (
        piped.stderr
    )
    with crawl.open("rb") as handle:
        redirected = subprocess.run(args, stdin=handle, capture_output=True, timeout=120)
    assert redirected.returncode == 0 and b"2 articles: 2 added" in redirected.stderr
