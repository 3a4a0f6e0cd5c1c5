"""The fixed corpus the contract tests search: small, with one article for each behaviour.

Words the tests count are ones the analyzer keeps whole in every occurrence here
("reservoir", "harbour", "lighthouse"), so a brute-force count over the texts is exact.
"""

from __future__ import annotations

from typing import Any

ARTICLES: list[dict[str, Any]] = [
    {
        "id": "summit",
        "headline": "Leaders meet at the harbour summit",
        "published": "2023-10-18T09:00:00+00:00",
        "source": "Reuters",
        "byline": "Jane Doe",
        "dateline": "Beijing",
        "captions": [
            {
                "text": "Leaders shake hands at the harbour.",
                "credit": "Ann Lee/Reuters",
                "date": "2023-10-17",
            }
        ],
        "paragraphs": [
            "The leaders discussed the Belt and Road plan and new infrastructure.",
            "Officials said the reservoir project near the harbour would continue.",
        ],
    },
    {
        "id": "dam",
        "headline": "Reservoir levels fall again",
        "published": "2023-09-05T12:00:00+00:00",
        "source": "AP",
        "byline": "Sam Park",
        "dateline": "Denver",
        "captions": [
            {"text": "The reservoir at dawn.", "credit": "Ann Lee/AP", "date": "2023-09-04"},
            {"text": "A dry reservoir bed.", "credit": "Bo Chen/AP", "date": "2023-09-03"},
        ],
        "paragraphs": [
            "The reservoir dropped for a third week.",
            "Farmers near the reservoir asked for help.",
            "Engineers inspected the reservoir wall.",
        ],
        "notes": ["Reporting by the reservoir desk."],
    },
    {
        "id": "late",
        # -05:00: published on 2023-11-01 there, 2023-11-02 in UTC, which is what dates mean
        "headline": "Harbour reopens after the storm",
        "published": "2023-11-01T23:30:00-05:00",
        "source": "AP",
        "paragraphs": ["Ships returned to the harbour on Thursday.", "Trade resumed slowly."],
    },
    {
        "id": "escape",
        "headline": "Security test page",
        "published": "2023-10-20T10:00:00+00:00",
        "source": "Example News",
        "paragraphs": [
            "A page with <script>alert(1)</script> and <b>bold</b> text near the harbour & docks."
        ],
    },
    {
        "id": "old",
        "headline": "Lighthouse keeper retires",
        "published": "2022-12-31T12:00:00+00:00",
        "paragraphs": ["The lighthouse keeper worked there for forty years."],
    },
    {
        "id": "undated",
        "headline": "Lighthouse repainted",
        "paragraphs": ["Volunteers repainted the lighthouse red and white."],
    },
]
