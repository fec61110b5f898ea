from retour.portal.tests.e2e.conftest import browser, phone  # noqa: F401 - the portal's Chromium fixtures
