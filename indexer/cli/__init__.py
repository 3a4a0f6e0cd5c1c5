"""The ``newsfind`` command line."""

from __future__ import annotations

from .commands import cli, main

__all__ = ["cli", "main"]
