"""Shared fixtures: real indexes on disk in tmp_path, built through the library's own API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from indexer import index_articles, iter_articles

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ba7f2b871816635f.txt"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is absent (as in a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared test data only exists in the dev workspace")
    return path


def write_jsonl(path: Path, articles: Iterable[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8"
    )
    return path


BuildIndex = Callable[..., Path]


@pytest.fixture
def build_index(tmp_path: Path) -> BuildIndex:
    """``build_index(*paths, articles=[...])``: a fresh index from files and/or article dicts."""
    counter = iter(range(1000))

    def build(*paths: str | Path, articles: Iterable[dict[str, Any]] = ()) -> Path:
        n = next(counter)
        index_dir = tmp_path / f"index{n}"
        inputs = [str(p) for p in paths]
        articles = list(articles)
        if articles:
            inputs.append(str(write_jsonl(tmp_path / f"articles{n}.jsonl", articles)))
        report = index_articles(index_dir, iter_articles(inputs))
        assert report.failed == 0, report.errors
        return index_dir

    return build


@pytest.fixture
def seed_index(build_index: BuildIndex) -> Path:
    """An index holding just the seed article."""
    return build_index(SEED)
