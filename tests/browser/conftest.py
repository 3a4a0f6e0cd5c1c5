"""Browser fixtures: ``newsfind serve`` as a real subprocess over a real index, and Debian's
chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from indexer import index_articles, iter_articles
from tests.browser.corpus import all_articles
from tests.conftest import ROOT, SEED, write_jsonl
from tests.serving import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of ``newsfind serve`` over the web corpus plus the seed article."""
    root = tmp_path_factory.mktemp("browser")
    corpus = write_jsonl(root / "corpus.jsonl", all_articles())
    report = index_articles(root / "index", iter_articles([str(corpus), str(SEED)]))
    assert report.failed == 0, report.errors
    with serving(root / "index", root / "serve.log", "--threads", "4") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium; CI installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page; any JavaScript dialog (alert, confirm) fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    tab = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not dialogs, f"a dialog opened: {dialogs}"
    assert not errors, f"page errors: {errors}"
