"""POST/GET /api/v1/returns: the return's JSON, lists, idempotent creation, keys and roles."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.conf import settings

from retour.orders.tests.helpers import act, create_order, line_body, new_return, post_return, recent_body
from retour.policies.services import policy_update
from retour.returns.models import ReturnEvent, ReturnRequest

pytestmark = pytest.mark.django_db

RETURN_FIELDS = {
    "number",
    "status",
    "order_number",
    "channel",
    "resolution",
    "created_at",
    "lines",
    "fees",
    "estimated_refund",
    "refunded_total",
    "refundable",
    "refund_due_by",
    "status_url",
}
LINE_FIELDS = {
    "id",
    "line_id",
    "sku",
    "reason",
    "comment",
    "quantity",
    "approved_quantity",
    "received_quantity",
    "accepted_quantity",
    "unit_refund",
    "inspections",
}


@pytest.fixture
def order(store):
    return create_order(
        store, recent_body(lines=[line_body("L1", sku="TSHIRT-M", quantity=2, unit_price="20.00")])
    )


# Creation ---------------------------------------------------------------------------------------


def test_creating_a_return_answers_201_with_the_contract_fields(api, order):
    line_id = order.lines.get().id
    response = api.post(
        "/api/v1/returns",
        {
            "order_number": "1001",
            "channel": "api",
            "resolution": "refund",
            "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small", "comment": "fits small"}],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert RETURN_FIELDS <= set(body)
    assert body["number"].startswith("R-") and body["status"] == "requested"
    assert body["order_number"] == "1001" and body["channel"] == "api" and body["resolution"] == "refund"
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    line = body["lines"][0]
    assert LINE_FIELDS <= set(line)
    assert line["line_id"] == line_id and line["sku"] == "TSHIRT-M" and line["comment"] == "fits small"
    assert (
        line["quantity"],
        line["approved_quantity"],
        line["received_quantity"],
        line["accepted_quantity"],
    ) == (1, 0, 0, 0)
    assert line["unit_refund"] == "20.00" and line["inspections"] == []
    assert body["estimated_refund"] == "22.45"  # 20.00 + its share (20 of 40) of the 4.90 standard delivery
    assert body["refunded_total"] == "0.00" and body["refundable"] == "0.00"
    rr = ReturnRequest.objects.get()
    assert body["status_url"] == f"{settings.BASE_URL}/portal/r/{rr.token}"


def test_the_created_return_is_what_get_answers(api, order):
    created = new_return(api, order, ("L1", 1, "too_small"))
    assert api.get(f"/api/v1/returns/{created['number']}").json() == created


def test_a_policy_that_auto_approves_answers_approved_at_once(api, order):
    api.put("/api/v1/policy", {"auto_approve": True})
    assert new_return(api, order, ("L1", 1, "too_small"))["status"] == "approved"


def test_creation_writes_an_event_with_the_api_key_as_actor(api, order):
    number = new_return(api, order, ("L1", 1, "too_small"))["number"]
    events = api.get(f"/api/v1/returns/{number}/events").json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("created", None, "requested")
    ]
    assert events[0]["actor"]["type"] == "api_key"
    assert events[0]["actor"]["name"].startswith("api key rt_")


def test_an_unknown_order_is_404_and_nothing_is_created(api, order):
    response = api.post(
        "/api/v1/returns",
        {"order_number": "nope", "lines": [{"line_id": 1, "quantity": 1, "reason": "too_small"}]},
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    ("change", "loc", "code"),
    [
        ({"channel": "fax"}, ["channel"], "enum"),
        ({"resolution": "voucher"}, ["resolution"], "literal_error"),
        ({"lines": "all"}, ["lines"], "list_type"),
        (
            {"lines": [{"line_id": "x", "quantity": 1, "reason": "too_small"}]},
            ["lines", 0, "line_id"],
            "int_parsing",
        ),
        ({"override": "maybe"}, ["override"], "bool_parsing"),
    ],
)
def test_a_body_that_does_not_fit_is_a_validation_error(api, order, change, loc, code):
    body = {
        "order_number": "1001",
        "lines": [{"line_id": order.lines.get().id, "quantity": 1, "reason": "too_small"}],
    }
    response = api.post("/api/v1/returns", {**body, **change})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": loc, "code": code, "message": response.json()["errors"][0]["message"]}
    ]
    assert not ReturnRequest.objects.exists()


def test_an_exchange_records_the_wanted_variant(api, order):
    line_id = order.lines.get().id
    body = new_return(
        api,
        order,
        ("L1", 1, "too_small"),
        resolution="exchange",
        exchange_items=[{"line_id": line_id, "sku": "TSHIRT-L", "quantity": 1}],
    )
    assert body["resolution"] == "exchange"
    assert body["exchange_items"] == [{"line_id": line_id, "sku": "TSHIRT-L", "wish": "", "quantity": 1}]


def test_a_resolution_the_policy_does_not_offer_is_not_returnable(api, order):
    api.put("/api/v1/policy", {"allowed_resolutions": ["refund"]})
    response = post_return(api, order, ("L1", 1, "too_small"), resolution="store_credit")
    assert response.status_code == 422
    assert response.json()["code"] == "not_returnable"
    assert [e["code"] for e in response.json()["errors"]] == ["resolution_not_allowed"]


# Idempotent creation ----------------------------------------------------------------------------


def test_the_same_idempotency_key_creates_one_return_and_replays_it(api, order):
    body = {
        "order_number": "1001",
        "lines": [{"line_id": order.lines.get().id, "quantity": 1, "reason": "too_small"}],
    }
    first = api.post("/api/v1/returns", body, headers={"Idempotency-Key": "ret-1"})
    again = api.post("/api/v1/returns", body, headers={"Idempotency-Key": "ret-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert ReturnRequest.objects.count() == 1 and ReturnEvent.objects.count() == 1


def test_the_same_idempotency_key_for_another_return_is_refused(api, order):
    line_id = order.lines.get().id
    api.post(
        "/api/v1/returns",
        {"order_number": "1001", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small"}]},
        headers={"Idempotency-Key": "ret-1"},
    )
    response = api.post(
        "/api/v1/returns",
        {"order_number": "1001", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_large"}]},
        headers={"Idempotency-Key": "ret-1"},
    )
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"
    assert ReturnRequest.objects.count() == 1


def test_an_idempotent_refund_is_recorded_once(api, store):
    from retour.resolutions.models import Refund

    order = create_order(store, recent_body(lines=[line_body("A", quantity=1, unit_price="30.00")]))
    api.put("/api/v1/policy", {"refund_trigger": "on_approval"})
    number = new_return(api, order, ("A", 1, "too_small"))["number"]
    act(api, number, "approve")
    headers = {"Idempotency-Key": "refund-1"}
    first = api.post(
        f"/api/v1/returns/{number}/refunds", {"method": "manual", "amount": "10.00"}, headers=headers
    )
    again = api.post(
        f"/api/v1/returns/{number}/refunds", {"method": "manual", "amount": "10.00"}, headers=headers
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert Refund.objects.count() == 1


# Read and list ----------------------------------------------------------------------------------


def test_list_filters_by_status_and_order_number(api, store):
    first = create_order(store, recent_body(number="1001", lines=[line_body("A", quantity=3)]))
    second = create_order(store, recent_body(number="1002", lines=[line_body("A", quantity=3)]))
    a = new_return(api, first, ("A", 1, "too_small"))["number"]
    b = new_return(api, first, ("A", 1, "too_small"))["number"]
    c = new_return(api, second, ("A", 1, "too_small"))["number"]
    act(api, b, "approve")

    def numbers(**params):
        return [r["number"] for r in api.get("/api/v1/returns", params).json()["items"]]

    assert numbers() == [c, b, a]
    assert numbers(status="approved") == [b]
    assert numbers(order_number="1001") == [b, a]
    assert numbers(status="requested", order_number="1002") == [c]


def test_an_unknown_status_filter_is_a_validation_error(api):
    response = api.get("/api/v1/returns", {"status": "lost"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["status"]


def test_the_list_pages_with_a_cursor(api, store):
    order = create_order(store, recent_body(lines=[line_body("A", quantity=5)]))
    created = [new_return(api, order, ("A", 1, "too_small"))["number"] for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        body = api.get("/api/v1/returns", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [r["number"] for r in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and seen == list(reversed(created))


def test_listing_twenty_returns_does_not_query_per_return(api, store, django_assert_max_num_queries):
    for n in range(20):
        order = create_order(
            store,
            recent_body(number=str(5000 + n), lines=[line_body("A", quantity=2), line_body("B", quantity=1)]),
        )
        number = new_return(api, order, ("A", 1, "too_small"), ("B", 1, "defective"))["number"]
        if n % 2:
            act(api, number, "approve")
    with django_assert_max_num_queries(10):
        body = api.get("/api/v1/returns", {"limit": 50}).json()
    assert len(body["items"]) == 20


def test_the_list_shows_only_the_stores_returns(api, api_as, other_api_key, order):
    new_return(api, order, ("L1", 1, "too_small"))
    assert api_as(other_api_key).get("/api/v1/returns").json() == {"items": [], "next_cursor": None}


# Access: A1, A2 ---------------------------------------------------------------------------------


def test_a1_no_key_or_a_wrong_key_is_401(api, api_as, order):
    number = new_return(api, order, ("L1", 1, "too_small"))["number"]
    for client in (api_as(None), api_as("rt_wrong")):
        assert client.get(f"/api/v1/returns/{number}").status_code == 401
        assert client.get("/api/v1/returns").status_code == 401
        assert client.post(f"/api/v1/returns/{number}/approve").status_code == 401
    assert ReturnRequest.objects.get().status == "requested"


ACTIONS = ["approve", "reject", "cancel", "ship", "receive", "inspect", "refunds", "close"]


def _body_for(action: str, answer: dict) -> dict:
    line = answer["lines"][0]["id"]
    return {
        "reject": {"reason": "worn"},
        "receive": {"lines": [{"id": line, "quantity": 1}]},
        "inspect": {
            "lines": [
                {"id": line, "quantity": 1, "condition": "new", "disposition": "restock", "accepted": True}
            ]
        },
        "refunds": {"method": "manual"},
    }.get(action, {})


def test_a1_a_return_of_another_store_is_404_for_reads(api, api_as, other_api_key, order):
    number = new_return(api, order, ("L1", 1, "too_small"))["number"]
    other = api_as(other_api_key)
    for path in (f"/api/v1/returns/{number}", f"/api/v1/returns/{number}/events"):
        response = other.get(path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("action", ACTIONS)
def test_a1_a_return_of_another_store_is_404_for_every_action(api, api_as, other_api_key, order, action):
    answer = new_return(api, order, ("L1", 1, "too_small"))
    response = api_as(other_api_key).post(
        f"/api/v1/returns/{answer['number']}/{action}", _body_for(action, answer)
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert ReturnEvent.objects.count() == 1


def test_a1_creating_a_return_on_another_stores_order_is_404(api_as, other_api_key, order):
    response = post_return(api_as(other_api_key), order, ("L1", 1, "too_small"))
    assert response.status_code == 404
    assert not ReturnRequest.objects.exists()


FORBIDDEN = [("warehouse", a) for a in ("approve", "reject", "cancel", "refunds", "close")] + [
    ("agent", "receive"),
    ("agent", "inspect"),
]


@pytest.mark.parametrize(("role", "action"), FORBIDDEN)
def test_a2_a_role_that_may_not_act_gets_403_and_nothing_changes(api, api_as, request, order, role, action):
    answer = new_return(api, order, ("L1", 1, "too_small"))
    key = request.getfixturevalue(f"api_key_{role}")
    response = api_as(key).post(f"/api/v1/returns/{answer['number']}/{action}", _body_for(action, answer))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "forbidden"
    assert ReturnRequest.objects.get().status == "requested" and ReturnEvent.objects.count() == 1


def test_a2_a_warehouse_key_may_not_create_returns(api_as, api_key_warehouse, order):
    response = post_return(api_as(api_key_warehouse), order, ("L1", 1, "too_small"))
    assert response.status_code == 403 and not ReturnRequest.objects.exists()


def test_a2_a_warehouse_key_may_read_ship_receive_and_inspect(api, api_as, api_key_warehouse, order):
    answer = new_return(api, order, ("L1", 2, "too_small"))
    number = answer["number"]
    act(api, number, "approve")
    warehouse = api_as(api_key_warehouse)
    assert warehouse.get(f"/api/v1/returns/{number}").status_code == 200
    assert warehouse.get("/api/v1/returns").status_code == 200
    assert warehouse.get(f"/api/v1/returns/{number}/events").status_code == 200
    act(warehouse, number, "ship", {"carrier": "colissimo", "tracking_number": "6A123"})
    received = act(warehouse, number, "receive", {"lines": [{"id": answer["lines"][0]["id"], "quantity": 2}]})
    inspected = act(
        warehouse,
        number,
        "inspect",
        {
            "lines": [
                {
                    "id": received["lines"][0]["id"],
                    "quantity": 2,
                    "condition": "new",
                    "disposition": "restock",
                    "accepted": True,
                }
            ]
        },
    )
    assert inspected["lines"][0]["accepted_quantity"] == 2


def test_an_agent_may_create_approve_ship_refund_and_close(api_as, api_key_agent, store):
    agent = api_as(api_key_agent)
    order = create_order(store, recent_body(lines=[line_body("A", quantity=1, unit_price="30.00")]))
    policy_update(store=store, changes={"refund_trigger": "on_approval"})
    number = new_return(agent, order, ("A", 1, "too_small"))["number"]
    act(agent, number, "approve")
    act(agent, number, "ship")
    # the whole order is withdrawn under the statutory right: the standard delivery (4.90) is refunded too
    assert act(agent, number, "refunds", {"method": "manual"}, expect=201)["refunded_total"] == "34.90"
    assert act(agent, number, "close", expect=409)["code"] == "invalid_transition"  # nothing received yet


def test_an_agent_may_reject_and_cancel(api_as, api_key_agent, store):
    agent = api_as(api_key_agent)
    order = create_order(store, recent_body(lines=[line_body("A", quantity=2)]))
    first = new_return(agent, order, ("A", 1, "too_small"))["number"]
    second = new_return(agent, order, ("A", 1, "too_small"))["number"]
    assert act(agent, first, "reject", {"reason": "worn"})["status"] == "rejected"
    assert act(agent, second, "cancel", {"note": "customer called"})["status"] == "cancelled"
