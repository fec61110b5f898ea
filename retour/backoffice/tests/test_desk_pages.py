"""The help desk, customer and create-a-return pages: roles, CSRF, languages, no query per row,
and that each page calls the domain (emails, audit) rather than deciding anything itself."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retour.backoffice.tests.conftest import url
from retour.helpdesk.models import Message, PredefinedReply
from retour.helpdesk.services import message_post
from retour.notifications.models import Notification
from retour.notifications.tasks import notification_send
from retour.returns.models import ReturnEvent, ReturnRequest

NO_CUSTOMER_DATA = ("warehouse", "partner", "partner_main")


def _ask(rr, body="Where is my refund?"):
    return message_post(return_request=rr, author_type="customer", author_name="Alice", body=body)


# --- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_lists_conversations_with_their_unread_marker(signed_in, make_return):
    rr = make_return("1001")
    _ask(rr)
    page = signed_in("agent").get(url("inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert rr.number in html and "Where is my refund?" in html and "1 unread" in html


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_inbox_filters_by_state(signed_in, make_return, lang):
    waiting, answered = make_return("1001"), make_return("1002")
    _ask(waiting)
    _ask(answered)
    client = signed_in("agent")
    client.post(url("reply", lang, number=answered.number), {"body": "Done."})
    html = client.get(url("inbox", lang) + "?state=answered").content.decode()
    assert answered.number in html and waiting.number not in html
    html = client.get(url("inbox", lang) + "?state=open").content.decode()
    assert waiting.number in html and answered.number not in html
    assert f'lang="{lang}"' in client.get(url("inbox", lang)).content.decode()


def test_the_inbox_costs_the_same_queries_for_one_and_many_conversations(signed_in, make_return):
    client = signed_in("agent")
    _ask(make_return("1001"))

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("inbox")).status_code == 200
        return len(ctx.captured_queries)

    one = cost()
    for n in range(1002, 1008):
        _ask(make_return(str(n)))
    assert cost() == one


@pytest.mark.parametrize("who", NO_CUSTOMER_DATA)
def test_warehouse_and_partners_see_no_messages(signed_in, make_return, who):
    rr = make_return("1001")
    _ask(rr)
    client = signed_in(who)
    assert client.get(url("inbox")).status_code == 403
    assert client.get(url("conversation", number=rr.number)).status_code == 403
    assert client.post(url("reply", number=rr.number), {"body": "Hi"}).status_code == 403
    assert not Message.objects.filter(author_type="staff").exists()


def test_another_stores_conversation_is_not_found(signed_in, make_return, other_store):
    rr = make_return("9001", target_store=other_store)
    _ask(rr)
    client = signed_in("agent")
    assert client.get(url("conversation", number=rr.number)).status_code == 404
    assert client.post(url("reply", number=rr.number), {"body": "Hi"}).status_code == 404
    assert rr.number not in client.get(url("inbox")).content.decode()


# --- replying ----------------------------------------------------------------------------------


def test_a_reply_reaches_the_customers_mail_in_their_language_and_the_status_page(signed_in, make_return):
    rr = make_return("1001")  # the customer writes French (the order's customer language)
    _ask(rr)
    Notification.objects.all().delete()
    response = signed_in("agent").post(url("reply", number=rr.number), {"body": "Votre colis est arrivé."})
    assert response.status_code == 302
    row = Notification.objects.get(kind="message_reply")
    assert notification_send(notification_id=row.pk) == "sent"
    email = mail.outbox[-1]
    assert email.to == ["alice@example.com"] and "Votre colis est arrivé." in email.body
    assert email.subject.startswith("Une réponse à propos de votre retour")
    assert "Votre colis est arrivé." in Client().get(f"/fr/portal/r/{rr.token}").content.decode()
    assert Message.objects.get(author_type="customer").read_at is not None


def test_an_empty_reply_says_why_in_the_readers_language_and_sends_nothing(signed_in, make_return):
    rr = make_return("1001")
    response = signed_in("agent").post(url("reply", "fr", number=rr.number), {"body": "   "})
    assert response.status_code == 422
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not Message.objects.exists() and not Notification.objects.filter(kind="message_reply").exists()


def test_replying_needs_the_csrf_token(staff, make_return):
    rr = make_return("1001")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["agent"].user)
    assert client.post(url("reply", number=rr.number), {"body": "Hi"}).status_code == 403
    assert not Message.objects.exists()


def test_a_predefined_reply_is_filled_in_for_the_return(signed_in, make_return, store):
    rr = make_return("1001")
    reply = PredefinedReply.objects.get(store=store, code="looking_into_it")
    client = signed_in("agent")
    fragment = client.get(url("reply_text", number=rr.number) + f"?reply={reply.pk}", HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert f"votre retour {rr.number}" in text and "Claire, Maison Test" in text  # the customer's French
    assert "<html" not in text  # a fragment for htmx
    page = client.get(url("conversation", number=rr.number) + f"?reply={reply.pk}").content.decode()
    assert f"votre retour {rr.number}" in page  # without JavaScript, the page fills the box


def test_another_stores_predefined_reply_fills_nothing(signed_in, make_return, other_store):
    rr = make_return("1001")
    theirs = PredefinedReply.objects.filter(store=other_store).first()
    text = (
        signed_in("agent").get(url("reply_text", number=rr.number) + f"?reply={theirs.pk}").content.decode()
    )
    assert theirs.body_fr[:20] not in text


def test_mark_read_clears_the_unread_marker(signed_in, make_return):
    rr = make_return("1001")
    question = _ask(rr)
    assert signed_in("agent").post(url("mark_read", number=rr.number)).status_code == 302
    question.refresh_from_db()
    assert question.read_at is not None


# --- customers ---------------------------------------------------------------------------------


def test_the_customer_page_shows_orders_returns_and_the_return_rate(signed_in, make_return):
    rr = make_return("1001")
    _ask(rr, "Question about my mug")
    page = signed_in("agent").get(url("customer", pk=rr.customer_id))
    html = page.content.decode()
    assert page.status_code == 200
    assert rr.number in html and "1001" in html and "Question about my mug" in html
    assert "66.7%" in html  # 2 of the 3 units bought are in the return
    assert "French" in html  # the customer's language by its name, not its code
    french = signed_in("agent").get(url("customer", "fr", pk=rr.customer_id)).content.decode()
    assert "66,7\xa0%" in french and "Français" in french


def test_customer_search_finds_by_email(signed_in, make_return):
    rr = make_return("1001")
    html = signed_in("admin").get(url("customers") + "?q=alice@").content.decode()
    assert f'href="{url("customer", pk=rr.customer_id)}"' in html


@pytest.mark.parametrize("who", NO_CUSTOMER_DATA)
def test_warehouse_and_partners_see_no_customers(signed_in, make_return, who):
    rr = make_return("1001")
    client = signed_in(who)
    assert client.get(url("customers")).status_code == 403
    assert client.get(url("customer", pk=rr.customer_id)).status_code == 403


def test_another_stores_customer_is_not_found(signed_in, make_return, other_store):
    rr = make_return("9001", target_store=other_store)
    assert signed_in("agent").get(url("customer", pk=rr.customer_id)).status_code == 404


def test_the_customer_page_costs_the_same_queries_for_a_short_and_a_long_history(
    signed_in, make_return, make_order
):
    client = signed_in("agent")
    first = make_return("1001")

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("customer", pk=first.customer_id)).status_code == 200
        return len(ctx.captured_queries)

    _ask(first)
    short = cost()
    for n in range(1002, 1006):
        _ask(make_return(str(n)))
    assert cost() == short


# --- creating a return for a customer ----------------------------------------------------------


def test_an_agent_finds_the_order_and_creates_a_phone_return(signed_in, make_order, store):
    order = make_order("2001")
    client = signed_in("agent")
    found = client.get(url("create") + "?q=alice").content.decode()
    assert f'href="{url("create_order", number="2001")}"' in found
    line = order.lines.get()
    form = {
        f"qty_{line.id}": "1",
        f"reason_{line.id}": "too_small",
        "resolution": "refund",
        "channel": "phone",
    }
    estimate = client.post(url("create_order", number="2001"), {**form, "step": "estimate"})
    assert estimate.status_code == 200 and "Estimated refund" in estimate.content.decode()
    assert not ReturnRequest.objects.exists()
    created = client.post(url("create_order", number="2001"), {**form, "step": "create"})
    rr = ReturnRequest.objects.get()
    assert created.status_code == 302 and created["Location"] == url("return", number=rr.number)
    assert (rr.channel, rr.customer_id) == ("phone", order.customer_id)
    assert Notification.objects.filter(
        return_request=rr, kind="return_created", recipient="alice@example.com"
    )


def test_the_order_page_shows_the_portals_refusal_and_an_override_needs_a_reason(signed_in, make_order):
    order = make_order("2002", delivered_days_ago=100)
    client = signed_in("agent")
    html = client.get(url("create_order", number="2002")).content.decode()
    assert "The return period for this item has ended." in html
    line = order.lines.get()
    form = {f"qty_{line.id}": "1", f"reason_{line.id}": "too_small", "resolution": "refund", "step": "create"}
    refused = client.post(url("create_order", number="2002"), form)
    assert (
        refused.status_code == 422
        and "The return period for this item has ended." in refused.content.decode()
    )
    no_reason = client.post(url("create_order", number="2002"), {**form, "override": "1"})
    assert no_reason.status_code == 422 and not ReturnRequest.objects.exists()
    done = client.post(
        url("create_order", number="2002"), {**form, "override": "1", "override_reason": "Manager agreed"}
    )
    assert done.status_code == 302
    event = ReturnEvent.objects.get(action="created")
    assert event.data["override_reason"] == "Manager agreed" and event.data["override"] is True


def test_the_create_page_speaks_french(signed_in, make_order):
    make_order("2003", delivered_days_ago=100)
    html = signed_in("agent").get(url("create_order", "fr", number="2003")).content.decode()
    assert "Le délai de retour de cet article est écoulé." in html
    assert 'lang="fr"' in html


@pytest.mark.parametrize("who", NO_CUSTOMER_DATA)
def test_warehouse_and_partners_create_no_returns(signed_in, make_order, who):
    order = make_order("2004")
    line = order.lines.get()
    client = signed_in(who)
    assert client.get(url("create")).status_code == 403
    form = {f"qty_{line.id}": "1", f"reason_{line.id}": "too_small", "resolution": "refund", "step": "create"}
    assert client.post(url("create_order", number="2004"), form).status_code == 403
    assert not ReturnRequest.objects.exists()


def test_another_stores_order_is_not_found(signed_in, make_order, other_store):
    make_order("9002", target_store=other_store)
    assert signed_in("agent").get(url("create_order", number="9002")).status_code == 404
