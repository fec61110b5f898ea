"""Scenarios Q1–Q5 and E1–E4 of scenarios.md over HTTP: codes, shapes, and nothing changed on refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from retour.orders.tests.helpers import act, create_order, line_body, new_return, post_return, recent_body
from retour.returns.models import ReturnEvent, ReturnRequest
from retour.returns.services import return_expire_due

pytestmark = pytest.mark.django_db


def _refused(response, status: int = 422, code: str = "not_returnable") -> list[tuple[list, str]]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert all(e["message"] for e in body.get("errors", []))
    return [(e["loc"], e["code"]) for e in body.get("errors", [])]


def _returnable(api, number: str = "1001") -> dict[str, int]:
    lines = api.get(f"/api/v1/orders/{number}/returnability").json()["lines"]
    return {ln["ref"]: ln["returnable_quantity"] for ln in lines}


def _order(store, *lines, days_ago: int = 5, **extra):
    return create_order(store, recent_body(days_ago=days_ago, lines=list(lines), **extra))


# Quantities -------------------------------------------------------------------------------------


def test_q1_more_units_than_delivered_are_refused(api, store):
    order = _order(store, line_body("A", quantity=1))
    errors = _refused(post_return(api, order, ("A", 2, "too_small")))
    assert errors == [(["lines", 0, "quantity"], "quantity_exceeds_returnable")]
    assert not ReturnRequest.objects.exists()


def test_q1_a_return_with_no_lines_is_refused(api, store):
    _order(store, line_body("A", quantity=1))
    response = api.post("/api/v1/returns", {"order_number": "1001", "lines": []})
    assert _refused(response, code="validation_error") == [(["lines"], "too_short")]
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1])
def test_q1_a_quantity_below_one_is_refused(api, store, quantity):
    order = _order(store, line_body("A", quantity=1))
    errors = _refused(post_return(api, order, ("A", quantity, "too_small")))
    assert errors == [(["lines", 0, "quantity"], "invalid_quantity")]
    assert not ReturnRequest.objects.exists()


def test_q1_an_unknown_line_is_refused(api, store, other_store):
    _order(store, line_body("A", quantity=1))
    foreign = create_order(other_store, recent_body(number="9", lines=[line_body("Z")]))
    for line_id in (999999, foreign.lines.get().id):
        response = api.post(
            "/api/v1/returns",
            {"order_number": "1001", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small"}]},
        )
        assert _refused(response) == [(["lines", 0, "line_id"], "unknown_line")]
    assert not ReturnRequest.objects.exists()


def test_q2_returnable_units_go_down_with_each_return(api, store):
    order = _order(store, line_body("A", quantity=3))
    new_return(api, order, ("A", 2, "too_small"))
    assert _refused(post_return(api, order, ("A", 2, "too_small"))) == [
        (["lines", 0, "quantity"], "quantity_exceeds_returnable")
    ]
    new_return(api, order, ("A", 1, "too_small"))
    assert _returnable(api) == {"A": 0}
    assert ReturnRequest.objects.count() == 2


def test_q3_returnable_counts_delivered_units_not_ordered_ones(api, store):
    order = _order(store, line_body("A", quantity=2, delivered_quantity=1))
    assert _refused(post_return(api, order, ("A", 2, "too_small"))) == [
        (["lines", 0, "quantity"], "quantity_exceeds_returnable")
    ]
    new_return(api, order, ("A", 1, "too_small"))


def test_q3_nothing_delivered_means_nothing_returnable(api, store):
    order = create_order(store, recent_body(lines=[line_body("A", quantity=2)], delivered_at=None))
    assert "not_delivered" in [
        code for _loc, code in _refused(post_return(api, order, ("A", 1, "too_small")))
    ]
    line = api.get("/api/v1/orders/1001/returnability").json()["lines"][0]
    assert line["eligible"] is False and line["delivered_quantity"] == 0
    assert [r["code"] for r in line["reasons"]] == ["not_delivered"]


@pytest.mark.parametrize("ending", ["reject", "cancel"])
def test_q4_a_rejected_or_cancelled_return_gives_its_units_back(api, store, ending):
    order = _order(store, line_body("A", quantity=1))
    number = new_return(api, order, ("A", 1, "too_small"))["number"]
    assert _returnable(api) == {"A": 0}
    act(api, number, ending, {"reason": "worn"} if ending == "reject" else {})
    assert _returnable(api) == {"A": 1}
    new_return(api, order, ("A", 1, "too_small"))


def test_q4_an_expired_return_gives_its_units_back(api, store):
    order = _order(store, line_body("A", quantity=1))
    number = new_return(api, order, ("A", 1, "too_small"))["number"]
    act(api, number, "approve")
    return_expire_due(now=timezone.now() + timedelta(days=365))
    assert api.get(f"/api/v1/returns/{number}").json()["status"] == "expired"
    assert _returnable(api) == {"A": 1}


def test_q5_every_line_is_checked_and_all_refusals_come_together(api, store):
    order = _order(store, line_body("A", quantity=1), line_body("B", quantity=2), line_body("C", quantity=1))
    response = post_return(
        api, order, ("A", 1, "too_small"), ("B", 3, "too_small"), ("C", 1, "no_such_reason")
    )
    assert sorted(_refused(response)) == [
        (["lines", 1, "quantity"], "quantity_exceeds_returnable"),
        (["lines", 2, "reason"], "unknown_reason"),
    ]
    assert not ReturnRequest.objects.exists()
    body = new_return(api, order, ("A", 1, "too_small"), ("B", 2, "too_large"))
    assert [(ln["sku"], ln["quantity"]) for ln in body["lines"]] == [("A", 1), ("B", 2)]


# Eligibility ------------------------------------------------------------------------------------


def test_e1_day_31_is_outside_the_window_and_override_is_recorded(api, store):
    order = _order(store, line_body("A", quantity=1), days_ago=31)
    assert _refused(post_return(api, order, ("A", 1, "changed_mind"))) == [
        (["lines", 0], "outside_return_window")
    ]
    assert not ReturnRequest.objects.exists()
    body = new_return(api, order, ("A", 1, "changed_mind"), override=True)
    assert body["status"] == "requested"
    created = api.get(f"/api/v1/returns/{body['number']}/events").json()["items"][0]
    assert created["action"] == "created" and created["data"]["override"] is True
    assert created["actor"]["type"] == "api_key" and created["actor"]["name"].startswith("api key ")


def test_e1_returnability_explains_the_closed_window(api, store):
    _order(store, line_body("A", quantity=1), days_ago=31)
    line = api.get("/api/v1/orders/1001/returnability").json()["lines"][0]
    assert line["eligible"] is False
    assert [r["code"] for r in line["reasons"]] == ["outside_return_window"]
    assert date.fromisoformat(line["deadline"]) < timezone.now().date()


def test_e2_final_sale_and_non_returnable_lines_are_refused_others_stay_returnable(api, store):
    # Day 20: the statutory withdrawal period is over, the 30-day policy still runs.
    order = _order(
        store, line_body("A", final_sale=True), line_body("B", returnable=False), line_body("C"), days_ago=20
    )
    errors = _refused(
        post_return(api, order, ("A", 1, "too_small"), ("B", 1, "too_small"), ("C", 1, "too_small"))
    )
    assert sorted(errors) == [(["lines", 0], "final_sale"), (["lines", 1], "not_returnable_item")]
    assert not ReturnRequest.objects.exists()
    new_return(api, order, ("C", 1, "too_small"))


def test_e2_within_the_withdrawal_period_final_sale_lines_are_withdrawn(api, store):
    order = _order(store, line_body("A", final_sale=True), line_body("B", returnable=False))
    body = new_return(api, order, ("A", 1, "too_small"), ("B", 1, "too_small"))
    assert body["right"] == "withdrawal"


def test_e3_returnability_gives_codes_messages_and_deadlines_per_line(api, store):
    _order(store, line_body("A", quantity=2), line_body("B", final_sale=True), days_ago=20)
    body = api.get("/api/v1/orders/1001/returnability").json()
    assert body["order_number"] == "1001"
    a, b = body["lines"]
    assert set(a) >= {
        "line_id",
        "ref",
        "sku",
        "quantity",
        "delivered_quantity",
        "in_returns_quantity",
        "returnable_quantity",
        "eligible",
        "deadline",
        "statutory_deadline",
        "policy_deadline",
        "reasons",
    }
    assert a["eligible"] is True and a["reasons"] == [] and a["returnable_quantity"] == 2
    assert a["deadline"] == max(a["statutory_deadline"], a["policy_deadline"])
    assert b["eligible"] is False
    assert b["reasons"][0]["code"] == "final_sale" and b["reasons"][0]["message"]


def test_e3_reasons_are_in_the_requests_language(api_as, api_key_admin, store):
    _order(store, line_body("A", final_sale=True), days_ago=20)
    english = api_as(api_key_admin, "en").get("/api/v1/orders/1001/returnability").json()
    french = api_as(api_key_admin, "fr").get("/api/v1/orders/1001/returnability").json()
    assert (
        english["lines"][0]["reasons"][0]["code"] == french["lines"][0]["reasons"][0]["code"] == "final_sale"
    )
    assert english["lines"][0]["reasons"][0]["message"] == "Final-sale items cannot be returned."


def test_e3_in_returns_counts_live_returns_only(api, store):
    order = _order(store, line_body("A", quantity=3))
    new_return(api, order, ("A", 1, "too_small"))
    rejected = new_return(api, order, ("A", 1, "too_small"))["number"]
    act(api, rejected, "reject", {"reason": "no"})
    line = api.get("/api/v1/orders/1001/returnability").json()["lines"][0]
    assert (line["in_returns_quantity"], line["returnable_quantity"]) == (1, 2)


def test_e4_an_unknown_reason_is_refused(api, store):
    order = _order(store, line_body("A"))
    assert _refused(post_return(api, order, ("A", 1, "bored"))) == [
        (["lines", 0, "reason"], "unknown_reason")
    ]
    assert not ReturnEvent.objects.exists()


def test_returnability_of_another_stores_order_is_404(api_as, other_api_key, store):
    _order(store, line_body("A"))
    response = api_as(other_api_key).get("/api/v1/orders/1001/returnability")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_returnability_needs_a_key(api_as, store):
    _order(store, line_body("A"))
    assert api_as(None).get("/api/v1/orders/1001/returnability").status_code == 401


def test_every_role_may_read_returnability(api_as, api_key_warehouse, api_key_agent, store):
    _order(store, line_body("A"))
    for key in (api_key_warehouse, api_key_agent):
        assert api_as(key).get("/api/v1/orders/1001/returnability").status_code == 200
