"""What the article page and ``show --json`` say about an article's lineage: its story."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..results import StoryInfo

if TYPE_CHECKING:
    from ..index import NewsIndex

__all__ = ["ArticleLineage", "build_lineage"]


@dataclass(frozen=True)
class ArticleLineage:
    """An article's story (None when the engine keeps no stories)."""

    story: StoryInfo | None

    def to_json(self) -> dict[str, Any]:
        return {"story": self.story.to_json() if self.story else None}


def build_lineage(ix: NewsIndex, article_id: str) -> ArticleLineage:
    """The lineage of one article of ``ix`` (``NewsIndex.lineage``)."""
    return ArticleLineage(story=ix.story(article_id))
