"""Exporting every match: row counts equal total_hits past the 1,000-page limit, the columns,
the orders, byte-identical re-exports and the manifest, through the library, the CLI and the
API (a real index in tmp_path)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from indexer import EXPORT_COLUMNS, QueryError, open_index
from indexer.cli.commands import cli
from tests.conftest import BuildIndex
from webapp import create_app

#: 240 matching articles of 3 matching documents each (far more than a page holds), over 28
#: days, every 7th undated, two sources; one article that does not match.
ARTICLES = [
    {
        "id": f"n{n:04d}",
        "headline": f"Ferry news {n}",
        "published": f"2023-10-{1 + n % 28:02d}T0{n % 10}:00:00Z" if n % 7 else None,
        "source": "AP" if n % 2 else "Reuters",
        "paragraphs": [f"The ferry {'ferry ' * (n % 3)}left port {n}.", "Rain fell."],
        "captions": [
            {"text": f"A ferry at dawn {n}", "credit": "Ann Song/AP", "date": "2023-10-01"}
        ],
    }
    for n in range(240)
] + [{"id": "zzz", "headline": "Nothing", "paragraphs": ["Calm seas."]}]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from indexer import index_articles, iter_articles
    from tests.conftest import write_jsonl

    root = tmp_path_factory.mktemp("export")
    data = write_jsonl(
        root / "a.jsonl", [{k: v for k, v in a.items() if v is not None} for a in ARTICLES]
    )
    index_articles(root / "ix", iter_articles([str(data)]))
    return root / "ix"


def rows_of(index_dir: Path, fmt: str = "jsonl", **kw: Any) -> tuple[str, Any]:
    with open_index(index_dir) as ix:
        export = ix.export("ferry", fmt=fmt, **kw)
        text = "".join(export)
        total = ix.search("ferry", **kw).total_hits
    assert export.manifest.total == total
    return text, export.manifest


def test_every_match_is_a_row(index_dir: Path) -> None:
    text, manifest = rows_of(index_dir)
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == manifest.rows == manifest.total == 240 * 3
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert len({r["doc_id"] for r in rows}) == len(rows)
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    caption = next(r for r in rows if r["kind"] == "caption")
    assert caption["credit"] == "Ann Song/AP" and caption["photo_date"] == "2023-10-01"
    assert manifest.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_filters_and_date_order(index_dir: Path) -> None:
    text, manifest = rows_of(index_dir, kind="caption", source="ap", sort="newest")
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == manifest.total == 120
    assert {r["kind"] for r in rows} == {"caption"} and {r["source"] for r in rows} == {"AP"}
    dates = [r["published"] for r in rows if r["published"]]
    assert dates == sorted(dates, reverse=True)
    assert rows[-1]["published"] is None  # undated last


def test_reexports_are_byte_identical(index_dir: Path) -> None:
    for fmt in ("jsonl", "csv"):
        first, one = rows_of(index_dir, fmt)
        second, two = rows_of(index_dir, fmt)
        assert first == second and one.sha256 == two.sha256 and one.generation == two.generation


def test_csv_has_a_header_and_a_row_per_match(index_dir: Path) -> None:
    text, manifest = rows_of(index_dir, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert len(rows) - 1 == manifest.total
    assert all(len(r) == len(EXPORT_COLUMNS) for r in rows)


def test_bad_format_names_the_parameter(index_dir: Path) -> None:
    with open_index(index_dir) as ix, pytest.raises(QueryError) as caught:
        ix.export("ferry", fmt="xml")
    assert caught.value.param == "format"


def test_cli_all_streams_rows_and_writes_the_manifest(index_dir: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    args = ["search", "ferry", "--all", "--format", "csv", "--index", str(index_dir)]
    result = CliRunner().invoke(cli, [*args, "--manifest", str(manifest)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(manifest.read_text())
    assert data["rows"] == data["total_hits"] == 720 and data["engine"] == "whoosh"
    assert data["sha256"] == hashlib.sha256(result.stdout_bytes).hexdigest()
    assert data["query"] == "ferry" and data["params"]["sort"] == "relevance"
    again = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert again.stdout_bytes == result.stdout_bytes


def test_cli_format_without_all_is_a_usage_error(index_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["search", "ferry", "--format", "csv", "--index", str(index_dir)]
    )
    assert result.exit_code == 2 and "--all" in result.output


def test_api_export_streams_with_headers_and_trailer(index_dir: Path) -> None:
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    answer = client.get("/api/export?q=ferry&format=jsonl&manifest=trailer&sort=oldest")
    assert answer.status_code == 200 and answer.is_streamed
    assert answer.headers["X-Newsfind-Count"] == "720"
    assert answer.headers["X-Newsfind-Engine"] == "whoosh"
    assert json.loads(unquote(answer.headers["X-Newsfind-Params"]))["sort"] == "oldest"
    lines = answer.get_data(as_text=True).splitlines()
    trailer = json.loads(lines[-1])["manifest"]
    body = "".join(line + "\n" for line in lines[:-1])
    assert trailer["rows"] == 720 == len(lines) - 1
    assert trailer["sha256"] == hashlib.sha256(body.encode()).hexdigest()
    assert int(answer.headers["X-Newsfind-Generation"]) == trailer["generation"]
    with open_index(index_dir) as ix:
        assert body == "".join(ix.export("ferry", sort="oldest"))


def test_api_export_bad_input_is_one_json_error(index_dir: Path) -> None:
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    for query, param in (
        ("q=ferry&format=xml", "format"),
        ("q=ferry&from=x", "from"),
        ("q=ferry&manifest=yes", "manifest"),
        ("q=ferry&sort=best", "sort"),
    ):
        answer = client.get(f"/api/export?{query}")
        assert answer.status_code == 400, query
        assert answer.get_json()["error"]["param"] == param


def test_quote_rows_carry_their_speaker(build_index: BuildIndex) -> None:
    said = {"id": "q1", "headline": "Talks", "paragraphs": ["“We will sign the deal,” Putin said."]}
    with open_index(build_index(articles=[said])) as ix:
        rows = [json.loads(line) for line in ix.export("deal", kind="quote")]
    assert [(r["kind"], r["speaker"]) for r in rows] == [("quote", "Putin")]
