"""The admin neither hides from staff what their role may see, nor shows what it may not:
inlines follow the parent's rights narrowed by role, warehouse staff see no customer data,
and the admin is closed to logistics partners."""

from __future__ import annotations

import pytest
from django.test import Client

from retour.core.actors import Actor
from retour.helpdesk.services import message_post
from retour.policies.services import policy_update
from retour.resolutions.services import refund_issue
from retour.returns.services import LineRequest, return_approve, return_create
from retour.stores.models import Location, StoreMembership
from retour.stores.services import staff_add

STAFF = Actor(type="user", name="boss", role="admin")


@pytest.fixture
def refunded(store, make_order):
    """A return with lines, a refund and history, and a customer message."""
    policy_update(store=store, changes={"refund_trigger": "manual"})
    order = make_order("A-1")
    rr = return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )
    rr = return_approve(return_request=rr, actor=STAFF)
    refund_issue(return_request=rr, actor=STAFF, method="manual")
    message_post(return_request=rr, author_type="customer", author_name="Alice", body="Merci")
    return rr


def client_as(store, role: str, username: str | None = None) -> Client:
    client = Client()
    client.force_login(staff_add(store=store, username=username or role, role=role).user)
    return client


def inline_names(response) -> set[str]:
    return {type(formset.opts).__name__ for formset in response.context["inline_admin_formsets"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"ReturnLineInline", "ExchangeItemInline", "RefundInline", "ReturnEventInline"}),
        ("agent", {"ReturnLineInline", "ExchangeItemInline", "RefundInline", "ReturnEventInline"}),
        ("warehouse", {"ReturnLineInline", "ExchangeItemInline", "ReturnEventInline"}),
    ],
)
def test_a_return_page_shows_the_inlines_of_the_readers_role(store, refunded, role, expected):
    response = client_as(store, role).get(f"/admin/returns/returnrequest/{refunded.pk}/change/")
    assert response.status_code == 200
    assert inline_names(response) == expected
    assert "A-1/L1" in response.content.decode()  # the return line's row names its order line


def test_an_agent_sees_the_lines_of_an_order(store, refunded):
    response = client_as(store, "agent").get(f"/admin/orders/order/{refunded.order_id}/change/")
    assert response.status_code == 200 and inline_names(response) == {"OrderLineInline"}


def test_warehouse_staff_see_returns_but_no_customer_data(store, refunded):
    dock = client_as(store, "warehouse")
    page = dock.get(f"/admin/returns/returnrequest/{refunded.pk}/change/").content.decode()
    assert refunded.number in page
    assert "alice@example.com" not in page and refunded.token not in page
    listing = dock.get("/admin/returns/returnrequest/").content.decode()
    assert refunded.number in listing and "alice@example.com" not in listing
    for url in (
        "/admin/orders/customer/",
        f"/admin/orders/customer/{refunded.customer_id}/change/",
        "/admin/orders/order/",
        "/admin/helpdesk/message/",
        "/admin/notifications/notification/",
        "/admin/resolutions/refund/",
        "/admin/resolutions/storecreditaccount/",
    ):
        assert dock.get(url).status_code == 403, url
    agent = client_as(store, "agent")
    assert (
        "alice@example.com"
        in agent.get(f"/admin/returns/returnrequest/{refunded.pk}/change/").content.decode()
    )
    assert agent.get("/admin/orders/customer/").status_code == 200


def test_a_store_admin_edits_locations_under_the_store_and_an_agent_only_reads_them(store):
    boss = client_as(store, "admin", "boss").get(f"/admin/stores/store/{store.pk}/change/")
    [locations] = boss.context["inline_admin_formsets"]
    assert locations.has_add_permission and locations.has_change_permission
    agent = client_as(store, "agent").get(f"/admin/stores/store/{store.pk}/change/")
    [locations] = agent.context["inline_admin_formsets"]
    assert locations.has_view_permission and not locations.has_change_permission
    assert "main" in agent.content.decode()


def test_the_admin_is_closed_to_partners(store, refunded):
    membership = staff_add(store=store, username="3pl", role="partner")
    StoreMembership.objects.filter(pk=membership.pk).update(location=Location.objects.get(store=store))
    partner = Client()
    partner.force_login(membership.user)
    for url in (
        "/admin/",
        "/admin/returns/returnrequest/",
        f"/admin/returns/returnrequest/{refunded.pk}/change/",
    ):
        response = partner.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    login = partner.get("/admin/login/", follow=True).content.decode()
    assert refunded.number not in login


def test_a_partner_of_one_store_who_is_an_agent_of_another_sees_only_the_other(store, other_store, refunded):
    person = staff_add(store=store, username="both", role="partner").user
    staff_add(store=other_store, username="both", role="agent")
    client = Client()
    client.force_login(person)
    assert client.get("/admin/").status_code == 200
    listing = client.get("/admin/returns/returnrequest/")
    assert listing.status_code == 200 and refunded.number not in listing.content.decode()
    assert client.get(f"/admin/returns/returnrequest/{refunded.pk}/change/").status_code == 302  # not found
