"""The HTML brief in a real headless browser: Debian's chromium (/usr/bin/chromium, or CAX_CHROMIUM)
driven by Playwright through ``executable_path`` (no browser download), on a phone-sized screen,
with every network request refused and recorded. The headline shows, every chart image rendered,
nothing was fetched, nothing is wider than the phone.

Skipped with the reason when chromium is absent; with CI=true its absence fails the test instead.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.builders import words_of

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("CAX_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
LOCAL = ("file", "data")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser's path, or the test skipped (failed with CI=true). Session-scoped so that it comes
    before the session's sample night: a skipped test does not wait for the night."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"no chromium at {CHROMIUM}: apt-get install chromium (Debian), or set CAX_CHROMIUM to its path"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives the browser a fresh temporary profile (user-data-dir) of its own.
        launched = playwright.chromium.launch(executable_path=str(chromium), args=ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser, path: Path) -> tuple[object, list[str]]:
    """The page at ``path`` on a phone-sized screen, with the URLs of every request that was not
    local (refused), whether the router or the request log saw it."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, service_workers="block")
    outside: list[str] = []

    def refuse(route):
        url = route.request.url
        if urlsplit(url).scheme in LOCAL:
            route.continue_()
        else:
            outside.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", refuse)
    page = context.new_page()
    page.on("request", lambda r: urlsplit(r.url).scheme in LOCAL or outside.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, outside


def test_the_page_shows_the_headline_and_every_chart_with_nothing_fetched(chromium, browser, brief_files):
    page, outside = _open(browser, brief_files.html)
    try:
        assert words_of(brief_files.brief.headline) in words_of(page.inner_text("main"))
        assert page.get_by_text(brief_files.brief.headline[:60]).first.is_visible()
        images = page.eval_on_selector_all("img", """images => images.map(i => ({
            complete: i.complete, natural: i.naturalWidth, shown: i.getBoundingClientRect().width}))""")
        assert len(images) == len(brief_files.charts) == 3
        for image in images:
            assert image["complete"] and image["natural"] > 0 and 0 < image["shown"] <= PHONE["width"], image
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        assert outside == []
    finally:
        page.context.close()


def test_a_reference_outside_the_page_would_be_caught(chromium, browser, brief_files, tmp_path):
    """The guard above can fail: the same page with its Content-Security-Policy removed and an image
    and a stylesheet from outside added makes the browser try them, and the test sees it."""
    text = brief_files.html.read_text(encoding="utf-8")
    text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    text = text.replace("</main>", '<img src="https://example.invalid/x.png" alt="">'
                                   '<link rel="stylesheet" href="//example.invalid/a.css"></main>')
    tampered = shutil.copy(brief_files.html, tmp_path / "tampered.html")
    Path(tampered).write_text(text, encoding="utf-8")
    page, outside = _open(browser, Path(tampered))
    try:
        assert {urlsplit(url).netloc for url in outside} == {"example.invalid"}
        assert any(url.endswith("/x.png") for url in outside)
    finally:
        page.context.close()
