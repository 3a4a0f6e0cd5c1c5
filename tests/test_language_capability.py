"""The facade and the language capabilities: an engine that does not declare "lang" gets no
``lang:`` query (a QueryError naming it), and one that does not declare "language-facet" shows
no language facet even when it counts one. The engine here is the real Whoosh engine with those
two capabilities taken away, registered under a scheme of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import QueryError, index_articles, open_index
from indexer.engine.base import Engine, Mode, register_engine
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.model import article_from_json


class _Plain(WhooshEngine):
    name = "plain"
    capabilities = WhooshEngine.capabilities - {"lang", "language-facet"}


def _open(location: str, mode: Mode) -> Engine:
    return _Plain(location.removeprefix("plain://"), mode=mode)


@pytest.fixture
def plain(tmp_path: Path) -> str:
    register_engine("plain", _open)
    article = article_from_json({"id": "a", "headline": "Zorp sur la côte", "language": "fr"})
    index_articles(tmp_path / "ix", [article])
    return f"plain://{tmp_path / 'ix'}"


def test_undeclared_lang_is_refused(plain: str) -> None:
    with open_index(plain) as ix, pytest.raises(QueryError, match="plain engine cannot run lang"):
        ix.search("zorp lang:fr")


def test_undeclared_language_facet_is_left_out(plain: str, tmp_path: Path) -> None:
    with open_index(plain) as ix:
        assert "language" not in ix.search("zorp").facets
    with open_index(tmp_path / "ix") as ix:
        assert ix.search("zorp").facets["language"] == {"fr": 1}
