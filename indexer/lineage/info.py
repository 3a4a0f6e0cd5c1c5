"""A story as the results show it (``results.StoryInfo``): its lead and copies, oldest first."""

from __future__ import annotations

from ..results import Copy, StoryInfo
from .stories import Stories, StoryRecord

__all__ = ["story_info"]


def _copy(record: StoryRecord, stories: Stories, lead: str) -> Copy:
    return Copy(
        article_id=record.article_id,
        source=record.source,
        published=record.published,
        headline=record.headline,
        similarity=stories.similarity(record.article_id, lead),
    )


def story_info(stories: Stories, article_id: str) -> StoryInfo | None:
    """The story of ``article_id`` (None when the stories do not know the article)."""
    story_id = stories.story_of(article_id)
    if story_id is None:
        return None
    members = stories.members(story_id)
    lead = members[0].article_id
    copies = tuple(_copy(r, stories, lead) for r in members)
    return StoryInfo(story_id=story_id, lead=copies[0], copies=copies)
