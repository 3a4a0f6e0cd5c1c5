"""An index written before the quote fields existed gains them at its next run."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from indexer import index_articles, iter_articles, open_index
from indexer.engine.whoosh.schema import make_schema
from tests.conftest import SEED

QUOTE_FIELDS = ("speaker", "speaker_key", "quote_of", "quote_start", "quote_end")


def test_an_index_without_the_quote_fields_gets_them_and_its_quotes(tmp_path: Path) -> None:
    old = make_schema()
    for name in QUOTE_FIELDS:
        old.remove(name)
    whoosh_index.create_in(str(tmp_path), old)
    report = index_articles(tmp_path, iter_articles([str(SEED)]))
    assert report.failed == 0, report.errors
    assert set(QUOTE_FIELDS) <= set(whoosh_index.open_dir(str(tmp_path)).schema.names())
    with open_index(tmp_path) as ix:
        assert ix.search("speaker:putin").total_hits == 4
        assert ix.search("kind:quote").facets["speaker"]["alexander gabuev"] == 5
