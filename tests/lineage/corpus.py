"""Small corpora of stories for the lineage tests: a few distinct bodies and copies of them."""

from __future__ import annotations

import random
from typing import Any

from indexer import NewsIndex

VOCAB = (
    "harbour council energy harvest policy summit border vaccine election storm court rally "
    "bridge river market tariff drought festival strike museum minister budget railway pension "
    "school hospital airport factory mayor senate treaty frontier union wages rainfall orchard"
).split()


def body(seed: int, words: int = 60) -> list[str]:
    """A body of its own: ``seed`` decides every word, so two seeds share almost no shingles."""
    rng = random.Random(seed)
    text = [rng.choice(VOCAB) + str(rng.randrange(50)) for _ in range(words)]
    return [" ".join(text[i : i + 20]) for i in range(0, words, 20)]


def copy_of(paragraphs: list[str], seed: int, rate: float = 0.03) -> list[str]:
    """A copy with about ``rate`` of its words changed and its last paragraph dropped."""
    rng = random.Random(seed)
    out = []
    for p in paragraphs[:-1] if len(paragraphs) > 2 else paragraphs:
        words = p.split()
        for i in range(len(words)):
            if rng.random() < rate:
                words[i] = "changed" + str(rng.randrange(1000))
        out.append(" ".join(words))
    return out


def article(
    article_id: str, paragraphs: list[str], day: int | None, source: str = "AP"
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": article_id,
        "headline": f"Headline of {article_id}",
        "source": source,
        "paragraphs": paragraphs,
    }
    if day is not None:
        raw["published"] = f"2023-10-{day:02d}T08:00:00+00:00"
    return raw


def grouping(ix: NewsIndex) -> set[frozenset[str]]:
    """The index's stories as sets of article ids (what must not depend on arrival order)."""
    groups: dict[str, set[str]] = {}
    for article_id in ix.article_ids():
        story = ix.story(article_id)
        assert story is not None
        groups.setdefault(story.story_id, set()).add(article_id)
    return {frozenset(g) for g in groups.values()}
