"""The three readings of one search's filters (index terms, array mask, per-document test) agree."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from whoosh import query as wq

from indexer.engine.whoosh.columns import columns
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.filters import Filters
from indexer.params import make_params

FILTERS = [
    {"kind": "headline"},
    {"source": "ap"},
    {"source": "Reuters"},
    {"date_from": "2023-03-01", "date_to": "2023-06-30"},
    {"date_to": "9999-12-31"},
    {"kind": "paragraph", "source": "AP", "date_from": "2023-02-01"},
]


def _articles() -> list[dict[str, Any]]:
    dated = [
        {
            "id": f"a{i}",
            "headline": f"harbour report {i}",
            "published": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": ["AP", "Reuters", "ap"][i % 3],
            "paragraphs": [f"The harbour storm {i}.", "Another paragraph."],
        }
        for i in range(30)
    ]
    # the first moment after ``to``'s day: outside it
    edge = {"id": "e1", "headline": "harbour edge", "published": "2023-07-01", "source": "AP"}
    undated = {"id": "u1", "headline": "harbour undated", "paragraphs": ["No date here."]}
    return [*dated, {**edge, "paragraphs": ["On the edge."]}, undated]


@pytest.mark.parametrize("given", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_mask_keeps_and_clauses_agree(build_index: Any, given: dict[str, str]) -> None:
    path = build_index(articles=_articles())
    with WhooshEngine(path) as engine, engine.searcher() as searcher:
        cols = columns(searcher)
        filters = Filters.of(make_params("harbour", **given), cols)
        docs = np.arange(len(cols.published), dtype=np.int64)
        mask = filters.mask(docs)
        assert mask is not None
        kept = [filters.keeps(d) for d in docs.tolist()]
        assert mask.tolist() == kept
        assert 0 < sum(kept) < len(kept)  # the filter is not trivial on this corpus
        clauses = filters.clauses()
        if clauses:
            # kind and source as index terms pick what the columns' codes pick
            by_terms = set(searcher.docs_for_query(wq.And(clauses)))
            by_codes = {d for d in docs.tolist() if replace(filters, bounds=None).keeps(d)}
            assert by_terms == by_codes
            rest = filters.without_clauses()
            assert rest.clauses() == [] and rest.bounds == filters.bounds
