"""The stories of a Whoosh index generation: its stored fingerprints through ``lineage``.

Built once per generation (when the generation is opened, ``reader``) and shared by every
searcher on it, like the columns; a commit makes a new generation, so stories always match the
committed articles. What is slow, reading and parsing every article's stored fingerprint, is
done once per segment and kept with the segment's files (``segment_block``); a generation only
masks its deletions and groups the signatures with array operations (``stories_of_blocks``).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ...lineage.stories import Stories, StoryBlock, StoryRecord, stories_of_blocks
from .arrays.term_scores import generation_cache, segment_cache
from .columns import _segment_part, columns
from .documents import to_utc

__all__ = ["searcher_stories", "story_codes", "story_records", "segment_block"]

_lock = threading.Lock()


def _records(reader: Any, firsts: list[int]) -> list[StoryRecord]:
    """A record per article of a segment, from its first document (where the fingerprint is)."""
    records = []
    for docnum in firsts:
        stored = reader.stored_fields(docnum)
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


def segment_block(reader: Any) -> tuple[StoryBlock, npt.NDArray[np.int64]]:
    """A segment's records as a ``StoryBlock``, with each record's document number in the
    segment: read and parsed once and kept with the segment's files (a segment never changes,
    so every later generation that keeps it reuses this; only a commit's new segments, or
    those a merge writes, are read)."""
    store = segment_cache(reader)
    found = store.get("stories")
    if found is None:
        firsts = np.flatnonzero(_segment_part(reader).position == 0).astype(np.int64)
        found = (StoryBlock.of(_records(reader, firsts.tolist())), firsts)
        store["stories"] = found
    return found


def _live(reader: Any, firsts: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_] | None:
    """Which of a segment's articles this generation holds (deletions are per generation)."""
    if not reader.has_deletions():
        return None
    return np.array([not reader.is_deleted(d) for d in firsts.tolist()], dtype=np.bool_)


def story_records(searcher: Any) -> list[StoryRecord]:
    """One record per live article of the generation."""
    out: list[StoryRecord] = []
    for sub, _ in searcher.leaf_searchers():
        block, firsts = segment_block(sub.reader())
        live = _live(sub.reader(), firsts)
        out.extend(r for i, r in enumerate(block.records) if live is None or live[i])
    return out


def _build(searcher: Any) -> Stories:
    parts = []
    for sub, _ in searcher.leaf_searchers():
        block, firsts = segment_block(sub.reader())
        parts.append((block, _live(sub.reader(), firsts)))
    return stories_of_blocks(parts)


def searcher_stories(searcher: Any) -> Stories:
    """The stories of ``searcher``'s generation, built once."""
    store = generation_cache(searcher)
    found = store.get("stories")
    if found is None:
        with _lock:
            found = store.get("stories")
            if found is None:
                found = _build(searcher)
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
