"""Term-at-a-time scoring: a word's BM25 score in every document that has it, as arrays.

search.py's general path scores a query document by document, asking every clause's matcher to
move to each document in turn; in pure Python that protocol (is_active, id, skip_to, score per
clause per document) costs more than the BM25 arithmetic itself. For clauses that are single
words, this module reads each word's postings once, a block at a time, into arrays, and computes
the same BM25 scores with the same floating-point operations in the same order, so results are
identical (tests/test_term_scores.py compares the two paths) and the work per posting is done
by numpy.

Reading a block at a time uses the whoosh3 codec's block attributes, which both supported Whoosh
distributions share; any other matcher falls back to the public per-posting iterator.

What is worked out once is kept at one of two levels. Per generation (a searcher, its segment
readers, and every searcher ``share_caches`` ties to them, as NewsIndex's pool of searchers on one
commit): scorer figures, deleted documents, decoded postings. Per segment (``segment_cache``: a
segment's files never change, so a segment kept by the next commit keeps these too): document
lengths, read once instead of once per commit. ``release_caches`` drops a generation's at once,
rather than when the garbage collector gets round to its searchers.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

__all__ = [
    "Ids",
    "Floats",
    "locate",
    "postings_arrays",
    "term_scores",
    "posting_values",
    "POSTINGS_CACHE_BYTES",
    "POSITIONS_CACHE_BYTES",
    "generation_cache",
    "share_caches",
    "release_caches",
    "segment_cache",
]

Ids = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

_EMPTY_IDS: Ids = np.zeros(0, dtype=np.int64)
_EMPTY_FLOATS: Floats = np.zeros(0, dtype=np.float64)

# Per reader or searcher (and those sharing its caches), for as long as it lives or until
# released: the deleted documents, scorer figures, BM25 norms, a key for the postings LRU. (Keyed
# by the object, not by segment name: segment names are random and repeat when the random module
# is reseeded, as property-based tests do, so two indexes can hold segments of one name.)
_cache: weakref.WeakKeyDictionary[Any, dict[Any, Any]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def locate(sorted_ids: Ids, docs: Ids) -> tuple[Ids, npt.NDArray[np.bool_]]:
    """For each of ``docs``, its index in ``sorted_ids`` and whether it is there at all (the
    index is meaningful only where it is)."""
    where = np.searchsorted(sorted_ids, docs)
    inside = where < len(sorted_ids)
    inside[inside] = sorted_ids[where[inside]] == docs[inside]
    return where, inside


def generation_cache(owner: Any) -> dict[Any, Any]:
    """The dict of things worked out once for ``owner`` (a searcher or segment reader) and
    every object sharing its caches."""
    with _cache_lock:
        return _cache.setdefault(owner, {})


def _cached(owner: Any, key: Any, make: Any, store: dict[Any, Any] | None = None) -> Any:
    found = generation_cache(owner) if store is None else store
    value = found.get(key)
    if value is None:
        value = make()
        found[key] = value
    return value


def share_caches(obj: Any, like: Any) -> None:
    """Make ``obj`` (a searcher or segment reader) use ``like``'s caches: another searcher on
    the same generation reads the same documents under the same numbers."""
    with _cache_lock:
        _cache[obj] = _cache.setdefault(like, {})


def release_caches(owner: Any) -> None:
    """Drop what was worked out for ``owner`` (a searcher or segment reader whose generation is
    closed), its decoded postings included, for it and everything sharing its caches."""
    with _cache_lock:
        found = _cache.get(owner)
    if found is None:
        return
    key = found.get("key")
    found.clear()
    if key is not None:
        for lru in (_postings, _positions):
            lru.drop(lambda k: k[0] == key)


def segment_cache(reader: Any) -> dict[Any, Any]:
    """What is kept for a segment's unchanging files: the dict its storage offers when it is
    shared across generations (NewsIndex's readers), else the reader's own caches."""
    storage = reader.storage() if hasattr(reader, "storage") else None
    shared = getattr(storage, "segment_cache", None)
    return shared if isinstance(shared, dict) else generation_cache(reader)


#: Whoosh's length byte -> length, as ``doc_field_length`` decodes it.
_BYTE_LENGTHS = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


def _raw_lengths(reader: Any, field: str) -> Floats | None:
    """All of a segment's lengths of ``field`` from its length column in one read (the whoosh3
    codec stores one length byte per document), or None when the reader is of another kind."""
    perdoc = getattr(reader, "_perdoc", None)
    get_column = getattr(perdoc, "_cached_reader", None)
    if get_column is None:
        return None
    column = get_column(_lenfield(field), LENGTHS_COLUMN)
    if column is None or getattr(column, "_fixedlen", None) != 1 or not hasattr(column, "_dbfile"):
        return None
    count = reader.doc_count_all()
    raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    codes = np.zeros(count, dtype=np.uint8)  # documents past the column's end read the default
    codes[: min(count, len(raw))] = raw[:count]
    return _BYTE_LENGTHS[codes]


def _lengths(sub: Any, field: str) -> Floats:
    """Length of ``field`` for every document of one segment, as the BM25 scorer reads it."""

    def make() -> Floats:
        fast = _raw_lengths(sub.reader(), field)
        if fast is not None:
            return fast
        # a document without the field (or deleted) reads None; no posting ever asks for it
        count = sub.doc_count_all()
        return np.fromiter(
            (sub.doc_field_length(d, field, 1) or 0 for d in range(count)),
            dtype=np.float64,
            count=count,
        )

    reader = sub.reader()
    found = _cached(reader, ("lengths", field), make, segment_cache(reader))
    return found  # type: ignore[no-any-return]


def _norms(sub: Any, field: str, avgfl: float, b: float, k1: float) -> Floats:
    """BM25's ``K1 * ((1 - B) + B * fl / avgfl)`` per document, in Whoosh's order of operations
    (so every score below is bit-for-bit Whoosh's ``bm25()``)."""

    def make() -> Floats:
        fl = _lengths(sub, field)
        return k1 * ((1 - b) + b * fl / avgfl)

    return _cached(sub.reader(), ("norms", field, avgfl, b, k1), make)  # type: ignore[no-any-return]


def _deleted(reader: Any) -> Ids | None:
    deleted = getattr(reader, "deleted_docs_set", None)
    if not deleted:
        return None
    return _cached(  # type: ignore[no-any-return]
        reader, "deleted", lambda: np.array(sorted(deleted), dtype=np.int64)
    )


def _leaf_blocks(m: Any, values: bool) -> tuple[Ids, Floats, list[Any]] | None:
    """A whoosh3-codec postings list read a block at a time (with the raw posting values when
    ``values``), or None for any other matcher."""
    if type(m).__name__ != "W3LeafMatcher" or getattr(m, "_byteids", True):
        return None
    if not all(hasattr(m, name) for name in ("_read_data", "_read_weights", "_read_values")):
        return None
    ids: list[Ids] = []
    weights: list[Floats] = []
    raw: list[Any] = []
    while m.is_active():
        if m._data is None:
            m._read_data()
        # a block stores its document numbers as gaps from the previous one, starting at 0
        block_ids = np.cumsum(np.asarray(m._data[0], dtype=np.int64))
        m._read_weights()
        block_weights = np.asarray(m._weights, dtype=np.float64)
        start = m._i
        ids.append(block_ids[start:])
        weights.append(block_weights[start : len(block_ids)])
        if values:
            m._read_values()
            raw.extend(m._values[start : len(block_ids)])
        m._next_block()
    if not ids:
        return _EMPTY_IDS, _EMPTY_FLOATS, raw
    return np.concatenate(ids), np.concatenate(weights), raw


class _Lru:
    """Decoded postings kept for reuse, up to a budget of bytes (least recently used dropped
    first). A segment never changes once written, and a new commit brings new readers, so an
    entry cannot go stale."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Any, value: Any, size: int) -> None:
        with self._lock:
            if key in self._items or size > self.budget:
                return
            self._items[key] = (value, size)
            self._size += size
            while self._size > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self._size -= dropped

    def drop(self, which: Any) -> None:
        """Forget every entry whose key ``which`` accepts."""
        with self._lock:
            for key in [k for k in self._items if which(k)]:
                self._size -= self._items.pop(key)[1]


#: Document numbers and weights of recently used words (16 bytes a posting).
POSTINGS_CACHE_BYTES = 64 * 1024 * 1024
#: Raw position data of words recently used in phrases (about 60 bytes a posting).
POSITIONS_CACHE_BYTES = 64 * 1024 * 1024
_postings = _Lru(POSTINGS_CACHE_BYTES)
_positions = _Lru(POSITIONS_CACHE_BYTES)
_reader_keys = itertools.count()


def _reader_key(reader: Any) -> int:
    """A number for ``reader`` never given to another (ids of dead objects are reused)."""
    return _cached(reader, "key", lambda: next(_reader_keys))  # type: ignore[no-any-return]


def postings_arrays(sub: Any, field: str, word: str) -> tuple[Ids, Floats]:
    """Document numbers (ascending, deleted ones left out) and weights (term frequencies) of
    ``word`` in ``field`` for one segment.

    Whoosh decodes a postings block by unpickling it whole, positions included, which is most
    of the cost of a plain-word search; the decoded arrays of recently used words are kept, so
    a word searched again is not decoded again."""
    reader = sub.reader()
    if (field, word) not in reader:
        return _EMPTY_IDS, _EMPTY_FLOATS
    key = (_reader_key(reader), field, word)
    found = _postings.get(key)
    if found is None:
        ids, weights, _ = _decode_postings(reader, field, word, values=False)
        found = _remember(key, ids, weights)
    return found  # type: ignore[no-any-return]


def _remember(key: Any, ids: Ids, weights: Floats) -> tuple[Ids, Floats]:
    for array in (ids, weights):
        array.flags.writeable = False  # shared by every search that reads the word
    _postings.put(key, (ids, weights), ids.nbytes + weights.nbytes)
    return ids, weights


def posting_values(sub: Any, field: str, word: str) -> list[Any]:
    """The raw value (Whoosh's encoded positions) of each posting of ``postings_arrays``,
    in the same order; decode one with the field format's ``decode_positions``."""
    reader = sub.reader()
    if (field, word) not in reader:
        return []
    key = (_reader_key(reader), field, word)
    found = _positions.get(key)
    if found is None:
        ids, weights, found = _decode_postings(reader, field, word, values=True)
        if _postings.get(key) is None:
            _remember(key, ids, weights)
        _positions.put(key, found, sum(len(v) + 40 for v in found))
    return found  # type: ignore[no-any-return]


def _decode_postings(
    reader: Any, field: str, word: str, values: bool
) -> tuple[Ids, Floats, list[Any]]:
    matcher = reader.postings(field, word)
    leaf = matcher.child if type(matcher).__name__ == "FilterMatcher" else matcher
    blocks = _leaf_blocks(leaf, values)
    if blocks is None:
        ids_list: list[int] = []
        weight_list: list[float] = []
        raw: list[Any] = []
        while matcher.is_active():
            ids_list.append(matcher.id())
            weight_list.append(matcher.weight())
            if values:
                raw.append(matcher.value())
            matcher.next()
        return (
            np.array(ids_list, dtype=np.int64),
            np.array(weight_list, dtype=np.float64),
            raw,
        )
    ids, weights, raw = blocks
    deleted = _deleted(reader)
    if deleted is not None:
        keep = ~np.isin(ids, deleted)
        ids, weights = ids[keep], weights[keep]
        if values:
            raw = [v for v, k in zip(raw, keep.tolist(), strict=True) if k]
    return ids, weights, raw


def term_scores(sub: Any, weighting: Any, field: str, word: str) -> tuple[Ids, Floats]:
    """BM25 score of ``word`` in ``field`` for every document of the segment that has it, as
    (ascending document numbers, scores)."""
    reader = sub.reader()
    if (field, word) not in reader:
        return _EMPTY_IDS, _EMPTY_FLOATS
    params = _bm25_params(sub, weighting, field, word)
    if params is None:
        # not the model this fast path reproduces: score through the matcher as Whoosh would
        matcher = wq.Term(field, word).matcher(sub, sub.context(weighting=weighting))
        ids: list[int] = []
        scores: list[float] = []
        while matcher.is_active():
            ids.append(matcher.id())
            scores.append(float(matcher.score()))
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64)
    idf, avgfl, b, k1 = params
    ids_arr, tf = postings_arrays(sub, field, word)
    norm = _norms(sub, field, avgfl, b, k1)[ids_arr]
    return ids_arr, idf * ((tf * (k1 + 1)) / (tf + norm))


def _bm25_params(
    sub: Any, weighting: Any, field: str, word: str
) -> tuple[float, float, float, float] | None:
    """(idf, average field length, B, K1) of the BM25 scorer ``weighting`` makes for ``word``,
    or None when it makes another kind. These are whole-index figures, the same for every
    segment, so they are worked out once per searcher rather than once per segment."""
    parent = sub.get_parent()
    key = ("bm25", type(weighting), repr(vars(weighting)), field, word)
    cached = _cached(parent, key, lambda: _scorer_params(sub, weighting, field, word) or ())
    return cached or None


def _scorer_params(
    sub: Any, weighting: Any, field: str, word: str
) -> tuple[float, float, float, float] | None:
    scorer = weighting.scorer(sub, field, word)
    if not isinstance(scorer, scoring.BM25FScorer):
        return None
    return scorer.idf, scorer.avgfl, scorer.B, scorer.K1
