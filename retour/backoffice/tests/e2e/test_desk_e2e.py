"""An agent in Chromium, in English and in French: answers a customer from the inbox with a
predefined reply (which reaches the customer's mail), opens the customer's page, and creates a
return for a customer on the phone. Every page is checked with axe-core (no serious or critical
violation) and photographed at 1280 and 390 px under var/screenshots/staff/."""

from __future__ import annotations

import pytest
from django.core import mail

from retour.backoffice.tests.e2e.conftest import Shots
from retour.core.actors import Actor
from retour.helpdesk.services import message_post
from retour.notifications.models import Notification
from retour.notifications.tasks import notification_send
from retour.orders.models import Order
from retour.returns.models import ReturnRequest
from retour.returns.services import LineRequest, return_create
from retour.stores.services import staff_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-staff-password-42"
WORDS = {
    "en": {
        "user": "Username",
        "password": "Password",
        "sign_in": "Sign in",
        "reply": "We are looking into it",
    },
    "fr": {
        "user": "Nom d’utilisateur",
        "password": "Mot de passe",
        "sign_in": "Se connecter",
        "reply": "Nous nous en occupons",
    },
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_agent_answers_a_customer_and_creates_a_return_by_phone(
    desk, live_server, store, make_order, lang
):
    agent = staff_add(store=store, username="claire", role="agent", password=PASSWORD)
    agent.user.first_name = "Claire"
    agent.user.save()
    order = make_order("1001")
    rr = return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )
    message_post(return_request=rr, author_type="customer", author_name="Alice", body="Where is my parcel?")
    make_order("1002")
    page, words, base = desk, WORDS[lang], f"{live_server.url}/{lang}/staff"
    shots = Shots(page, f"desk-{lang}")

    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill("claire")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{base}/messages/")
    assert "Where is my parcel?" in page.content()
    shots.take("inbox")
    page.locator(f"a[href$='/messages/{rr.number}/']").first.click()
    page.wait_for_url(f"**/messages/{rr.number}/")
    page.select_option("#pick-reply", label=words["reply"])
    page.wait_for_function("document.querySelector('#reply-text').value.includes('Claire')")
    shots.take("conversation")
    Notification.objects.all().delete()
    page.locator("form[action$='/reply/'] button[type=submit]").click()
    page.wait_for_url(f"**/messages/{rr.number}/")
    reply = Notification.objects.get(kind="message_reply")
    assert notification_send(notification_id=reply.pk) == "sent"
    assert mail.outbox[-1].to == ["alice@example.com"] and rr.number in mail.outbox[-1].body

    page.goto(f"{base}/customers/?q=alice")
    shots.take("customers")
    page.goto(f"{base}/customers/{order.customer_id}/")
    assert "Where is my parcel?" in page.content()
    shots.take("customer")

    page.goto(f"{base}/create/?q=1002")
    shots.take("create-find")
    page.locator("a[href$='/create/1002/']").click()
    page.wait_for_url("**/create/1002/")
    shots.take("create-order")
    line = Order.objects.get(store=store, number="1002").lines.get()
    page.select_option(f"#qty-{line.id}", "1")
    page.locator("button[value=estimate]").click()
    page.wait_for_load_state()
    shots.take("create-estimate")
    page.locator("button[value=create]").click()
    page.wait_for_url("**/staff/r/**")
    created = ReturnRequest.objects.get(order__number="1002")
    assert created.channel == "phone" and page.locator("h1").inner_text().strip() == created.number
    shots.take("created")
