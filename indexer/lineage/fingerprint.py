"""An article's fingerprint: the MinHash signature of its body's shingles, as stored text."""

from __future__ import annotations

from ..model import Article
from .minhash import encode, signature
from .shingles import MIN_WORDS, shingle_hashes, words

__all__ = ["fingerprint"]


def fingerprint(article: Article) -> str | None:
    """What the index stores with ``article`` so its copies can be found (None when its body is
    too short to say: such an article is a story of its own)."""
    tokens = words(article.paragraphs)
    if len(tokens) < MIN_WORDS:
        return None
    return encode(signature(shingle_hashes(tokens)))
