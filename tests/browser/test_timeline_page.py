"""The search page's timeline in headless Chromium: a bar is a link that narrows the search."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.corpus import WORD

pytestmark = pytest.mark.browser


def test_click_a_bar_to_narrow_the_search_to_its_period(page: Any) -> None:
    page.goto(f"/search?q={WORD}")
    bars = page.locator("svg.timeline-chart a.timeline-link")
    assert bars.count() > 1
    chosen = bars.nth(bars.count() - 1)
    label = chosen.get_attribute("aria-label") or ""
    found = re.match(r"(\S+): (\d+) matching article", label)
    assert found, label
    chosen.click()
    page.wait_for_url(re.compile(r"from="))
    args = parse_qs(urlsplit(page.url).query)
    assert args["q"] == [WORD] and args["from"][0] <= args["to"][0]
    assert page.locator("li.result").count() == int(found.group(2))
    # the narrowed search draws its own timeline, by day over the week it was narrowed to
    assert page.locator("#timeline-title").inner_text().endswith("per day")
