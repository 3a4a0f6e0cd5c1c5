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

from .fingerprint import Fingerprint, parse_fingerprint
from .minhash import PERMUTATIONS

__all__ = ["THRESHOLD", "BANDS", "StoryRecord", "Stories", "build_stories", "story_id_of"]

#: Estimated Jaccard similarity of body shingles from which two articles are one story; chosen
#: on the planted copies and real duplicates of benchmarks.lineage (docs/lineage.md).
THRESHOLD = 0.3
#: LSH bands of the signature (rows = PERMUTATIONS // BANDS). With 4 rows a band, a pair at
#: Jaccard 0.3 shares at least one band with probability 1 - (1 - 0.3**4)**32 = 0.23 ...
BANDS = 42
#: A bucket with more members than this is compared member by member only with its first ones
#: (boilerplate shared by thousands of articles would otherwise cost n**2 comparisons; a member
#: similar to another but not to these still meets it in the other bands).
_BUCKET_PAIRS = 8


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
        signatures: dict[int, npt.NDArray[np.uint32]],
        prints: Sequence[Fingerprint | None] = (),
    ) -> None:
        self._prints = list(prints) or [None] * len(records)
        self._uses: _Uses | None = None
        self._records = list(records)
        self._index = {r.article_id: i for i, r in enumerate(self._records)}
        self._signatures = signatures
        groups: dict[int, list[int]] = {}
        for i, label in enumerate(labels.tolist()):
            groups.setdefault(label, []).append(i)
        self._members: dict[str, tuple[StoryRecord, ...]] = {}
        self._story_of: list[str] = [""] * len(self._records)
        for group in groups.values():
            ordered = sorted((self._records[i] for i in group), key=_lead_key)
            sid = story_id_of(ordered[0].article_id)
            self._members[sid] = tuple(ordered)
            for i in group:
                self._story_of[i] = sid

    def __len__(self) -> int:
        return len(self._members)

    def story_of(self, article_id: str) -> str | None:
        at = self._index.get(article_id)
        return None if at is None else self._story_of[at]

    def members(self, story_id: str) -> tuple[StoryRecord, ...]:
        return self._members.get(story_id, ())

    def record(self, article_id: str) -> StoryRecord | None:
        at = self._index.get(article_id)
        return None if at is None else self._records[at]

    def similarity(self, a: str, b: str) -> float | None:
        """Estimated Jaccard of two articles' bodies (None when either has no fingerprint)."""
        sa = self._signatures.get(self._index.get(a, -1))
        sb = self._signatures.get(self._index.get(b, -1))
        if sa is None or sb is None:
            return None
        return float(np.count_nonzero(sa == sb)) / PERMUTATIONS

    def story_ids(self) -> list[str]:
        return sorted(self._members)

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


def build_stories(records: Iterable[StoryRecord], threshold: float = THRESHOLD) -> Stories:
    """The stories of a set of articles (any order in, the same stories out)."""
    ordered = sorted(records, key=lambda r: r.article_id)
    signatures: dict[int, npt.NDArray[np.uint32]] = {}
    prints: list[Fingerprint | None] = []
    for i, record in enumerate(ordered):
        found = parse_fingerprint(record.fingerprint)
        prints.append(found)
        if found is not None and found.signature is not None:
            signatures[i] = found.signature
    labels = _components(len(ordered), signatures, threshold)
    return Stories(ordered, labels, signatures, prints)


def _components(
    count: int, signatures: dict[int, npt.NDArray[np.uint32]], threshold: float
) -> npt.NDArray[np.int64]:
    """A label per record: records joined by a chain of similar pairs share one."""
    parent = np.arange(count, dtype=np.int64)
    if len(signatures) < 2:
        return parent
    rows = np.array(sorted(signatures), dtype=np.int64)
    sigs = np.stack([signatures[i] for i in rows.tolist()])
    left, right = _candidates(sigs)
    if len(left):
        same = np.count_nonzero(sigs[left] == sigs[right], axis=1) / PERMUTATIONS
        keep = same >= threshold
        for a, b in zip(rows[left[keep]].tolist(), rows[right[keep]].tolist(), strict=True):
            _union(parent, a, b)
    return np.array([_find(parent, i) for i in range(count)], dtype=np.int64)


def _candidates(
    sigs: npt.NDArray[np.uint32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs of rows (left < right) sharing at least one LSH band, each pair once."""
    width = PERMUTATIONS // BANDS
    pairs: list[npt.NDArray[np.int64]] = []
    for band in range(BANDS):
        chunk = np.ascontiguousarray(sigs[:, band * width : (band + 1) * width])
        keys = chunk.view(np.dtype((np.void, chunk.dtype.itemsize * width))).ravel()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        # most shared buckets hold two articles: their pairs in one vector step
        two = starts[sizes == 2]
        first, second = order[two], order[two + 1]
        pairs.append(np.stack([np.minimum(first, second), np.maximum(first, second)], axis=1))
        for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
            members = np.sort(order[start : start + size])
            heads = members[: min(size, _BUCKET_PAIRS)]
            a, b = np.meshgrid(heads, members, indexing="ij")
            mask = a < b
            pairs.append(np.stack([a[mask], b[mask]], axis=1))
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    both: npt.NDArray[np.int64] = np.concatenate(pairs).astype(np.int64)
    # one number per pair: a 1-d unique is many times faster than unique rows
    numbers: npt.NDArray[np.int64] = np.unique(both[:, 0] * len(sigs) + both[:, 1])
    return numbers // len(sigs), numbers % len(sigs)


def _find(parent: npt.NDArray[np.int64], i: int) -> int:
    root = i
    while parent[root] != root:
        root = int(parent[root])
    while parent[i] != root:
        parent[i], i = root, int(parent[i])
    return root


def _union(parent: npt.NDArray[np.int64], a: int, b: int) -> None:
    ra, rb = _find(parent, a), _find(parent, b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)
