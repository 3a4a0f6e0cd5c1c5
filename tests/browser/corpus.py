"""A small corpus for the web tests: varied sources, months, captions with credits, an article
whose every field tries to inject markup, and an id that needs escaping in a URL.

Tests derive their expectations from these dicts (which articles mention a word, which sources
exist), never from numbers typed into the test.
"""

from __future__ import annotations

import random
from typing import Any

#: The word most articles share, so a search has several pages and every facet.
WORD = "lighthouse"
SOURCES = ("Reuters", "BBC", "AP")
CREDITS = ("Jane Doe/AP", "Carlos Ruiz/Reuters")
XSS_ID = "xss-article"
ODD_ID = "https://example.com/news/2023/a b?x=1&y=<2>#frag"
XSS_TEXT = '<script>alert("p")</script> lighthouse <img src=x onerror="alert(1)"> & "quotes"'


#: Words of each article's own log entry: without them the twelve articles would be near-copies
#: of one story, which searches show as one result (docs/lineage.md).
_LOG_WORDS = (
    "anchor beacon cliff dune estuary gull heron inlet jetty kelp lagoon marsh netting oyster "
    "pebble reef salt trawler undertow vessel wharf yacht buoy current"
).split()


def _log_entry(i: int) -> str:
    rng = random.Random(i)
    return (
        f"Log entry {i}: "
        + " ".join(f"{rng.choice(_LOG_WORDS)}{rng.randrange(10)}" for _ in range(150))
        + "."
    )


def lighthouse_articles() -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = []
    for i in range(12):
        month = 9 + i % 3
        article: dict[str, Any] = {
            "id": f"lh-{i:02d}",
            "headline": f"Harbour town {i} restores its old lighthouse"
            if i % 4 == 0
            else f"Coastal report number {i} from the northern harbour",
            "published": f"2023-{month:02d}-{i + 1:02d}T08:00:00+00:00",
            "source": SOURCES[i % 3],
            "byline": f"By Reporter {i}",
            "dateline": "PORTO, Portugal" if i % 2 else "GDANSK, Poland",
            "paragraphs": [
                f"Fishermen gathered on the quay at dawn on day {i} to watch the tide.",
                f"The {WORD} keeper said the lamp had burned for {100 + i} years without fail.",
                "Tourists came by ferry, and the harbour master counted the boats.",
                f"Later the {WORD} was painted white and red, the colours of the town.",
                "Nobody expected the storm that followed in the evening.",
                _log_entry(i),
            ],
            "notes": ["Additional reporting by the harbour desk."],
        }
        if i % 2 == 0:
            article["captions"] = [
                {
                    "text": f"The {WORD} at sunrise seen from the pier, picture {i}.",
                    "credit": CREDITS[i % 4 // 2],
                    "date": f"2023-{month:02d}-{i + 1:02d}",
                }
            ]
        articles.append(article)
    return articles


def xss_article() -> dict[str, Any]:
    return {
        "id": XSS_ID,
        "headline": '<script>alert("h")</script><img src=x onerror=alert(2)> lighthouse news',
        "published": "2023-08-01T10:00:00+00:00",
        "source": "Evil & <b>Co</b>",
        "byline": "<i>By</i> Mallory",
        "dateline": '<svg onload="alert(3)">',
        "url": 'https://example.com/"><script>alert(4)</script>',
        "paragraphs": [XSS_TEXT, "A second paragraph about the lighthouse </textarea>."],
        "captions": [
            {
                "text": "The lighthouse <img src=y onerror=alert(5)> at night.",
                "credit": "<b>Credit</b> & Co",
                "date": "2023-08-01",
            }
        ],
    }


def odd_id_article() -> dict[str, Any]:
    return {
        "id": ODD_ID,
        "headline": "An article whose id needs escaping in every URL",
        "published": "2023-07-15",
        "source": "Reuters",
        "paragraphs": ["The semaphore tower stood beside the old customs house."],
    }


def all_articles() -> list[dict[str, Any]]:
    return [*lighthouse_articles(), xss_article(), odd_id_article()]
