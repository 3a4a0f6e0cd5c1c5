"""LSH banding, candidate pairs, their check and the connected groups, all as numpy arrays.

Split from ``stories`` so a story table can be built from signatures an engine keeps in arrays
(one block per segment, read once) without a Python object per article on the way: at 36,000
articles the per-record Python version took seconds on every generation. Band keys are a
64-bit mix of a band's slots; two different bands colliding only add a candidate, which the
whole-signature check then accepts or refuses on its own merits, so the groups stay a function
of the set of signatures.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .minhash import PERMUTATIONS

__all__ = ["BANDS", "BUCKET_PAIRS", "band_keys", "candidates", "similar", "components"]

#: LSH bands of the signature (rows = PERMUTATIONS // BANDS); docs/lineage.md says why 42 of 3.
BANDS = 42
#: A bucket with more members than this is compared member by member only with its first ones
#: by position (boilerplate shared by thousands of articles would otherwise cost n**2
#: comparisons; a member similar to another but not to these still meets it in other bands).
BUCKET_PAIRS = 8
#: Candidate pairs checked at once (a pair's check holds two signatures' comparison).
_CHUNK = 65_536

_ROWS = PERMUTATIONS // BANDS
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)


def band_keys(sigs: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """One key per band per signature, shaped (BANDS, n): equal bands give equal keys."""
    n = len(sigs)
    keys = np.zeros((BANDS, n), dtype=np.uint64)
    for row in range(_ROWS):
        slots = sigs[:, row : BANDS * _ROWS : _ROWS].T.astype(np.uint64)
        # multiplication wraps around in uint64 (a hash, deterministic in every process)
        keys ^= (slots + np.uint64(row + 1)) * _MIX[row % 3]
        keys = (keys << np.uint64(13)) | (keys >> np.uint64(51))
    return keys


def candidates(keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs of positions (left < right) sharing a band's bucket, each pair once. In a bucket
    of more than BUCKET_PAIRS members, each member is paired only with the first BUCKET_PAIRS
    (by position), so what is paired depends only on the set of rows and their order."""
    n = keys.shape[1]
    found: list[npt.NDArray[np.int64]] = []
    for band in keys:
        order = np.argsort(band, kind="stable")  # within a bucket, positions stay ascending
        ranked = band[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        sizes = np.diff(np.r_[starts, n])
        shared, sizes = starts[sizes > 1], sizes[sizes > 1]
        for head in range(min(BUCKET_PAIRS, int(sizes.max(initial=0)))):
            keep = sizes > head + 1
            at, size = shared[keep] + head, sizes[keep] - head - 1
            if not len(at):
                break
            firsts = np.repeat(at, size)
            steps = np.arange(len(firsts)) - np.repeat(np.cumsum(size) - size, size) + 1
            left, right = order[firsts], order[firsts + steps]
            found.append(np.minimum(left, right) * n + np.maximum(left, right))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    # one number per pair: a 1-d unique is many times faster than unique rows
    numbers: npt.NDArray[np.int64] = np.unique(np.concatenate(found).astype(np.int64))
    return numbers // n, numbers % n


def similar(
    sigs: npt.NDArray[np.uint32],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    threshold: float,
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs reach ``threshold`` on the whole signature (a chunk at a time, so a
    bucket of boilerplate does not hold millions of comparisons at once)."""
    out = np.zeros(len(left), dtype=np.bool_)
    for start in range(0, len(left), _CHUNK):
        a, b = left[start : start + _CHUNK], right[start : start + _CHUNK]
        same = np.count_nonzero(sigs[a] == sigs[b], axis=1)
        out[start : start + _CHUNK] = same / PERMUTATIONS >= threshold
    return out


def components(
    count: int, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """A label per position, the smallest position of its connected group (pairs are edges):
    smallest labels spread along the edges, then each label jumps to its label's label, until
    nothing changes."""
    labels = np.arange(count, dtype=np.int64)
    if not len(left):
        return labels
    while True:
        before = labels.copy()
        low = np.minimum(labels[left], labels[right])
        np.minimum.at(labels, left, low)
        np.minimum.at(labels, right, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(before, labels):
            return labels
