"""Stories: groups of near-duplicate articles, worked out from the stored fingerprints.

A story is a connected group of articles whose estimated Jaccard similarity (MinHash) reaches
THRESHOLD, candidates found by LSH banding. It is a function of the set of stored articles only
(records are sorted by id before anything else), so it does not depend on the order in which
articles arrived, and it is always consistent with what was committed: nothing about a story is
stored apart from the articles themselves. The lead is the earliest published copy; undated
copies never lead a dated one; ties go to the smaller id. A story's id is derived from its
lead's id, so it changes only when another copy takes the lead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from .bands import BANDS, band_keys, candidates, components, similar
from .fingerprint import Fingerprint, parse_fingerprint
from .minhash import PERMUTATIONS

__all__ = [
    "THRESHOLD",
    "BANDS",
    "StoryRecord",
    "Stories",
    "StoryBlock",
    "build_stories",
    "stories_of_blocks",
    "story_id_of",
]

#: Estimated Jaccard similarity of body shingles from which two articles are one story; chosen
#: on the planted copies and real duplicates of benchmarks.lineage (docs/lineage.md).
THRESHOLD = 0.3


@dataclass(frozen=True)
class StoryRecord:
    """What a story needs of one stored article: its id, date, source, headline and fingerprint
    (the stored text; None or unreadable means a story of its own)."""

    article_id: str
    published: datetime | None
    source: str | None
    headline: str | None
    fingerprint: str | None


def _lead_key(record: StoryRecord) -> tuple[bool, float, str]:
    stamp = record.published.timestamp() if record.published is not None else 0.0
    return (record.published is None, stamp, record.article_id)


def story_id_of(lead_id: str) -> str:
    """The id of the story led by ``lead_id``: 12 hex digits, safe in a query (``story:ID``)."""
    return hashlib.blake2b(lead_id.encode(), digest_size=6).hexdigest()


class Stories:
    """Every stored article's story. ``members(story_id)`` lists copies lead first, oldest
    first (as ``story:ID`` does); ``similarity`` is the estimated Jaccard of two articles."""

    def __init__(
        self,
        records: Sequence[StoryRecord],
        labels: npt.NDArray[np.int64],
        signature_of: Sequence[npt.NDArray[np.uint32] | None],
        prints: Sequence[Fingerprint | None] = (),
        own_ids: Sequence[str] = (),
    ) -> None:
        self._prints = list(prints) or [None] * len(records)
        self._uses: _Uses | None = None
        self._records = list(records)
        self._index = {r.article_id: i for i, r in enumerate(self._records)}
        self._signature_of = signature_of
        ids = list(own_ids) or [story_id_of(r.article_id) for r in self._records]
        # most articles are a story alone: those are a story id -> record number (no tuple per
        # article: at 36,000 articles making them, and the collections they set off, took 0.4 s)
        self._story_of: list[str] = ids
        self._alone: dict[str, int] = dict(zip(ids, range(len(ids)), strict=True))
        self._members: dict[str, tuple[StoryRecord, ...]] = {}
        order = np.argsort(labels, kind="stable")
        ranked = labels[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        sizes = np.diff(np.r_[starts, len(labels)])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
            group = sorted(order[start : start + size].tolist(), key=self._lead_of)
            sid = ids[group[0]]
            for i in group:
                self._alone.pop(ids[i], None)
                self._story_of[i] = sid
            self._members[sid] = tuple(self._records[i] for i in group)

    def _lead_of(self, i: int) -> tuple[bool, float, str]:
        return _lead_key(self._records[i])

    def __len__(self) -> int:
        return len(self._members) + len(self._alone)

    def story_of(self, article_id: str) -> str | None:
        at = self._index.get(article_id)
        return None if at is None else self._story_of[at]

    def members(self, story_id: str) -> tuple[StoryRecord, ...]:
        found = self._members.get(story_id)
        if found is None and story_id in self._alone:
            return (self._records[self._alone[story_id]],)
        return found or ()

    def record(self, article_id: str) -> StoryRecord | None:
        at = self._index.get(article_id)
        return None if at is None else self._records[at]

    def similarity(self, a: str, b: str) -> float | None:
        """Estimated Jaccard of two articles' bodies (None when either has no fingerprint)."""
        at, bt = self._index.get(a), self._index.get(b)
        if at is None or bt is None:
            return None
        sa, sb = self._signature_of[at], self._signature_of[bt]
        if sa is None or sb is None:
            return None
        return float(np.count_nonzero(sa == sb)) / PERMUTATIONS

    def story_ids(self) -> list[str]:
        return sorted([*self._members, *self._alone])

    def _reuse(self) -> _Uses:
        # built on the first article page that asks, not by every search (a benign race: two
        # threads may both build it, and either result is the same)
        if self._uses is None:
            self._uses = _Uses.of(self._prints)
        return self._uses

    def paragraph_reuse(self, article_id: str) -> list[tuple[int, tuple[StoryRecord, ...]]]:
        """For each of the article's paragraphs found (exactly or but for case, punctuation
        and spacing) in articles outside its story: its index among the paragraphs, and those
        articles, oldest first."""
        at = self._index.get(article_id)
        found = self._prints[at] if at is not None else None
        if at is None or found is None:
            return []
        story = self._story_of[at]
        uses = self._reuse().paragraphs
        out = []
        for n, h in enumerate(found.paragraphs):
            others = {i for i in uses.get(h, ()) if h and self._story_of[i] != story}
            if others:
                out.append((n, tuple(sorted((self._records[i] for i in others), key=_lead_key))))
        return out

    def caption_reuse(
        self, article_id: str
    ) -> list[tuple[int, tuple[tuple[StoryRecord, bool], ...]]]:
        """For each of the article's captions whose text recurs in other articles: its index,
        and every use oldest first (this article's included), each with whether its credit
        differs from this article's."""
        at = self._index.get(article_id)
        found = self._prints[at] if at is not None else None
        if at is None or found is None:
            return []
        uses = self._reuse().captions
        out = []
        for n, (text, credit) in enumerate(found.captions):
            here = uses.get(text, ())
            if len({i for i, _ in here}) > 1:
                ordered = sorted(here, key=lambda u: _lead_key(self._records[u[0]]))
                out.append((n, tuple((self._records[i], c != credit) for i, c in ordered)))
        return out


@dataclass(frozen=True)
class _Uses:
    """Where each paragraph and caption text hash occurs: record indexes (with the credit)."""

    paragraphs: dict[int, tuple[int, ...]]
    captions: dict[int, tuple[tuple[int, int], ...]]

    @classmethod
    def of(cls, prints: Sequence[Fingerprint | None]) -> _Uses:
        paragraphs: dict[int, list[int]] = {}
        captions: dict[int, list[tuple[int, int]]] = {}
        for i, found in enumerate(prints):
            if found is None:
                continue
            for h in set(found.paragraphs) - {0}:
                paragraphs.setdefault(h, []).append(i)
            for text, credit in set(found.captions):
                captions.setdefault(text, []).append((i, credit))
        return cls(
            {h: tuple(v) for h, v in paragraphs.items() if len(v) > 1},
            {h: tuple(v) for h, v in captions.items() if len(v) > 1},
        )


@dataclass(frozen=True)
class StoryBlock:
    """Records read together (an engine's segment: read and parsed once, kept while it lives),
    with what building stories needs of them as arrays: signatures (a zero row where there is
    none), whether each has one, their LSH band keys, and each record's own story id."""

    records: tuple[StoryRecord, ...]
    prints: tuple[Fingerprint | None, ...]
    signatures: npt.NDArray[np.uint32]
    signed: npt.NDArray[np.bool_]
    keys: npt.NDArray[np.uint64]
    own_ids: tuple[str, ...]

    @classmethod
    def of(cls, records: Iterable[StoryRecord]) -> StoryBlock:
        listed = tuple(records)
        prints = tuple(parse_fingerprint(r.fingerprint) for r in listed)
        sigs = np.zeros((len(listed), PERMUTATIONS), dtype=np.uint32)
        signed = np.zeros(len(listed), dtype=np.bool_)
        for i, found in enumerate(prints):
            if found is not None and found.signature is not None:
                sigs[i], signed[i] = found.signature, True
        own = tuple(story_id_of(r.article_id) for r in listed)
        return cls(listed, prints, sigs, signed, band_keys(sigs), own)


def build_stories(records: Iterable[StoryRecord], threshold: float = THRESHOLD) -> Stories:
    """The stories of a set of articles (any order in, the same stories out)."""
    return stories_of_blocks([(StoryBlock.of(records), None)], threshold)


def stories_of_blocks(
    blocks: Sequence[tuple[StoryBlock, npt.NDArray[np.bool_] | None]],
    threshold: float = THRESHOLD,
) -> Stories:
    """The stories of the live records of ``blocks`` (each with a mask of its live records,
    None for all): the same stories as ``build_stories`` of those records, in any order of
    blocks and records, at the cost of a few array operations per band."""
    where = sorted(
        (b.records[i].article_id, k, i)
        for k, (b, live) in enumerate(blocks)
        for i in (range(len(b.records)) if live is None else np.flatnonzero(live).tolist())
    )  # by id: positions, hence bucket heads and labels, are a function of the set
    offsets = np.cumsum([0] + [len(b.records) for b, _ in blocks])
    at = np.array([offsets[k] + i for _, k, i in where], dtype=np.int64)
    signed = np.concatenate([b.signed for b, _ in blocks] or [np.zeros(0, np.bool_)])[at]
    rows = np.flatnonzero(signed)
    left = right = np.zeros(0, dtype=np.int64)
    if len(rows) > 1:
        picked = at[rows]
        keys = np.concatenate([b.keys for b, _ in blocks], axis=1)[:, picked]
        left, right = candidates(keys)
        del keys
        sigs = np.concatenate([b.signatures for b, _ in blocks])[picked]
        keep = similar(sigs, left, right, threshold)
        left, right = rows[left[keep]], rows[right[keep]]
    chosen = [(blocks[k][0], i) for _, k, i in where]
    return Stories(
        [b.records[i] for b, i in chosen],
        components(len(where), left, right),
        [b.signatures[i] if b.signed[i] else None for b, i in chosen],
        [b.prints[i] for b, i in chosen],
        [b.own_ids[i] for b, i in chosen],
    )
