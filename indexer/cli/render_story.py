"""Terminal lines for a result's story: its lead and its other copies (sources and dates)."""

from __future__ import annotations

from collections.abc import Callable

from ..results import ArticleResult, Copy

__all__ = ["story_lines"]

#: Other copies named on a result's line; the rest are counted.
COPIES_NAMED = 5


def _copy(copy: Copy, safe: Callable[[str], str]) -> str:
    when = copy.published.date().isoformat() if copy.published else "undated"
    return f"{safe(copy.source or '(no source)')} {when}"


def story_lines(article: ArticleResult, safe: Callable[[str], str]) -> list[str]:
    """Nothing for an article alone in its story; else who ran it first and the others.
    ``safe`` makes document text harmless on a terminal (``render.terminal_text``)."""
    story = article.story
    if story is None or story.size < 2:
        return []
    others = story.others(article.article_id)
    lead = (
        "first published here"
        if story.lead.article_id == article.article_id
        else (f"first run by {_copy(story.lead, safe)} (id {safe(story.lead.article_id)})")
    )
    named = ", ".join(_copy(c, safe) for c in others[:COPIES_NAMED])
    more = f" and {len(others) - COPIES_NAMED:,} more" if len(others) > COPIES_NAMED else ""
    return [
        f"   story {story.story_id}: {lead}",
        f"   {len(others):,} other cop{'y' if len(others) == 1 else 'ies'}: {named}{more}"
        f" (newsfind search story:{story.story_id} --collapse none)",
    ]
