"""The stories of a Whoosh index generation: its stored fingerprints through ``lineage``.

Built once per generation (on the first search that needs them) and shared by every searcher
on it, like the columns; a commit makes a new generation, so stories always match the
committed articles.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ...lineage.stories import Stories, StoryRecord, build_stories
from .arrays.term_scores import generation_cache
from .columns import columns
from .documents import to_utc

__all__ = ["searcher_stories", "story_codes", "story_records"]

_lock = threading.Lock()


def story_records(searcher: Any) -> list[StoryRecord]:
    """One record per live article, from its first document (where the fingerprint is)."""
    cols = columns(searcher)
    reader = searcher.reader()
    deletions = reader.has_deletions()
    records = []
    for docnum in np.flatnonzero(cols.position == 0).tolist():
        if deletions and reader.is_deleted(docnum):
            continue
        stored = searcher.stored_fields(docnum)
        published = stored.get("published")
        records.append(
            StoryRecord(
                article_id=str(stored.get("article_id") or ""),
                published=to_utc(published) if isinstance(published, datetime) else None,
                source=stored.get("source"),
                headline=stored.get("text") if stored.get("kind") == "headline" else None,
                fingerprint=stored.get("lineage"),
            )
        )
    return records


def searcher_stories(searcher: Any) -> Stories:
    """The stories of ``searcher``'s generation, built once."""
    store = generation_cache(searcher)
    found = store.get("stories")
    if found is None:
        with _lock:
            found = store.get("stories")
            if found is None:
                found = build_stories(story_records(searcher))
                store["stories"] = found
    return found


def story_codes(searcher: Any) -> npt.NDArray[np.int64]:
    """A story number per article code of the generation's columns (``cols.article``): what
    collapsing groups by. An article the stories do not know (no live document) gets one of
    its own."""
    store = generation_cache(searcher)
    found = store.get("story_codes")
    if found is None:
        stories = searcher_stories(searcher)
        numbers = {sid: i for i, sid in enumerate(stories.story_ids())}
        values = columns(searcher).article.values
        codes = [numbers.get(stories.story_of(v) or "", -1) for v in values]
        spare = iter(range(len(numbers), len(numbers) + len(values)))
        found = np.array([c if c >= 0 else next(spare) for c in codes], dtype=np.int64)
        store["story_codes"] = found
    return found
