"""The newsfind web app: a search page and its JSON API over the indexer's public API."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
