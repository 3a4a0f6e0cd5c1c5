"""Every proximity and join example in the README's and docs/query-language.md's query tables
finds something on the seed article, and the README's first search example is a join."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer import NewsIndex, index_articles, iter_articles

from .conftest import ROOT, SEED

_NEW = re.compile(r'"~[0-9]|NEAR/|SENTENCE|said:|pictured:')


def _examples(name: str) -> list[str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    cells = [line.split(" | ")[0] for line in rows]
    return [e for cell in cells for e in re.findall(r"`([^`]+)`", cell) if _NEW.search(e)]


EXAMPLES = sorted(set(_examples("README.md")) | set(_examples("docs/query-language.md")))


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docs") / "ix"
    assert index_articles(path, iter_articles([str(SEED)])).failed == 0
    return path


def test_the_docs_show_every_new_form() -> None:
    assert len(EXAMPLES) >= 8
    for form in ('"~', "NEAR/", "SENTENCE", "said:", "pictured:", ") NEAR/", '" NEAR/'):
        assert any(form in e for e in EXAMPLES), form


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_documented_example_finds_the_seed(seed: Path, example: str) -> None:
    with NewsIndex(seed) as ix:
        assert ix.search(example).total_articles == 1


def test_the_readme_first_search_example_is_a_join() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("newsfind search "))
    assert "said:(" in first and "pictured:(" in first
