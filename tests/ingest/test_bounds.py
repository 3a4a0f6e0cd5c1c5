"""One huge article is brought within the documented limits, with a warning naming the file:
a one-line text of 2.9 million characters keeps a short headline and all of its text as paragraphs;
an article of too many paragraphs keeps the first MAX_PARAGRAPHS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indexer import Article, iter_articles, open_index
from indexer.ingest.bounds import MAX_HEADLINE_CHARS, MAX_PARAGRAPH_CHARS, MAX_PARAGRAPHS


def test_a_one_line_giant_keeps_a_short_headline_and_all_its_text(tmp_path: Path) -> None:
    words = " ".join(f"w{i}" for i in range(400_000))  # about 2.9 million characters, one line
    source = tmp_path / "giant.txt"
    source.write_text(words + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "index", str(source), "--index", str(tmp_path / "ix")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    warning = next(line for line in done.stderr.splitlines() if line.startswith("warning:"))
    assert warning.startswith(f"warning: {source}: article ")
    assert f"headline cut to {MAX_HEADLINE_CHARS:,} characters (was {len(words):,})" in warning
    assert "paragraphs over" in warning and "split" in warning
    with open_index(tmp_path / "ix") as ix:
        (article_id,) = ix.article_ids()
        article = ix.article(article_id)
        assert article is not None
        assert len(article.headline or "") <= MAX_HEADLINE_CHARS
        assert all(len(p) <= MAX_PARAGRAPH_CHARS for p in article.paragraphs)
        assert " ".join(article.paragraphs) == words
        found = ix.search("w399999")
        assert found.total_articles == 1
        assert len(json.dumps(found.to_json())) < 100_000


def test_paragraphs_past_the_limit_are_dropped_with_a_warning(tmp_path: Path) -> None:
    source = tmp_path / "long.jsonl"
    extra = 25
    paragraphs = [f"Paragraph {i}." for i in range(MAX_PARAGRAPHS + extra)]
    source.write_text(json.dumps({"id": "long", "headline": "Long", "paragraphs": paragraphs}))
    warnings: list[str] = []
    (article,) = list(iter_articles([str(source)], on_warning=warnings.append))
    assert isinstance(article, Article)
    assert article.paragraphs == tuple(paragraphs[:MAX_PARAGRAPHS])
    assert warnings == [
        f"{source}: article long: {extra} paragraphs past the first {MAX_PARAGRAPHS:,} dropped"
    ]
