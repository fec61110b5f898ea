"""Partner API keys and staff: tied to one location, they see only the returns routed there;
the CLI creates them. Agents refund up to the store's limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retour.cli import main
from retour.returns.models import ReturnRequest
from retour.returns.services import LineRequest, return_approve, return_create
from retour.stores.models import ApiKey, Location, StoreMembership

pytestmark = pytest.mark.django_db

LINES = [{"ref": "L1", "sku": "TSHIRT-M", "title": "T-shirt M", "quantity": 2, "unit_price": "20.00"}]


@pytest.fixture
def depot(store):
    return Location.objects.create(store=store, code="depot", name="Depot", country="FR")


def _return(make_order, actor, number, location=None, approve=True):
    order = make_order(number, lines=LINES)
    rr = return_create(order=order, actor=actor, lines=[LineRequest(order.lines.get().id, 2, "too_small")])
    if approve:
        return_approve(return_request=rr, actor=actor)
    if location is not None:
        ReturnRequest.objects.filter(pk=rr.pk).update(location=location)
    return ReturnRequest.objects.get(pk=rr.pk)


def test_cli_creates_a_partner_key_tied_to_a_location(capsys, store, depot):
    assert main(["apikey", "create", "--store", "shop", "--role", "partner", "--location", "depot"]) == 0
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    key = ApiKey.objects.get(prefix=raw[:10])
    assert (key.role, key.location.code) == ("partner", "depot")


def test_cli_refuses_a_partner_without_location_or_a_location_for_others(capsys, store, depot):
    assert main(["apikey", "create", "--store", "shop", "--role", "partner"]) != 0
    assert main(["apikey", "create", "--store", "shop", "--role", "agent", "--location", "depot"]) != 0
    assert main(["apikey", "create", "--store", "shop", "--role", "partner", "--location", "nowhere"]) != 0
    assert not ApiKey.objects.exists()


def test_cli_creates_a_partner_staff_user(capsys, store, depot):
    args = ["staff", "create", "pat", "--store", "shop", "--role", "partner", "--location", "depot"]
    assert main(args) == 0
    membership = StoreMembership.objects.get(user__username="pat")
    assert (membership.role, membership.location.code) == ("partner", "depot")
    assert "location depot" in capsys.readouterr().out


def test_partner_key_lists_and_reads_only_its_location(api_as, store, depot, make_order, customer_actor):
    from retour.stores.services import apikey_create

    mine = _return(make_order, customer_actor, "1001", location=depot)
    theirs = _return(make_order, customer_actor, "1002")  # not routed: the default location's
    raw = apikey_create(store=store, role="partner", location="depot")[1]
    api = api_as(raw)
    listed = api.get("/api/v1/returns").json()["items"]
    assert [r["number"] for r in listed] == [mine.number]
    assert api.get(f"/api/v1/returns/{mine.number}").status_code == 200
    assert api.get(f"/api/v1/returns/{theirs.number}").status_code == 404
    assert api.get(f"/api/v1/returns/{theirs.number}/events").status_code == 404
    refused = api.post(f"/api/v1/returns/{theirs.number}/receive", {"lines": [{"id": 1, "quantity": 1}]})
    assert refused.status_code == 404


def test_partner_key_receives_at_its_location_and_may_not_approve(
    api_as, store, depot, make_order, customer_actor
):
    from retour.stores.services import apikey_create

    rr = _return(make_order, customer_actor, "1001", location=depot)
    raw = apikey_create(store=store, role="partner", location="depot")[1]
    api = api_as(raw)
    line_id = rr.lines.get().id
    response = api.post(f"/api/v1/returns/{rr.number}/receive", {"lines": [{"id": line_id, "quantity": 2}]})
    assert response.status_code == 200, response.content
    assert response.json()["location"] == "depot"
    other = api.post(
        f"/api/v1/returns/{rr.number}/receive",
        {"lines": [{"id": line_id, "quantity": 0}], "location": "main"},
    )
    assert other.status_code == 403
    assert api.post(f"/api/v1/returns/{rr.number}/approve", {}).status_code == 403
    assert api.get("/api/v1/orders").status_code in (403, 404)


def test_agent_refunds_up_to_the_store_limit(
    api_as, store, make_order, customer_actor, api_key_agent, api_key_admin
):
    from retour.policies.services import policy_update

    policy_update(store=store, changes={"refund_trigger": "on_approval"})
    store.agent_refund_limit = Decimal("10.00")
    store.save()
    rr = _return(make_order, customer_actor, "1001")
    agent = api_as(api_key_agent)
    refused = agent.post(f"/api/v1/returns/{rr.number}/refunds", {"method": "manual", "amount": "15.00"})
    assert refused.status_code == 403 and refused.json()["code"] == "refund_needs_admin"
    assert (
        agent.post(
            f"/api/v1/returns/{rr.number}/refunds", {"method": "manual", "amount": "10.00"}
        ).status_code
        == 201
    )
    admin = api_as(api_key_admin)
    assert (
        admin.post(
            f"/api/v1/returns/{rr.number}/refunds", {"method": "manual", "amount": "15.00"}
        ).status_code
        == 201
    )
