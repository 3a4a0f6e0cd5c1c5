"""The search page in headless Chromium against ``newsfind serve``: what a person does."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.corpus import WORD, XSS_ID, XSS_TEXT

pytestmark = pytest.mark.browser


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def search(page: Any, query: str) -> None:
    page.goto("/")
    page.get_by_label("Search news").fill(query)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))


def test_type_a_query_press_enter_see_highlighted_results(page: Any) -> None:
    search(page, WORD)
    assert params(page.url)["q"] == [WORD]
    results = page.locator("li.result")
    assert results.count() > 0
    marks = page.locator(".hit mark")
    assert marks.first.is_visible()
    assert {m.lower() for m in marks.all_inner_texts()} == {WORD}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results-page.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "results-page-phone.png"))
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_slash_focuses_the_search_box(page: Any) -> None:
    page.goto("/help")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_apply_and_remove_a_facet(page: Any) -> None:
    search(page, WORD)
    total = page.locator(".results-count strong").inner_text()
    page.locator(".facet-kind a", has_text="Photo captions").click()
    page.wait_for_url(re.compile(r"kind=caption"))
    kinds = page.locator("li.hit").evaluate_all("els => els.map(e => e.className)")
    assert kinds and all("hit-caption" in k for k in kinds)
    assert page.locator(".active-filters .chip").count() == 1
    page.locator(".active-filters .chip-remove").click()
    page.wait_for_url(lambda url: "kind=" not in url)
    assert page.locator(".results-count strong").inner_text() == total


def test_go_to_page_two(page: Any) -> None:
    search(page, WORD)
    first = page.locator(".result-title a").all_inner_texts()
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert params(page.url)["q"] == [WORD]
    second = page.locator(".result-title a").all_inner_texts()
    assert second and not set(first) & set(second)
    assert page.locator(".page-current").inner_text() == "2"


def test_open_an_article_at_the_passage_with_terms_marked(page: Any) -> None:
    search(page, WORD)
    hit = page.locator("li.hit-paragraph a.hit-link").first
    hit_text = hit.locator(".snippet").inner_text()
    href = hit.get_attribute("href")
    hit.click()
    page.wait_for_url(re.compile(r"/articles/"))
    anchor = urlsplit(href).fragment
    assert anchor.startswith("doc-")
    passage = page.locator(f"#{anchor}")
    passage.wait_for()
    assert passage.inner_text() == hit_text
    assert passage.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    assert passage.locator("mark").first.inner_text().lower() == WORD
    assert passage.evaluate("el => el.matches(':target')")


def test_follow_did_you_mean(page: Any) -> None:
    misspelt = WORD[:-2] + WORD[-1]
    search(page, misspelt)
    link = page.locator(".suggestion a")
    assert link.inner_text() == WORD
    link.click()
    page.wait_for_url(lambda url: params(url).get("q") == [WORD])
    assert page.locator("li.result").count() > 0


def test_markup_in_articles_never_runs(page: Any) -> None:
    search(page, WORD)
    page.goto(f"/search?q={WORD}&per_page=100")
    assert page.locator(".result-title a", has_text="<script>").count() == 1
    page.goto(f"/articles/{XSS_ID}?q={WORD}")
    assert page.locator(".article-body p").first.inner_text() == XSS_TEXT
    assert page.evaluate("document.querySelectorAll('img, svg').length") == 0
    page.goto("/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert page.get_by_label("Search news").input_value() == "<img src=x onerror=alert(1)>"
