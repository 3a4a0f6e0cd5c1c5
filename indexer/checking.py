"""Checking an index for damage, and repairing it: ``check_index`` and what it reports.

Engine-neutral: an engine that can verify its files declares the "check" capability and
implements ``check(repair)`` (``engine.base.CheckableEngine``); ``newsfind check`` and the API
call it through ``check_index``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, cast

from .errors import NewsfindError

__all__ = ["CheckReport", "check_index"]


@dataclass(frozen=True)
class CheckReport:
    """What ``check_index`` found and did. ``damage`` holds ``(file, problem)`` pairs as found
    (before any repair); ``unverified`` says the index has no checksums to compare with (built
    before they were recorded, so only readability was checked)."""

    location: str
    files_checked: int
    damage: tuple[tuple[str, str], ...] = ()
    unverified: bool = False
    repaired: bool = False
    #: after a repair: articles kept whole, and ids of those lost (some documents unreadable)
    articles_kept: int | None = None
    articles_lost: tuple[str, ...] = ()
    #: after a repair that rebuilt the index: where the damaged files were moved
    moved_to: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """The index is sound now: nothing was damaged, or the repair fixed it."""
        return not self.damage or self.repaired

    def to_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "ok": self.ok,
            "files_checked": self.files_checked,
            "damage": [{"file": f, "problem": p} for f, p in self.damage],
            "unverified": self.unverified,
            "repaired": self.repaired,
            "articles_kept": self.articles_kept,
            "articles_lost": list(self.articles_lost),
            "moved_to": self.moved_to,
        }


def check_index(location: str | os.PathLike[str], *, repair: bool = False) -> CheckReport:
    """Verify every file of the index (content hashes included); with ``repair``, rebuild what
    is damaged from the articles that can still be read whole. The index must not be written
    meanwhile (a repair takes the write lock)."""
    from .engine.base import CheckableEngine, open_engine

    engine = open_engine(location, "check")
    try:
        if "check" not in engine.capabilities:
            raise NewsfindError(f"the {engine.name} engine cannot check its index")
        return cast(CheckableEngine, engine).check(repair=repair)
    finally:
        engine.close()
