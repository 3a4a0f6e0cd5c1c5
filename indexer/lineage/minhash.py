"""MinHash signatures in numpy: the permutations applied to every shingle hash at once.

Measured against datasketch's ``MinHash.update_batch`` in ``benchmarks.lineage`` (docs/lineage.md):
this module is the one the index uses because it was faster on real article bodies and has no
dependency the library must install.
"""

from __future__ import annotations

import base64

import numpy as np
import numpy.typing as npt

__all__ = ["PERMUTATIONS", "signature", "encode", "decode", "similarity"]

#: Hash functions per signature: the standard error of the estimated Jaccard is about
#: sqrt(J(1-J)/128), 0.04 at J = 0.5.
PERMUTATIONS = 128

_PRIME = np.uint64((1 << 61) - 1)
_MASK = np.uint64(0xFFFFFFFF)
# fixed seeds: signatures are stored, so every process must draw the same permutations; a and b
# below 2**31 keep a * h + b (h below 2**32) under 2**63, so nothing wraps around
_rng = np.random.default_rng(20231017)
_A = _rng.integers(1, 1 << 31, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, size=PERMUTATIONS, dtype=np.uint64)
#: The signature of nothing (every slot at its maximum).
_EMPTY = np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)


def signature(hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The MinHash signature of a set of 32-bit shingle hashes."""
    if not len(hashes):
        return _EMPTY.copy()
    values = hashes.astype(np.uint64)[:, None]
    permuted = ((values * _A[None, :] + _B[None, :]) % _PRIME) & _MASK
    smallest: npt.NDArray[np.uint32] = permuted.min(axis=0).astype(np.uint32)
    return smallest


def similarity(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> float:
    """The estimated Jaccard similarity of the two shingle sets: the share of equal slots."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def encode(sig: npt.NDArray[np.uint32]) -> str:
    """A signature as stored text (base64 of its little-endian bytes)."""
    return base64.b64encode(sig.astype("<u4").tobytes()).decode("ascii")


def decode(text: str) -> npt.NDArray[np.uint32] | None:
    """The signature stored as ``text``, or None when it is not one (a damaged value)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        return None
    if len(raw) != PERMUTATIONS * 4:
        return None
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)
