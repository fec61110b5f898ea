"""Staff create a return for a phone or shop customer: the portal's eligibility, the same
emails and slip, and an override that needs a reason and is kept in the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from retour.core.actors import Actor
from retour.core.errors import Forbidden, NotFound, NotReturnable, ValidationFailed
from retour.notifications.models import Notification
from retour.portal.selectors import order_lines
from retour.returns.models import ReturnEvent, ReturnRequest
from retour.returns.services import LineRequest, return_approve
from retour.returns.staff_create import return_create_by_staff

AGENT = Actor(type="user", name="claire", user_id=None, role="agent")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.BASE_URL = "https://returns.example.com"


def _line(order, quantity=1, reason="too_small"):
    return [LineRequest(line_id=order.lines.get().id, quantity=quantity, reason=reason)]


def test_an_agent_creates_a_phone_return_and_the_customer_gets_the_usual_email(store, make_order):
    order = make_order("P-1")
    rr = return_create_by_staff(
        store=store, order_number="P-1", actor=AGENT, lines=_line(order), channel="phone"
    )
    assert (rr.channel, rr.status, rr.override, rr.customer_id) == (
        "phone",
        "requested",
        False,
        order.customer_id,
    )
    event = ReturnEvent.objects.get(return_request=rr, action="created")
    assert (event.actor_type, event.actor_name, event.data["channel"]) == ("user", "claire", "phone")
    assert "override" not in event.data
    created = Notification.objects.get(return_request=rr)
    assert (created.kind, created.recipient, created.language) == (
        "return_created",
        "alice@example.com",
        "fr",
    )


def test_the_customer_gets_the_same_slip_once_approved(store, make_order):
    order = make_order("P-2")
    rr = return_create_by_staff(
        store=store, order_number="P-2", actor=AGENT, lines=_line(order), channel="store"
    )
    return_approve(return_request=rr, actor=AGENT)
    assert Notification.objects.filter(return_request=rr, kind="return_approved").exists()
    slip = Client().get(f"/fr/portal/r/{rr.token}/slip.pdf")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    assert slip.content.startswith(b"%PDF")


def test_staff_are_refused_what_the_portal_refuses_for_the_same_reasons(store, make_order):
    order = make_order("P-3", delivered_days_ago=100)  # both windows over; too_small is no defect
    shown = {r.code for view in order_lines(order=order) for r in view.eligibility.reasons}
    assert shown == {"outside_return_window"}
    with pytest.raises(NotReturnable) as exc:
        return_create_by_staff(store=store, order_number="P-3", actor=AGENT, lines=_line(order))
    assert {e["code"] for e in exc.value.errors} == shown
    assert not ReturnRequest.objects.exists()


def test_an_override_needs_a_reason_and_goes_into_the_audit_trail(store, make_order):
    order = make_order("P-4", delivered_days_ago=100)
    with pytest.raises(ValidationFailed) as exc:
        return_create_by_staff(
            store=store,
            order_number="P-4",
            actor=AGENT,
            lines=_line(order),
            override=True,
            override_reason=" ",
        )
    assert [(e["loc"], e["code"]) for e in exc.value.errors] == [(["override_reason"], "required")]
    assert not ReturnRequest.objects.exists()
    rr = return_create_by_staff(
        store=store,
        order_number="P-4",
        actor=AGENT,
        lines=_line(order),
        override=True,
        override_reason="Loyal customer,\n manager agreed",
    )
    assert rr.override is True
    event = ReturnEvent.objects.get(return_request=rr, action="created")
    line_id = str(order.lines.get().id)
    assert event.data["override"] is True
    assert event.data["overridden"] == {line_id: ["outside_return_window"]}
    assert event.data["override_reason"] == "Loyal customer, manager agreed"
    assert event.actor_name == "claire"


def test_an_override_never_returns_more_than_was_delivered(store, make_order):
    order = make_order("P-5")
    with pytest.raises(NotReturnable) as exc:
        return_create_by_staff(
            store=store, order_number="P-5", actor=AGENT, lines=_line(order, quantity=3), override=True,
            override_reason="why not",
        )  # fmt: skip
    assert [e["code"] for e in exc.value.errors] == ["quantity_exceeds_returnable"]


@pytest.mark.parametrize(
    "actor",
    [
        Actor(type="user", name="dock", role="warehouse"),
        Actor(type="user", name="3pl", role="partner"),
        Actor.customer("alice@example.com"),
        Actor(type="api_key", name="key", role="agent"),
    ],
)
def test_only_agents_and_admins_create_returns_for_customers(store, make_order, actor):
    order = make_order("P-6")
    with pytest.raises(Forbidden):
        return_create_by_staff(store=store, order_number="P-6", actor=actor, lines=_line(order))
    assert not ReturnRequest.objects.exists()


def test_another_stores_order_is_not_found(store, other_store, make_order):
    order = make_order("P-7", target_store=other_store)
    with pytest.raises(NotFound):
        return_create_by_staff(store=store, order_number="P-7", actor=AGENT, lines=_line(order))
    assert not ReturnRequest.objects.exists()


def test_a_portal_channel_is_refused(store, make_order):
    order = make_order("P-8")
    with pytest.raises(ValidationFailed) as exc:
        return_create_by_staff(
            store=store, order_number="P-8", actor=AGENT, lines=_line(order), channel="portal"
        )
    assert exc.value.errors[0]["loc"] == ["channel"]


def test_the_estimate_staff_see_is_the_portals_dry_run_with_their_override(store, make_order):
    from retour.portal.selectors import return_estimate

    order = make_order("P-9", delivered_days_ago=100)
    refused = return_estimate(
        order=order, lines=_line(order), resolution="refund", actor=AGENT, channel="phone"
    )
    assert [e["code"] for e in refused.errors] == ["outside_return_window"]
    accepted = return_estimate(
        order=order, lines=_line(order), resolution="refund", actor=AGENT, channel="phone", override=True
    )
    assert accepted.errors == [] and accepted.estimated_refund == Decimal("20.00")
    assert not ReturnRequest.objects.exists()  # a dry run


def test_staff_find_the_order_by_number_email_or_name(store, other_store, make_order):
    from retour.orders.selectors import order_search

    make_order("1001")
    bob = {"email": "bob@example.com", "name": "Bob Durand", "language": "fr"}
    address = {
        "name": "Bob Durand",
        "line1": "2 rue Haute",
        "city": "Lyon",
        "postal_code": "69001",
        "country": "FR",
    }
    make_order("10010", customer=bob, shipping_address=address)
    make_order("1001", target_store=other_store)
    assert [o.number for o in order_search(store=store, query="#1001")] == ["1001", "10010"]
    assert [o.number for o in order_search(store=store, query="BOB@example")] == ["10010"]
    assert [o.number for o in order_search(store=store, query="durand")] == ["10010"]
    assert [o.number for o in order_search(store=store, query="Alice Mar")] == ["1001"]
    assert order_search(store=store, query="1") == []
    assert all(o.store_id == store.pk for o in order_search(store=store, query="example.com"))
