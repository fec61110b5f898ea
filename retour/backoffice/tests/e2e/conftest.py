"""Browser tests of the staff workspace: Debian's Chromium through Playwright (the portal's
``browser`` fixture), screenshots under var/screenshots/staff/, axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from retour.portal.tests.e2e.conftest import SCREENSHOTS, axe_serious, browser  # noqa: F401 - the fixture

STAFF_SHOTS = SCREENSHOTS / "staff"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Shots:
    """A screenshot of each page at 1280 and 390 px, and an axe-core check of it."""

    def __init__(self, page: Any, prefix: str):
        STAFF_SHOTS.mkdir(parents=True, exist_ok=True)
        self.page, self.prefix, self.count = page, prefix, 0

    def take(self, name: str) -> None:
        self.count += 1
        stem = f"{self.prefix}-{self.count:02d}-{name}"
        problems = axe_serious(self.page)
        assert problems == [], f"{stem}: {problems}"
        self.page.screenshot(path=str(STAFF_SHOTS / f"{stem}-1280.png"), full_page=True)
        self.page.set_viewport_size(PHONE)
        self.page.screenshot(path=str(STAFF_SHOTS / f"{stem}-390.png"), full_page=True)
        # On a phone the page itself never scrolls sideways (a wide table scrolls in its own box).
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{stem}: {width} px wide at {PHONE['width']} px"
        self.page.set_viewport_size(DESKTOP)


@pytest.fixture
def desk(browser):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
