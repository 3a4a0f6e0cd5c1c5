"""Body-text quality of the HTML extractor against gold text, side by side with trafilatura.

Run: ``.venv/bin/python -m benchmarks.html_extract [--json FILE]``. Reads the dev pages in
../shared/data/html in place; the metric is bag-of-words precision/recall/F1 over lowercase
``\\w+`` tokens (multiset overlap), per page and as a mean over pages.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from indexer.errors import ParseError
from indexer.ingest.html.page import parse_html

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "html"
_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 of ``predicted`` against ``gold``."""
    pred, ref = tokens(predicted), tokens(gold)
    overlap = sum((pred & ref).values())
    p = overlap / sum(pred.values()) if pred else 0.0
    r = overlap / sum(ref.values()) if ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def gold_text(page: Path) -> str:
    truth = page / "ground-truth.json"
    if truth.exists():
        body = json.loads(truth.read_text(encoding="utf-8"))["articleBody"]
        return str(body)
    html = (page / "expected.html").read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(html, "lxml").get_text(" ")


def family(page: str) -> str:
    """The site a page comes from, the same for both origins: ``readability-bbc-1`` and
    ``zyte-bbc.com-c7e39ac4`` are both "bbc" (the issue's "site family")."""
    origin, _, rest = page.partition("-")
    if origin == "zyte":
        host = rest.rsplit("-", 1)[0].split(".")
        return host[-2] if len(host) >= 2 else host[0]
    return re.sub(r"-\d+$", "", rest)


def families(result: dict[str, Any]) -> list[tuple[str, int, float, float]]:
    """(family, pages, our mean F1, trafilatura's) for every site family."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in result["pages"]:
        grouped.setdefault(family(row["page"]), []).append(row)
    out = []
    for name, rows in sorted(grouped.items()):
        ours_f1 = sum(r["newsfind"]["f1"] for r in rows) / len(rows)
        traf_f1 = sum(r["trafilatura"]["f1"] for r in rows) / len(rows)
        out.append((name, len(rows), ours_f1, traf_f1))
    return out


def pages(data: Path = DATA) -> list[Path]:
    return sorted(p for p in data.iterdir() if (p / "source.html").is_file())


def ours(data: bytes, name: str) -> str:
    try:
        return "\n\n".join(parse_html(data, name).paragraphs)
    except ParseError:
        return ""


def trafilatura_text(data: bytes, name: str) -> str:
    import trafilatura  # the bench extra; imported late so the rest of the module works without it

    return trafilatura.extract(data, include_comments=False) or ""


def run(data: Path = DATA) -> dict[str, Any]:
    extractors: dict[str, Callable[[bytes, str], str]] = {
        "newsfind": ours,
        "trafilatura": trafilatura_text,
    }
    rows: list[dict[str, Any]] = []
    seconds = dict.fromkeys(extractors, 0.0)
    found = pages(data)
    # one call each before the clock runs: loading a model (ours: the language model, about
    # 1.5 s) is paid once per process, not per page
    warm = dict.fromkeys(extractors, 0.0)
    for name, extract in extractors.items():
        start = time.perf_counter()
        if found:
            extract((found[0] / "source.html").read_bytes(), found[0].name)
        warm[name] = time.perf_counter() - start
    for page in found:
        raw = (page / "source.html").read_bytes()
        gold = gold_text(page)
        row: dict[str, Any] = {"page": page.name}
        for name, extract in extractors.items():
            start = time.perf_counter()
            text = extract(raw, page.name)
            seconds[name] += time.perf_counter() - start
            p, r, f = prf(text, gold)
            row[name] = {"precision": p, "recall": r, "f1": f}
        rows.append(row)
    means = {
        name: {
            key: sum(row[name][key] for row in rows) / max(1, len(rows))
            for key in ("precision", "recall", "f1")
        }
        for name in extractors
    }
    return {"pages": rows, "mean": means, "seconds": seconds, "warm_up": warm}


def table(result: dict[str, Any]) -> str:
    lines = [
        "| page | ours P | ours R | ours F1 | traf P | traf R | traf F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def cells(scores: dict[str, float]) -> str:
        return " | ".join(f"{scores[k]:.3f}" for k in ("precision", "recall", "f1"))

    for row in result["pages"]:
        lines.append(f"| {row['page']} | {cells(row['newsfind'])} | {cells(row['trafilatura'])} |")
    mean = result["mean"]
    lines.append(
        f"| **mean ({len(result['pages'])} pages)** | {cells(mean['newsfind'])} "
        f"| {cells(mean['trafilatura'])} |"
    )
    ours_f1, traf_f1 = mean["newsfind"]["f1"], mean["trafilatura"]["f1"]
    ratio = ours_f1 / traf_f1 if traf_f1 else float("nan")
    lines.append("")
    lines.append(
        f"mean F1: newsfind {ours_f1:.3f}, trafilatura {traf_f1:.3f}; "
        f"difference {ours_f1 - traf_f1:+.3f}, ratio {ratio:.3f}"
    )
    lines.extend(["", "| site family | pages | ours F1 | traf F1 | |", "|---|---:|---:|---:|---|"])
    behind = []
    for name, count, ours_f1, traf_f1 in families(result):
        # three decimals, as the table shows them: a tie there is a tie
        mark = "trafilatura ahead" if round(traf_f1, 3) > round(ours_f1, 3) else ""
        if mark:
            behind.append(name)
        lines.append(f"| {name} | {count} | {ours_f1:.3f} | {traf_f1:.3f} | {mark} |")
    lines.append("")
    lines.append(f"families where trafilatura is ahead: {', '.join(behind) or 'none'}")
    lines.append(
        "pages below 0.9 F1: "
        + (", ".join(r["page"] for r in result["pages"] if r["newsfind"]["f1"] < 0.9) or "none")
    )
    secs = result["seconds"]
    warm = result["warm_up"]
    lines.append(
        f"time: newsfind {secs['newsfind']:.2f} s, trafilatura {secs['trafilatura']:.2f} s "
        f"for {len(result['pages'])} pages, after a first call of {warm['newsfind']:.2f} s "
        f"and {warm['trafilatura']:.2f} s"
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
