"""Screen 4: the status page behind the unguessable link, the slip, shipping, cancelling, questions."""

from __future__ import annotations

import pytest
from django.test import Client

from retour.core.actors import Actor
from retour.helpdesk.models import Message
from retour.helpdesk.services import faq_create_defaults
from retour.portal.tests.conftest import url
from retour.returns.models import Status
from retour.returns.services import LineRequest, return_approve, return_create, return_receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def rr(order, line1):
    return return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        channel="portal",
        resolution="store_credit",
        lines=[LineRequest(line1.id, 1, "too_small")],
    )


@pytest.fixture
def approved(rr, staff_actor):
    return return_approve(return_request=rr, actor=staff_actor)


def page(rr, lang="en", **params) -> str:
    response = Client().get(url("status", lang, token=rr.token), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_status_page_shows_the_timeline_and_what_to_do_next(approved):
    html = page(approved)

    assert f"Return {approved.number}" in html
    assert "Return requested" in html and "Return approved" in html
    assert "Print the return slip" in html
    assert url("slip", token=approved.token) in html
    assert "Send the parcel by" in html
    assert "I have shipped it" in html
    assert "Cancel this return" in html


def test_an_unknown_token_is_not_found(db):
    assert Client().get(url("status", token="x" * 32)).status_code == 404
    assert Client().get(url("slip", token="x" * 32)).status_code == 404


def test_the_email_link_without_language_redirects_to_the_shoppers_language(rr):
    response = Client().get(f"/portal/r/{rr.token}", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302 and response.url == f"/fr/portal/r/{rr.token}"


def test_the_french_status_page_is_in_french(rr):
    html = page(rr, "fr")

    assert '<html lang="fr">' in html
    assert "21,88\xa0€" in html  # 20.00 + its share of the standard delivery (20/52 × 4.90)


def test_the_slip_is_a_pdf(rr):
    response = Client().get(url("slip", token=rr.token))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert rr.number in response["Content-Disposition"]


def test_the_shopper_marks_the_parcel_shipped(approved):
    response = Client().post(
        url("ship", token=approved.token), {"carrier": "La Poste", "tracking_number": "6A123"}
    )

    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.carrier, approved.tracking_number) == (
        Status.IN_TRANSIT,
        "La Poste",
        "6A123",
    )
    event = approved.events.get(action="shipped")
    assert event.actor_type == "customer" and event.actor_name == "alice@example.com"
    html = page(approved)
    assert "Parcel sent" in html and "La Poste 6A123" in html
    assert "Cancel this return" not in html and 'action="' + url("ship", token=approved.token) not in html


def test_shipping_before_approval_is_refused_with_a_message(rr):
    client = Client()
    response = client.post(url("ship", token=rr.token), {}, follow=True)

    rr.refresh_from_db()
    assert rr.status == Status.REQUESTED
    assert 'class="flash-error"' in response.content.decode()


def test_cancelling_needs_the_box_ticked(rr):
    response = Client().post(url("cancel", token=rr.token), {}, follow=True)

    rr.refresh_from_db()
    assert rr.status == Status.REQUESTED
    assert "Tick the box" in response.content.decode()


def test_the_shopper_cancels_before_sending_anything(rr):
    response = Client().post(url("cancel", token=rr.token), {"confirm": "1"}, follow=True)

    rr.refresh_from_db()
    assert rr.status == Status.CANCELLED
    assert "Your return was cancelled." in response.content.decode()
    assert "Return cancelled" in response.content.decode()


def test_no_cancelling_once_the_parcel_is_received(approved, staff_actor):
    line = approved.lines.get()
    return_receive(return_request=approved, actor=staff_actor, lines=[{"id": line.id, "quantity": 1}])

    Client().post(url("cancel", token=approved.token), {"confirm": "1"})

    approved.refresh_from_db()
    assert approved.status == Status.RECEIVED
    assert "Cancel this return" not in page(approved)


def test_a_chosen_question_shows_its_answer(rr, store):
    faq_create_defaults(store=store)
    html = page(rr)
    assert "When will I be refunded?" in html

    from retour.helpdesk.models import FaqEntry

    entry = FaqEntry.objects.get(store=store, code="refund_when")
    assert "We refund you" in page(rr, faq=entry.id)

    fragment = Client().get(url("faq", token=rr.token), {"faq": entry.id}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "We refund you" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_none_of_these_opens_a_message_to_support_stored_on_the_return(rr):
    assert 'name="body"' in page(rr, faq="none")

    response = Client().post(
        url("message", token=rr.token), {"body": "Can I send it in two parcels?"}, follow=True
    )

    message = Message.objects.get(return_request=rr)
    assert (message.author_type, message.body) == ("customer", "Can I send it in two parcels?")
    html = response.content.decode()
    assert "Your message was sent." in html
    assert "Can I send it in two parcels?" in html


def test_an_empty_message_is_refused(rr):
    Client().post(url("message", token=rr.token), {"body": ""})

    assert not Message.objects.exists()


def test_status_actions_are_posts_only(rr):
    assert Client().get(url("cancel", token=rr.token)).status_code == 405


# --- the money summary (issue 10 item 6) ----------------------------------------------------------


def _return(order, line, resolution, **kwargs):
    from retour.returns.services import ExchangeRequest

    items = [ExchangeRequest(line_id=line.id, wish="T-shirt L")] if resolution == "exchange" else []
    return return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        channel="portal",
        resolution=resolution,
        lines=[LineRequest(line.id, 1, "too_small")],
        exchange_items=items,
        **kwargs,
    )


def test_a_store_credit_return_shows_one_credit_amount_with_its_bonus(store, order, line1):
    from decimal import Decimal

    from retour.policies.services import policy_update

    policy_update(
        store=store,
        changes={"store_credit_bonus_percent": Decimal("10"), "return_shipping_fee": Decimal("2.00")},
    )
    html = page(_return(order, line1, "store_credit"))
    assert "Estimated refund" not in html
    # 20.00 + 1.88 delivery share − 2.00 return cost = 19.88, + 10 % bonus (1.99)
    assert "Store credit</dt><dd><strong>€21.87</strong>" in html
    assert 'of which bonus</dt><dd class="sub">€1.99' in html


def test_issued_store_credit_shows_its_code_and_what_was_credited(store, order, line1):
    from retour.resolutions.models import StoreCreditCode
    from retour.returns.services import return_inspect

    staff = Actor(type="user", name="Sam", role="admin")
    rr = _return(order, line1, "store_credit")
    rr = return_approve(return_request=rr, actor=staff)
    line = rr.lines.get()
    rr = return_receive(return_request=rr, actor=staff, lines=[{"id": line.id, "quantity": 1}])
    grade = {"id": line.id, "quantity": 1, "condition": "new", "disposition": "restock", "accepted": True}
    rr = return_inspect(return_request=rr, actor=staff, entries=[grade])  # store credit is issued then
    code = StoreCreditCode.objects.get(refund__return_request=rr)

    html = page(rr)

    assert f'<code class="credit-code">{code.code}</code>' in html
    assert "Credited</dt>" in html and "Refunded</dt>" not in html


def test_an_exchange_shows_the_item_asked_for_and_no_refund(store, order, line1):
    from decimal import Decimal

    from retour.policies.services import policy_update

    policy_update(store=store, changes={"return_shipping_fee": Decimal("2.00")})
    html = page(_return(order, line1, "exchange"))
    assert "Instead of T-shirt M</dt><dd>T-shirt L" in html
    assert "Estimated refund" not in html and "Return shipping" not in html
    assert "no money is refunded" in html
    assert "Your refund is due by" not in html


def test_a_cancelled_return_promises_no_refund(order, line1):
    rr = _return(order, line1, "refund")
    assert rr.refund_due_by is not None  # a withdrawal: the law sets a date while it is live
    assert "Your refund is due by" in page(rr)
    cancel = Client()
    cancel.post(url("cancel", token=rr.token), {"confirm": "1"})
    html = page(rr)
    assert "Your refund is due by" not in html
    assert "€0.00" not in html and "Estimated refund" not in html
    assert "nothing will be refunded" in html


def test_the_french_money_summary_reads_in_french(store, order, line1):
    html = page(_return(order, line1, "store_credit"), lang="fr")
    assert "Avoir" in html and "Estimated" not in html
