"""Article pages (HTML): decoding, metadata, the body, captions; ``parse_html`` runs them."""

from __future__ import annotations

from .page import MAX_BYTES, looks_like_html, parse_html

__all__ = ["MAX_BYTES", "looks_like_html", "parse_html"]
