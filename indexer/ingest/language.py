"""The language an article is written in, detected from its text with py3langid.

Detection is deterministic (the same text gives the same tag), so the language can be part of
the content hash and a re-index of unchanged input still finds every article unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["detect_language", "MIN_CONFIDENCE", "SAMPLE_CHARS"]

#: Below this probability the text is too short or too mixed to name a language.
MIN_CONFIDENCE = 0.5
#: How much text is read: the first paragraphs decide (on the 37 dev pages with a known
#: language 300 characters were enough), and time grows with the sample.
SAMPLE_CHARS = 1000
#: Less text than this (letters) says nothing reliable.
MIN_LETTERS = 20

_lock = threading.Lock()
_identifier: Any = None


def _model() -> Any:
    """The model, loaded once per process on first use (about half a second)."""
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def detect_language(texts: Iterable[str]) -> str | None:
    """The ISO 639-1 code of the language ``texts`` (headline, paragraphs) are written in, or
    None when there is too little text or the model is unsure."""
    parts: list[str] = []
    size = 0
    for text in texts:
        if size >= SAMPLE_CHARS:
            break
        parts.append(text)
        size += len(text) + 1
    sample = "\n".join(parts)[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    language, confidence = _model().classify(sample)
    if confidence < MIN_CONFIDENCE or not isinstance(language, str) or language == "und":
        return None
    return language.lower()
