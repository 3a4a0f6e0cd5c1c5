"""Benchmark corpora of a given number of passages, built from the real news in ../shared.

A passage is what every engine indexes as one document: an article's headline, or one of its
paragraphs (the derived Reuters and BBC files have no captions or notes). Sizes up to the real
total are a seeded sample of real articles; larger sizes add copies of the real articles with
per-copy changes, so the vocabulary and postings grow rather than repeat exactly:

* a new id (``<id>~c<k>``) and, for dated articles, the date moved k years and 0-30 days on;
* the paragraph order shuffled;
* about 5% of words swapped with their neighbour, 8% replaced by a word drawn from the corpus
  (so word frequencies stay Zipf-like), 0.5% replaced by a new word made from two corpus words
  (the names and terms a bigger archive brings).
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["CorpusInfo", "build_corpus", "iter_passages", "news_dir", "DESCRIPTION"]

SEED = 1987
SOURCES = ("reuters21578.jsonl.gz", "bbc.jsonl.gz")
_TOKEN = re.compile(r"\S+")

DESCRIPTION = (
    "passages = headline + each paragraph of an article. Up to the real total (~146,700): a "
    f"seeded (seed {SEED}) random sample of whole real articles from Reuters-21578 and BBC "
    "(derived/*.jsonl.gz). Beyond it: all real articles once, then copies of randomly chosen "
    "real articles with new ids (~c<k>), dates moved k years + 0-30 days, paragraphs shuffled, "
    "~5% of words swapped with a neighbour, ~8% replaced by a corpus-drawn word, ~0.5% by a new "
    "word made of two corpus words."
)


@dataclass(frozen=True)
class CorpusInfo:
    """What was written: the JSONL file and its counts."""

    path: Path
    articles: int
    passages: int
    real_articles: int
    copied_articles: int
    how: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "articles": self.articles,
            "passages": self.passages,
            "real_articles": self.real_articles,
            "copied_articles": self.copied_articles,
            "how": self.how,
        }


def news_dir() -> Path:
    """../shared/data/news next to the repository."""
    return Path(__file__).resolve().parents[1].parent / "shared" / "data" / "news"


def _load_real(news: Path) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = []
    for name in SOURCES:
        with gzip.open(news / "derived" / name, "rt", encoding="utf-8") as fh:
            articles.extend(json.loads(line) for line in fh if line.strip())
    return articles


def passage_count(article: dict[str, Any]) -> int:
    return (1 if article.get("headline") else 0) + len(article.get("paragraphs") or [])


def _mutate_text(text: str, rng: random.Random, pool: list[str]) -> str:
    words = _TOKEN.findall(text)
    n = len(words)
    for i in range(n):
        r = rng.random()
        if r < 0.05 and i + 1 < n:
            words[i], words[i + 1] = words[i + 1], words[i]
        elif r < 0.13:
            words[i] = rng.choice(pool)
        elif r < 0.135:
            a, b = rng.choice(pool), rng.choice(pool)
            words[i] = a[: max(2, len(a) // 2)] + b[len(b) // 2 :]
    return " ".join(words)


def _copy(article: dict[str, Any], k: int, rng: random.Random, pool: list[str]) -> dict[str, Any]:
    out = dict(article)
    out["id"] = f"{article['id']}~c{k}"
    if article.get("published"):
        when = datetime.fromisoformat(article["published"])
        try:
            when = when.replace(year=when.year + k)
        except ValueError:  # 29 February
            when = when.replace(year=when.year + k, day=28)
        out["published"] = (when + timedelta(days=rng.randint(0, 30))).isoformat()
    paragraphs = [_mutate_text(p, rng, pool) for p in article.get("paragraphs") or []]
    rng.shuffle(paragraphs)
    out["paragraphs"] = paragraphs
    if article.get("headline"):
        out["headline"] = _mutate_text(article["headline"], rng, pool)
    return out


def build_corpus(passages: int, out_dir: Path, news: Path | None = None) -> CorpusInfo:
    """Write ``corpus-<passages>.jsonl`` (reused when already complete) and describe it."""
    news = news or news_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"corpus-{passages}.jsonl"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return CorpusInfo(path=path, **{k: v for k, v in meta.items() if k != "path"})
    rng = random.Random(SEED)
    real = _load_real(news)
    order = list(range(len(real)))
    rng.shuffle(order)
    total = 0
    n_real = n_copy = 0
    tmp = path.with_suffix(".jsonl.part")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in order:
            if total >= passages:
                break
            fh.write(json.dumps(real[i], ensure_ascii=False) + "\n")
            total += passage_count(real[i])
            n_real += 1
        if total < passages:
            pool = [w for a in real[:4000] for p in a.get("paragraphs") or [] for w in p.split()]
            k = 0
            while total < passages:
                k += 1
                copy_order = list(range(len(real)))
                rng.shuffle(copy_order)
                for i in copy_order:
                    if total >= passages:
                        break
                    doc = _copy(real[i], k, rng, pool)
                    fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
                    total += passage_count(doc)
                    n_copy += 1
    tmp.replace(path)
    how = (
        f"{n_real:,} real articles (seeded sample)"
        if not n_copy
        else f"all {n_real:,} real articles + {n_copy:,} changed copies"
    )
    info = CorpusInfo(path, n_real + n_copy, total, n_real, n_copy, how)
    meta_path.write_text(json.dumps(info.to_json()))
    return info


def iter_passages(path: Path) -> Iterator[dict[str, Any]]:
    """The passages of a corpus file, as the peers index them (no project code involved)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            art = json.loads(line)
            common = {
                "article_id": art["id"],
                "headline": art.get("headline") or "",
                "dateline": art.get("dateline") or "",
                "byline": art.get("byline") or "",
                "source": art.get("source") or "",
                "published": (
                    datetime.fromisoformat(art["published"]) if art.get("published") else None
                ),
            }
            parts = [("headline", art["headline"])] if art.get("headline") else []
            parts += [("paragraph", p) for p in art.get("paragraphs") or []]
            for position, (kind, text) in enumerate(parts):
                yield {**common, "kind": kind, "position": position, "text": text}
