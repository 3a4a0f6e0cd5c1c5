"""The application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``NEWSFIND_*`` environment variables, then ``config``."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=os.environ.get("NEWSFIND_INDEX", "index_data"))
    app.config.from_prefixed_env("NEWSFIND")
    if config:
        app.config.from_mapping(config)
    return app
