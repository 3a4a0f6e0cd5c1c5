"""Matching articles and documents per publication day: a timeline's raw counts.

Vector operations over the columns, cheap beside the matching itself, so every search carries
them; the whole index's counts (for normalising) are worked out once per generation.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from ..base import DayCount
from .arrays.term_scores import Ids, generation_cache
from .columns import Columns, columns

__all__ = ["day_counts", "index_days"]

_EPOCH = date(1970, 1, 1)
_UNDATED = np.iinfo(np.int64).min
#: The days a date can be, counted from the epoch: a timestamp of 9999-12-31T23:59:59.999999
#: rounds (as a float) to the next day, which no date can hold.
_FIRST_DAY = (date.min - _EPOCH).days
_LAST_DAY = (date.max - _EPOCH).days


def day_counts(cols: Columns, docs: Ids) -> tuple[DayCount, ...]:
    """Matching articles and hits per kind, per UTC publication day, undated last."""
    if not len(docs):
        return ()
    published = cols.published[docs]
    dated = np.isfinite(published)
    days = np.full(len(docs), _UNDATED, dtype=np.int64)
    days[dated] = np.clip(np.floor(published[dated] / 86400), _FIRST_DAY, _LAST_DAY).astype(
        np.int64
    )
    keys, inverse = np.unique(days, return_inverse=True)
    inverse = inverse.reshape(-1)
    n_kinds = max(len(cols.kind.values), 1)
    hits = np.bincount(inverse * n_kinds + cols.kind.codes[docs], minlength=len(keys) * n_kinds)
    hits = hits.reshape(len(keys), n_kinds)
    # an article has one publication day: its day is that of any of its hits (no sort needed)
    art = cols.article.codes[docs]
    day_of = np.full(len(cols.article.values), -1, dtype=np.int64)
    day_of[art] = inverse
    articles = np.bincount(day_of[day_of >= 0], minlength=len(keys))
    counted = [
        DayCount(
            day=None if key == _UNDATED else _EPOCH + timedelta(days=int(key)),
            articles=int(articles[i]),
            hits={cols.kind.values[k]: int(n) for k, n in enumerate(hits[i].tolist()) if n},
        )
        for i, key in enumerate(keys.tolist())
    ]
    return tuple(sorted(counted, key=lambda c: (c.day is None, c.day or _EPOCH)))


def index_days(searcher: Any) -> tuple[DayCount, ...]:
    """``day_counts`` of every live document, once per generation (the normalising totals)."""
    store = generation_cache(searcher)
    found = store.get("index_days")
    if found is None:
        live = np.fromiter(searcher.reader().all_doc_ids(), dtype=np.int64)
        found = day_counts(columns(searcher), live)
        store["index_days"] = found
    return found
