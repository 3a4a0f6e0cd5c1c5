"""An article's fingerprint, stored with it as one text: the MinHash signature of its body's
shingles (which story it belongs to), and a hash per paragraph and per caption (where its
paragraphs and photos recur in other articles).

Text form: ``1;<signature base64 or empty>;<paragraph hashes>;<caption text:credit hashes>``,
hashes in hex, 0 for a paragraph too short to count. Engines store it as opaque text.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import Article
from .minhash import decode, encode, signature
from .shingles import MIN_WORDS, shingle_hashes, words

__all__ = ["Fingerprint", "fingerprint", "parse_fingerprint", "text_hash", "REUSE_MIN_WORDS"]

#: Paragraphs shorter than this are not traced to other articles ("Reuter", "Shr 12 cts").
REUSE_MIN_WORDS = 8
_VERSION = "1"
_NON_WORD = re.compile(r"\W+")


@dataclass(frozen=True)
class Fingerprint:
    """``signature`` None: a body too short to place in a story (a story of its own)."""

    signature: npt.NDArray[np.uint32] | None
    paragraphs: tuple[int, ...]
    captions: tuple[tuple[int, int], ...]


def text_hash(text: str) -> int:
    """A hash of ``text`` ignoring case, punctuation and spacing (near-exact repeats match);
    never 0, which stands for "not traced"."""
    folded = _NON_WORD.sub(" ", text.lower()).strip()
    return zlib.crc32(folded.encode()) or 1


def _paragraph_hash(text: str) -> int:
    return text_hash(text) if len(words([text])) >= REUSE_MIN_WORDS else 0


def fingerprint(article: Article) -> str:
    """What the index stores with ``article`` (see the module docstring)."""
    tokens = words(article.paragraphs)
    sig = encode(signature(shingle_hashes(tokens))) if len(tokens) >= MIN_WORDS else ""
    paragraphs = ",".join(f"{_paragraph_hash(p):x}" for p in article.paragraphs)
    captions = ",".join(
        f"{text_hash(c.text):x}:{text_hash(c.credit or ''):x}" for c in article.captions
    )
    return ";".join((_VERSION, sig, paragraphs, captions))


def _hexes(text: str) -> tuple[int, ...]:
    return tuple(int(h, 16) for h in text.split(",")) if text else ()


def parse_fingerprint(text: str | None) -> Fingerprint | None:
    """The stored text read back; None when it is absent or damaged (the article then stands
    alone and is traced nowhere)."""
    if not text:
        return None
    parts = text.split(";")
    if len(parts) != 4 or parts[0] != _VERSION:
        return None
    try:
        sig = decode(parts[1]) if parts[1] else None
        paragraphs = _hexes(parts[2])
        captions = (
            tuple(
                (int(t, 16), int(c, 16))
                for t, c in (pair.split(":") for pair in parts[3].split(","))
            )
            if parts[3]
            else ()
        )
    except ValueError:
        return None
    if parts[1] and sig is None:
        return None
    return Fingerprint(sig, paragraphs, captions)
