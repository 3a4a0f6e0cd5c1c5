"""An index written before a schema field existed takes the field at its next write."""

from __future__ import annotations

from pathlib import Path

from whoosh import fields
from whoosh import index as whoosh_index

from indexer import index_articles, open_index
from indexer.engine.whoosh.schema import make_schema
from indexer.model import article_from_json


def test_an_index_written_before_languages_takes_them(tmp_path: Path) -> None:
    # an index whose schema predates the language and modified fields (issue 17)
    old = make_schema()
    old.remove("language")
    old.remove("modified")
    (tmp_path / "ix").mkdir()
    whoosh_index.create_in(str(tmp_path / "ix"), old)
    article = article_from_json({"id": "a", "headline": "Bridge closes", "language": "en"})
    report = index_articles(tmp_path / "ix", [article])
    assert report.added == 1, report.errors
    with open_index(tmp_path / "ix") as ix:
        assert ix.search("bridge lang:en").total_articles == 1
    assert isinstance(whoosh_index.open_dir(str(tmp_path / "ix")).schema["language"], fields.ID)
