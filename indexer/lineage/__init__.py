"""Story lineage: fingerprints of article bodies, stories of near-duplicates, what copies changed.

Engine-neutral: ``ArticleWriter`` stores each article's ``fingerprint`` with it on engines that
declare "stories", and every such engine builds its ``Stories`` with ``build_stories`` from
what it stored (docs/lineage.md).
"""

from __future__ import annotations

from .fingerprint import fingerprint
from .stories import THRESHOLD, Stories, StoryRecord, build_stories, story_id_of

__all__ = ["THRESHOLD", "Stories", "StoryRecord", "build_stories", "fingerprint", "story_id_of"]
