"""The ``newsfind`` command line."""

from __future__ import annotations

from .commands import cli, main
from .sphinx import sphinx

cli.add_command(sphinx)

__all__ = ["cli", "main"]
