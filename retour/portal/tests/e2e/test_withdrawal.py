"""The EU withdrawal function end to end, down to the acknowledgement email."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from retour.portal.tests.conftest import LINES
from retour.portal.tests.e2e.conftest import wait_for
from retour.returns.models import ReturnRequest, Right

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def immediate_tasks(settings):
    """The acknowledgement is sent by the worker's task: run it at once, after commit."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_consumer_withdraws_online_and_gets_the_acknowledgement_by_email(
    live_server, phone, screens, store, make_order, immediate_tasks
):
    order = make_order("1001", lines=LINES)
    page = phone
    mail.outbox.clear()

    page.goto(f"{live_server.url}/en/portal/shop/")
    page.locator("main").get_by_role("link", name="Withdraw from contract here").click()
    page.wait_for_url("**/withdraw/")
    page.get_by_label("Your name").fill("Alice Martin")
    page.get_by_label("Order number").fill("1001")
    page.get_by_label("Email address").fill("alice@example.com")
    screens.shot("form")
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/withdraw/confirm/")
    assert "I, Alice Martin, hereby withdraw from my contract" in page.content()
    assert page.locator("input[type=checkbox]:checked").count() == 2  # all items by default
    screens.shot("confirm")
    page.get_by_role("button", name="Confirm withdrawal").click()

    page.wait_for_url("**/acknowledgement")
    assert page.get_by_role("heading", name="Your withdrawal has been received").is_visible()
    screens.shot("acknowledgement")

    rr = ReturnRequest.objects.get()
    assert rr.is_withdrawal_statement and rr.right == Right.WITHDRAWAL and rr.channel == "portal"
    assert rr.lines.count() == order.lines.count()
    assert wait_for(lambda: len(mail.outbox) == 1), "the acknowledgement email was not sent"
    email = mail.outbox[0]
    assert email.to == ["alice@example.com"]
    assert "rétractation" in email.body  # in the customer's language (French for this order)
    assert "1001" in email.body and rr.number in email.body
    assert "T-shirt M" in email.body and "Mug" in email.body
    local = rr.created_at.astimezone(ZoneInfo(store.time_zone))
    assert local.strftime("%H:%M") in email.body  # the time the statement was submitted


def test_the_withdrawal_function_is_on_the_french_start_page(live_server, phone, store):
    phone.goto(f"{live_server.url}/fr/portal/shop/")

    assert phone.locator("html").get_attribute("lang") == "fr"
    phone.locator("main a.button").click()
    phone.wait_for_url("**/fr/portal/shop/withdraw/")
