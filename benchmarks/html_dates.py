"""Publication-date accuracy of the HTML reader against the pages' expected metadata, side by
side with htmldate in the same run; and the detected languages against the pages' own.

Run: ``.venv/bin/python -m benchmarks.html_dates``. Reads the dev pages in ../shared/data/html
whose ``expected-metadata.json`` has a ``publishedTime``. A day is right when it is the gold
day either in UTC or in the offset the gold states (htmldate gives days as the page writes
them, we give UTC instants, so both readings count for both); ``instant`` also asks ours to
be within a minute of the gold time. Languages are checked on the pages whose language is known:
the ``lang`` of ``expected-metadata.json`` (its primary subtag), and English for the zyte pages
(the data README: all of them are English).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from indexer.errors import ParseError
from indexer.ingest.html.page import parse_html

from .html_extract import DATA, pages

#: htmldate is told not to accept dates past this (the pages are all older).
MAX_DATE = "2025-12-31"


def gold_time(page: Path) -> datetime | None:
    """The page's expected publication time, or None when its metadata has none."""
    meta_file = page / "expected-metadata.json"
    if not meta_file.exists():
        return None
    raw = json.loads(meta_file.read_text(encoding="utf-8")).get("publishedTime")
    if not raw:
        return None
    value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def gold_days(gold: datetime) -> set[date]:
    return {gold.date(), gold.astimezone(UTC).date()}


def gold_language(page: Path) -> str | None:
    """The page's known language, primary subtag only ("en-GB" is "en")."""
    meta_file = page / "expected-metadata.json"
    if not meta_file.exists():
        return "en" if page.name.startswith("zyte-") else None
    lang = json.loads(meta_file.read_text(encoding="utf-8")).get("lang")
    return str(lang).split("-")[0].lower() if lang else None


def ours(raw: bytes, name: str) -> tuple[datetime | None, datetime | None]:
    try:
        article = parse_html(raw, name)
    except ParseError:
        return None, None
    return article.published, article.modified


def languages(data: Path = DATA) -> list[dict[str, Any]]:
    """Per page with a known language: that language and the one detected."""
    rows = []
    for page in pages(data):
        gold = gold_language(page)
        if gold is None:
            continue
        try:
            found = parse_html((page / "source.html").read_bytes(), page.name).language
        except ParseError:
            found = None
        rows.append({"page": page.name, "gold": gold, "ours": found})
    return rows


def htmldate_day(raw: bytes) -> date | None:
    from htmldate import find_date  # the bench extra; imported late

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = find_date(raw.decode("utf-8", "replace"), original_date=True, max_date=MAX_DATE)
    return date.fromisoformat(found) if found else None


def run(data: Path = DATA) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for page in pages(data):
        gold = gold_time(page)
        if gold is None:
            continue
        raw = (page / "source.html").read_bytes()
        published, modified = ours(raw, page.name)
        theirs = htmldate_day(raw)
        days = gold_days(gold)
        rows.append(
            {
                "page": page.name,
                "gold": gold.isoformat(),
                "ours": published.isoformat() if published else None,
                "ours_modified": modified.isoformat() if modified else None,
                "ours_day": published is not None and published.date() in days,
                "ours_instant": published is not None
                and abs(published - gold) <= timedelta(minutes=1),
                "htmldate": theirs.isoformat() if theirs else None,
                "htmldate_day": theirs in days,
            }
        )
    return {"pages": rows, "languages": languages(data), "zyte_months": zyte_months(data)}


#: The data README: the zyte pages "are articles from November 2019" (their gold has no date).
ZYTE_MONTH = (2019, 11)


def zyte_months(data: Path = DATA) -> list[dict[str, Any]]:
    """Per zyte page: the month each extractor dates it to, for the weaker check that it is
    November 2019."""
    rows = []
    for page in pages(data):
        if not page.name.startswith("zyte-"):
            continue
        raw = (page / "source.html").read_bytes()
        published, _ = ours(raw, page.name)
        theirs = htmldate_day(raw)
        rows.append(
            {
                "page": page.name,
                "ours": published.strftime("%Y-%m") if published else None,
                "htmldate": theirs.strftime("%Y-%m") if theirs else None,
            }
        )
    return rows


def table(result: dict[str, Any]) -> str:
    rows = result["pages"]
    lines = [
        "| page | gold | ours | ours modified | day | instant | htmldate | day |",
        "|---|---|---|---|:-:|:-:|---|:-:|",
    ]

    def mark(ok: bool) -> str:
        return "yes" if ok else "no"

    for r in rows:
        lines.append(
            f"| {r['page']} | {r['gold']} | {r['ours']} | {r['ours_modified']} "
            f"| {mark(r['ours_day'])} | {mark(r['ours_instant'])} | {r['htmldate']} "
            f"| {mark(r['htmldate_day'])} |"
        )
    n = len(rows)
    day = sum(r["ours_day"] for r in rows)
    instant = sum(r["ours_instant"] for r in rows)
    theirs = sum(r["htmldate_day"] for r in rows)
    lines.append("")
    lines.append(
        f"{n} pages with a gold date: newsfind right day {day}/{n}, right instant {instant}/{n}; "
        f"htmldate right day {theirs}/{n}"
    )
    months = result["zyte_months"]
    want = f"{ZYTE_MONTH[0]:04d}-{ZYTE_MONTH[1]:02d}"
    ours_ok = sum(r["ours"] == want for r in months)
    theirs_ok = sum(r["htmldate"] == want for r in months)
    missed = [f"{r['page']} ({r['ours']})" for r in months if r["ours"] != want]
    lines.append(
        f"{len(months)} zyte pages (all from {want}): newsfind dates {ours_ok} to that month, "
        f"htmldate {theirs_ok}; ours otherwise: {', '.join(missed) or 'none'}"
    )
    langs = result["languages"]
    wrong = [f"{r['page']} ({r['gold']} as {r['ours']})" for r in langs if r["ours"] != r["gold"]]
    counts: dict[str, int] = {}
    for r in langs:
        counts[r["gold"]] = counts.get(r["gold"], 0) + 1
    spread = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    lines.append(
        f"languages: {len(langs) - len(wrong)}/{len(langs)} pages detected right ({spread}); "
        f"wrong: {', '.join(wrong) or 'none'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON here")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no pages at {DATA}", file=sys.stderr)
        return 1
    result = run()
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
