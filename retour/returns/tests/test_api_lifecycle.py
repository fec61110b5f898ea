"""Scenarios L1–L6 and M1–M5 over HTTP: each action's answer, 409/422 refusals that change nothing."""

from __future__ import annotations

import pytest

from retour.orders.tests.helpers import (
    act,
    create_order,
    inspect_all,
    line_body,
    line_quantities,
    new_return,
)
from retour.orders.tests.helpers import (
    recent_body as _recent_body,
)
from retour.returns.models import ReturnEvent, ReturnRequest


def recent_body(**kwargs):
    """The money scenarios (M1-M5) are about the goods' value and the fees: their orders carry no
    delivery cost, whose share a partial withdrawal refunds (policies/tests/test_statutory.py)."""
    kwargs.setdefault("shipping", {"amount": "0", "standard_amount": "0"})
    return _recent_body(**kwargs)


pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(api, store):
    """A requested return of 2 units (of 3 ordered at 20.00) and a helper to read it back."""
    order = create_order(
        store, recent_body(lines=[line_body("A", sku="MUG", quantity=3, unit_price="20.00")])
    )
    return new_return(api, order, ("A", 2, "too_small"))


def _snapshot(api, number: str) -> tuple[dict, int]:
    return api.get(f"/api/v1/returns/{number}").json(), ReturnEvent.objects.count()


def _refused_409(api, number: str, action: str, body: dict | None = None) -> None:
    before = _snapshot(api, number)
    response = api.post(f"/api/v1/returns/{number}/{action}", body or {})
    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_transition"
    assert _snapshot(api, number) == before


def _receive(answer: dict, quantity: int) -> dict:
    return {"lines": line_quantities(answer, quantity)}


# L1 ---------------------------------------------------------------------------------------------


def test_l1_from_requested_only_approve_reject_and_cancel_are_allowed(api, returned):
    number = returned["number"]
    _refused_409(api, number, "ship")
    _refused_409(api, number, "receive", _receive(returned, 1))
    _refused_409(api, number, "inspect", inspect_all(returned))
    _refused_409(api, number, "refunds", {"method": "manual"})
    _refused_409(api, number, "close")


def test_l1_approve_only_from_requested(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    assert approved["status"] == "approved"
    assert approved["lines"][0]["approved_quantity"] == 2
    _refused_409(api, number, "approve")
    _refused_409(api, number, "reject", {"reason": "late"})
    _refused_409(api, number, "inspect", inspect_all(approved))


def test_l1_ship_only_from_approved(api, returned):
    number = returned["number"]
    act(api, number, "approve")
    shipped = act(api, number, "ship", {"carrier": "colissimo", "tracking_number": "6A1"})
    assert (shipped["status"], shipped["carrier"], shipped["tracking_number"]) == (
        "in_transit",
        "colissimo",
        "6A1",
    )
    _refused_409(api, number, "ship")


def test_l1_receive_from_approved_in_transit_and_again_from_received(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    first = act(api, number, "receive", _receive(approved, 1))
    assert first["status"] == "received" and first["lines"][0]["received_quantity"] == 1
    second = act(api, number, "receive", _receive(approved, 1))
    assert second["lines"][0]["received_quantity"] == 2
    _refused_409(api, number, "ship")
    _refused_409(api, number, "approve")


def test_l1_inspect_only_from_received(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    act(api, number, "ship")
    _refused_409(api, number, "inspect", inspect_all(approved))
    received = act(api, number, "receive", _receive(approved, 2))
    inspected = act(api, number, "inspect", inspect_all(received))
    assert inspected["status"] == "received"
    assert inspected["lines"][0]["accepted_quantity"] == 2


def test_l1_nothing_is_allowed_on_a_rejected_return(api, returned):
    number = returned["number"]
    assert act(api, number, "reject", {"reason": "worn", "note": "photos show wear"})["status"] == "rejected"
    for action in ("approve", "cancel", "ship", "close"):
        _refused_409(api, number, action)


def test_a_reject_needs_a_reason(api, returned):
    response = api.post(f"/api/v1/returns/{returned['number']}/reject", {})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["reason"]
    assert ReturnRequest.objects.get().status == "requested"


# L2 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [[], ["approve"], ["approve", "ship"]])
def test_l2_cancel_is_allowed_before_anything_is_received(api, returned, steps):
    number = returned["number"]
    for step in steps:
        act(api, number, step)
    assert act(api, number, "cancel", {"note": "changed plans"})["status"] == "cancelled"


def test_l2_cancel_after_a_receipt_is_refused(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    act(api, number, "receive", _receive(approved, 1))
    _refused_409(api, number, "cancel")


# L3 ---------------------------------------------------------------------------------------------


def test_l3_partial_approval_gives_the_rest_back(api, store):
    order = create_order(store, recent_body(lines=[line_body("A", quantity=3)]))
    answer = new_return(api, order, ("A", 3, "too_small"))
    approved = act(
        api, answer["number"], "approve", {"lines": line_quantities(answer, 2), "note": "one is worn"}
    )
    assert approved["lines"][0]["quantity"] == 3 and approved["lines"][0]["approved_quantity"] == 2
    line = api.get("/api/v1/orders/1001/returnability").json()["lines"][0]
    assert (line["in_returns_quantity"], line["returnable_quantity"]) == (2, 1)


def test_approving_more_than_requested_is_refused(api, returned):
    response = api.post(
        f"/api/v1/returns/{returned['number']}/approve", {"lines": line_quantities(returned, 3)}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["lines", 0, "quantity"]
    assert ReturnRequest.objects.get().status == "requested"


# L4 ---------------------------------------------------------------------------------------------


def test_l4_receiving_more_than_approved_is_refused(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    before = _snapshot(api, number)
    response = api.post(f"/api/v1/returns/{number}/receive", _receive(approved, 3))
    assert response.status_code == 422 and response.json()["code"] == "quantity_exceeds_approved"
    assert response.json()["errors"][0]["loc"] == ["lines", 0, "quantity"]
    assert _snapshot(api, number) == before


def test_l4_receiving_more_than_approved_across_two_receipts_is_refused(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    act(api, number, "receive", _receive(approved, 1))
    before = _snapshot(api, number)
    response = api.post(f"/api/v1/returns/{number}/receive", _receive(approved, 2))
    assert response.status_code == 422 and response.json()["code"] == "quantity_exceeds_approved"
    assert _snapshot(api, number) == before


def test_receiving_into_another_location(api, store, returned):
    from retour.stores.models import Location

    Location.objects.create(store=store, code="lyon", name="Lyon")
    number = returned["number"]
    approved = act(api, number, "approve")
    assert act(api, number, "receive", {**_receive(approved, 2), "location": "lyon"})["location"] == "lyon"


def test_receiving_into_an_unknown_location_is_refused(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    response = api.post(
        f"/api/v1/returns/{number}/receive", {**_receive(approved, 1), "location": "atlantis"}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["location"]
    assert ReturnRequest.objects.get().status == "approved"


def test_grading_more_than_received_is_refused(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    received = act(api, number, "receive", _receive(approved, 1))
    body = {
        "lines": [
            {
                "id": received["lines"][0]["id"],
                "quantity": 2,
                "condition": "new",
                "disposition": "restock",
                "accepted": True,
            }
        ]
    }
    before = _snapshot(api, number)
    response = api.post(f"/api/v1/returns/{number}/inspect", body)
    assert response.status_code == 422 and response.json()["code"] == "quantity_exceeds_received"
    assert _snapshot(api, number) == before


@pytest.mark.parametrize(
    ("field", "value"), [("condition", "shiny"), ("disposition", "burn"), ("accepted", "perhaps")]
)
def test_an_inspection_with_an_unknown_value_is_a_validation_error(api, returned, field, value):
    number = returned["number"]
    approved = act(api, number, "approve")
    received = act(api, number, "receive", _receive(approved, 1))
    entry = {
        "id": received["lines"][0]["id"],
        "quantity": 1,
        "condition": "new",
        "disposition": "restock",
        "accepted": True,
        field: value,
    }
    response = api.post(f"/api/v1/returns/{number}/inspect", {"lines": [entry]})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["lines", 0, field]


# L5 ---------------------------------------------------------------------------------------------


def test_l5_only_restocked_units_go_into_the_locations_stock(api, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    received = act(api, number, "receive", _receive(approved, 2))
    line_id = received["lines"][0]["id"]
    inspected = act(
        api,
        number,
        "inspect",
        {
            "lines": [
                {
                    "id": line_id,
                    "quantity": 1,
                    "condition": "like_new",
                    "disposition": "restock",
                    "accepted": True,
                },
                {
                    "id": line_id,
                    "quantity": 1,
                    "condition": "damaged",
                    "disposition": "recycle",
                    "accepted": False,
                    "deduction": "0",
                    "note": "cracked",
                },
            ]
        },
    )
    line = inspected["lines"][0]
    assert line["accepted_quantity"] == 1
    assert [
        (i["quantity"], i["condition"], i["disposition"], i["accepted"]) for i in line["inspections"]
    ] == [(1, "like_new", "restock", True), (1, "damaged", "recycle", False)]
    assert line["inspections"][1]["note"] == "cracked" and line["inspections"][1]["deduction"] == "0.00"
    assert api.get("/api/v1/inventory", {"sku": "MUG"}).json() == {
        "items": [{"sku": "MUG", "location": "main", "quantity": 1}]
    }


# L6 ---------------------------------------------------------------------------------------------


def test_l6_every_action_writes_one_event_in_order(api, api_as, api_key_warehouse, returned):
    number = returned["number"]
    approved = act(api, number, "approve")
    warehouse = api_as(api_key_warehouse)
    act(warehouse, number, "ship", {"carrier": "ups"})
    received = act(warehouse, number, "receive", _receive(approved, 2))
    act(warehouse, number, "inspect", inspect_all(received))
    _refused_409(api, number, "approve")  # a refusal writes nothing
    events = api.get(f"/api/v1/returns/{number}/events").json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("created", None, "requested"),
        ("approved", "requested", "approved"),
        ("shipped", "approved", "in_transit"),
        ("received", "in_transit", "received"),
        ("inspected", "received", "received"),
    ]
    assert [e["actor"]["type"] for e in events] == ["api_key"] * 5
    names = [e["actor"]["name"] for e in events]
    assert names[0] == names[1] != names[2] == names[3] == names[4]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert set(events[0]) == {"at", "action", "from_status", "to_status", "actor", "data"}


def test_the_events_of_a_missing_return_are_404(api):
    assert api.get("/api/v1/returns/R-NOPE/events").status_code == 404


# Close ------------------------------------------------------------------------------------------


def test_close_completes_a_received_return_once_every_line_is_resolved(api, store):
    order = create_order(store, recent_body(lines=[line_body("A", quantity=2, unit_price="20.00")]))
    answer = new_return(
        api,
        order,
        ("A", 2, "too_small"),
        resolution="exchange",
        exchange_items=[{"line_id": order.lines.get().id, "sku": "A-L"}],
    )
    number = answer["number"]
    approved = act(api, number, "approve")
    received = act(api, number, "receive", _receive(approved, 1))
    _refused_409(api, number, "close")  # one received unit is not graded yet
    act(api, number, "inspect", inspect_all(received))
    closed = act(api, number, "close", {"note": "exchange sent"})
    assert closed["status"] == "completed"
    assert api.get(f"/api/v1/returns/{number}/events").json()["items"][-1]["action"] == "completed"


# Money: M1–M5 -----------------------------------------------------------------------------------


def _to_received(api, store, *, lines, returned_lines, received: int | None = None, **extra):
    order = create_order(store, recent_body(lines=lines))
    answer = new_return(api, order, *returned_lines, **extra)
    number = answer["number"]
    approved = act(api, number, "approve")
    return number, act(
        api,
        number,
        "receive",
        _receive(approved, received) if received else {"lines": line_quantities(approved)},
    )


def test_m1_only_accepted_units_are_refundable_by_default(api, store):
    # 4 ordered so that the return is not the whole order (which would add the delivery cost)
    number, received = _to_received(
        api,
        store,
        lines=[line_body("A", quantity=4, unit_price="20.00")],
        returned_lines=[("A", 3, "too_small")],
        received=2,
    )
    assert received["refundable"] == "0.00"
    inspected = act(api, number, "inspect", inspect_all(received))
    assert inspected["refundable"] == "40.00"


def test_m2_a_refund_above_refundable_is_refused_and_partials_accumulate(api, store):
    number, received = _to_received(
        api,
        store,
        lines=[line_body("A", quantity=3, unit_price="20.00")],
        returned_lines=[("A", 2, "too_small")],
    )
    act(api, number, "inspect", inspect_all(received))
    before = _snapshot(api, number)
    response = api.post(f"/api/v1/returns/{number}/refunds", {"method": "manual", "amount": "40.01"})
    assert response.status_code == 422 and response.json()["code"] == "refund_exceeds_refundable"
    assert _snapshot(api, number) == before
    first = act(api, number, "refunds", {"method": "manual", "amount": "15.00"}, expect=201)
    assert (first["refunded_total"], first["refundable"]) == ("15.00", "25.00")
    second = act(
        api, number, "refunds", {"method": "original_payment", "amount": "25.00", "note": "rest"}, expect=201
    )
    assert (second["refunded_total"], second["refundable"]) == ("40.00", "0.00")
    response = api.post(f"/api/v1/returns/{number}/refunds", {"method": "manual"})
    assert response.status_code in (409, 422)


def test_m2_a_refund_without_amount_pays_what_is_still_refundable(api, store):
    number, received = _to_received(
        api,
        store,
        lines=[line_body("A", quantity=3, unit_price="20.00")],
        returned_lines=[("A", 1, "too_small")],
    )
    act(api, number, "inspect", inspect_all(received))
    assert act(api, number, "refunds", {"method": "manual"}, expect=201)["refunded_total"] == "20.00"


@pytest.mark.parametrize("amount", ["-5", "abc", "0.001"])
def test_m2_a_malformed_refund_amount_is_refused(api, store, amount):
    number, received = _to_received(
        api,
        store,
        lines=[line_body("A", quantity=3, unit_price="20.00")],
        returned_lines=[("A", 1, "too_small")],
    )
    act(api, number, "inspect", inspect_all(received))
    response = api.post(f"/api/v1/returns/{number}/refunds", {"method": "manual", "amount": amount})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["amount"]
    assert api.get(f"/api/v1/returns/{number}").json()["refunded_total"] == "0.00"


def test_m3_a_unit_is_worth_what_the_customer_paid_for_it(api, store):
    order = create_order(
        store, recent_body(lines=[line_body("A", quantity=3, unit_price="20.00", discount="6.00")])
    )
    answer = new_return(api, order, ("A", 1, "too_small"))
    assert answer["lines"][0]["unit_refund"] == "18.00"
    assert answer["estimated_refund"] == "18.00"


@pytest.mark.parametrize(
    ("reason", "fees"),
    [
        ("changed_mind", [{"code": "return_shipping", "amount": "4.50"}]),
        ("defective", []),
        ("wrong_item", []),
        ("damaged_in_transit", []),
        ("not_as_described", []),
    ],
)
def test_m4_seller_fault_reasons_pay_no_return_fee(api, store, reason, fees):
    api.put("/api/v1/policy", {"return_shipping_fee": "4.50"})
    order = create_order(store, recent_body(lines=[line_body("A", quantity=2, unit_price="20.00")]))
    answer = new_return(api, order, ("A", 1, reason))
    assert answer["fees"] == fees
    expected = "20.00" if not fees else "15.50"
    assert answer["estimated_refund"] == expected


def test_m5_a_store_credit_refund_adds_the_amount_and_the_bonus_to_the_balance(api, store):
    api.put("/api/v1/policy", {"store_credit_bonus_percent": "10", "refund_trigger": "manual"})
    number, received = _to_received(
        api,
        store,
        lines=[line_body("A", quantity=2, unit_price="20.00")],
        returned_lines=[("A", 1, "too_small")],
        resolution="store_credit",
    )
    act(api, number, "inspect", inspect_all(received))
    assert act(api, number, "refunds", {"method": "store_credit"}, expect=201)["refunded_total"] == "20.00"
    credit = api.get("/api/v1/customers/alice@example.com/store-credit").json()
    assert credit == {
        "email": "alice@example.com",
        "currency": "EUR",
        "balance": "22.00",
        "accounts": [{"currency": "EUR", "balance": "22.00"}],
    }


def test_m5_store_credit_is_given_when_the_trigger_is_reached(api, store):
    api.put("/api/v1/policy", {"store_credit_bonus_percent": "10"})
    number, received = _to_received(
        api,
        store,
        lines=[line_body("A", quantity=2, unit_price="20.00")],
        returned_lines=[("A", 1, "too_small")],
        resolution="store_credit",
    )
    inspected = act(api, number, "inspect", inspect_all(received))
    # with the default trigger (on_inspection) the credit is given as soon as the unit is accepted
    assert inspected["refunded_total"] == "20.00"
    assert api.get("/api/v1/customers/alice@example.com/store-credit").json()["balance"] == "22.00"
