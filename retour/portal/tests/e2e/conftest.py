"""End-to-end tests in Debian's Chromium through Playwright, against pytest-django's live server.

They skip, saying why, when /usr/bin/chromium or the playwright package is missing (``make test``
installs Chromium). Screenshots of every screen go to var/screenshots/ at the repository root.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium; `make test` does it)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install -e '.[test]')")
    # Playwright's sync API keeps an event loop in this thread; Django would then refuse the
    # ORM calls the test itself makes. Only for the browser tests' module.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone(browser) -> Iterator[Any]:
    """A page on a 390 × 844 phone viewport, in English."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class Screens:
    """Takes a screenshot of each screen, counts them, and fails a screen wider than the viewport."""

    def __init__(self, page: Any, prefix: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page, self.prefix, self.paths = page, prefix, []

    def shot(self, name: str) -> Path:
        path = SCREENSHOTS / f"{self.prefix}-{len(self.paths) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.paths.append(path)
        # On a phone the page never scrolls sideways: every screen shot is also checked for it.
        width, screen = self.page.evaluate("document.documentElement.scrollWidth"), self.page.viewport_size
        assert screen is None or width <= screen["width"], (
            f"{path.name}: {width} px wide at {screen['width']} px"
        )
        return path


@pytest.fixture
def screens(phone, request) -> Screens:
    """Screenshots named after the test module: shopper-01-lookup.png, withdrawal-02-confirm.png…"""
    return Screens(phone, request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_"))


def wait_for(condition, timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it is true (work the live server finishes after the response)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


@pytest.fixture
def phone_fr(browser) -> Iterator[Any]:
    """A page on a 390 × 844 phone viewport, in French."""
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_serious(page: Any) -> list[str]:
    """The serious and critical axe-core findings on the page as it is now ('rule: target' each).

    axe-core comes bundled in the ``axe-playwright-python`` package (no network)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        pytest.skip("accessibility checks need axe-playwright-python (pip install -e '.[test]')")
    results = Axe().run(page)
    return [
        f"{v['id']}: {', '.join(str(n['target']) for n in v['nodes'])}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
