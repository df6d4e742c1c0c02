"""The chat in headless Chromium (Debian's /usr/bin/chromium driven by Playwright):
Arabic question, right-to-left answer, cited passage highlighted, nothing fetched off-host."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest

from app_helpers import running_app

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1"}


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-core)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _watch_requests(page) -> list[str]:
    """Record every request whose host is not 127.0.0.1 (and abort it)."""
    outside: list[str] = []

    def route(r):
        url = r.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("websocket", lambda ws: None if urlparse(ws.url).hostname in LOCAL_HOSTS else outside.append(ws.url))
    return outside


def test_arabic_question_rtl_answer_and_highlight(browser, tmp_path):
    with running_app() as (url, _demo):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ar")
        outside = _watch_requests(page)
        page.goto(url, wait_until="load")
        page.locator("#qa-question textarea").wait_for(timeout=60_000)
        box = page.locator("#qa-question textarea")
        box.fill("من حضر المؤتمر؟")
        box.press("Enter")

        answer = page.locator("#qa-chat .qa-answer:not(.qa-streaming)").last
        answer.wait_for(state="visible", timeout=120_000)
        page.locator("#qa-chat .qa-answer .qa-sources").last.wait_for(timeout=60_000)

        direction = answer.evaluate("el => getComputedStyle(el).direction")
        assert direction == "rtl", direction
        text = answer.inner_text()
        assert "[1]" in text

        panel = page.locator("#qa-article-panel")
        cited = panel.locator(".qa-cited")
        cited.first.wait_for(timeout=30_000)
        assert cited.count() >= 1
        assert panel.locator("mark").count() >= 1
        # The highlighted passage is the one the first source quotes.
        quote = page.locator("#qa-chat .qa-sources").last.locator("mark").first.inner_text().strip()
        panel_marks = " ".join(m.inner_text() for m in panel.locator("mark").all())
        assert quote and quote[:40] in panel_marks
        # Its background is actually painted (not transparent).
        bg = cited.first.evaluate("el => getComputedStyle(el).backgroundColor")
        assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), bg

        # Clicking the first source scrolls the article panel to it.
        page.locator("#qa-chat .qa-source").last.click()
        page.wait_for_timeout(800)
        classes = page.locator("#qa-chat .qa-source").last.get_attribute("class").split()
        goto = next(c for c in classes if c.startswith("qa-goto-"))[len("qa-goto-") :]
        target = page.locator(f"#{goto}")
        assert target.is_visible()
        assert "qa-flash" in (target.get_attribute("class") or "")

        # Arabic glyphs render with a real Arabic font (not tofu): the text has width.
        width = answer.evaluate("el => el.getBoundingClientRect().width")
        assert width > 50

        shot = tmp_path / "ask-the-article.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot: {shot}")
        keep = os.environ.get("SCREENSHOT_PATH")
        if keep:
            shutil.copy(shot, keep)
            print(f"screenshot copied to: {keep}")

        assert not outside, f"requests left 127.0.0.1: {outside}"
        page.close()


def test_html_in_question_is_shown_as_text(browser):
    with running_app() as (url, _demo):
        page = browser.new_page()
        outside = _watch_requests(page)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="load")
        page.locator("#qa-question textarea").wait_for(timeout=60_000)
        page.evaluate("window.__pwned = 0")
        box = page.locator("#qa-question textarea")
        box.fill('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Who attended?')
        box.press("Enter")
        page.locator("#qa-chat .qa-answer:not(.qa-streaming)").last.wait_for(timeout=120_000)
        user = page.locator("#qa-chat .qa-user").last
        assert "<img" in user.inner_text() and "<script>" in user.inner_text()
        assert page.locator("#qa-chat img[src='x']").count() == 0
        assert page.evaluate("window.__pwned") == 0 and not dialogs
        assert not outside, outside
        page.close()
