"""The lookup rate limit as a shopper meets it."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_too_many_lookups_show_when_to_try_again(live_server, phone, screens, store, make_order, settings):
    settings.LOOKUP_RATE_LIMIT = 3
    make_order("1001")
    page = phone
    page.goto(f"{live_server.url}/en/portal/shop/")

    for attempt in range(3):
        page.get_by_label("Order number").fill("1001")
        page.get_by_label("Email address or postcode").fill(f"guess{attempt}@example.com")
        page.get_by_role("button", name="Find my order").click()
        page.wait_for_selector("text=We could not find an order with these details")
    screens.shot("not-found")

    page.get_by_label("Order number").fill("1001")
    page.get_by_label("Email address or postcode").fill("alice@example.com")
    with page.expect_response(lambda r: r.request.method == "POST") as response_info:
        page.get_by_role("button", name="Find my order").click()

    assert response_info.value.status == 429
    assert page.get_by_role("heading", name="Too many attempts").is_visible()
    assert "15 minutes" in page.content()
    screens.shot("too-many")
