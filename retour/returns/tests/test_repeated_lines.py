"""A line listed several times in one request counts the sum of its entries (issue 9, item 1):
over-receiving, over-approving or over-returning entry by entry is refused, nothing changes."""

from __future__ import annotations

import pytest

from retour.orders.tests.helpers import act, create_order, line_body, new_return, post_return, recent_body
from retour.returns.models import ReturnEvent, ReturnLine, ReturnRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store):
    return create_order(store, recent_body(lines=[line_body("A", sku="MUG", quantity=3, unit_price="20.00")]))


def _same_line(answer: dict, *quantities: int) -> dict:
    line_id = answer["lines"][0]["id"]
    return {"lines": [{"id": line_id, "quantity": q} for q in quantities]}


def test_receiving_one_line_listed_three_times_beyond_approved_is_refused(api, order):
    answer = new_return(api, order, ("A", 3, "too_small"))
    act(api, answer["number"], "approve", _same_line(answer, 1))
    events = ReturnEvent.objects.count()
    response = api.post(f"/api/v1/returns/{answer['number']}/receive", _same_line(answer, 1, 1, 1))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "quantity_exceeds_approved"
    assert [e["loc"] for e in body["errors"]] == [["lines", 1, "quantity"], ["lines", 2, "quantity"]]
    line = ReturnLine.objects.get()
    assert (line.approved_quantity, line.received_quantity) == (1, 0)
    assert ReturnEvent.objects.count() == events


def test_receiving_one_line_in_several_entries_within_approved_counts_them_all(api, order):
    answer = new_return(api, order, ("A", 3, "too_small"))
    act(api, answer["number"], "approve")
    received = act(api, answer["number"], "receive", _same_line(answer, 1, 2))
    assert received["lines"][0]["received_quantity"] == 3


def test_approving_one_line_listed_twice_beyond_requested_is_refused(api, order):
    answer = new_return(api, order, ("A", 2, "too_small"))
    response = api.post(f"/api/v1/returns/{answer['number']}/approve", _same_line(answer, 2, 2))
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["loc"] == ["lines", 1, "quantity"]
    assert ReturnRequest.objects.get().status == "requested"


def test_approving_one_line_in_several_entries_sums_them(api, order):
    answer = new_return(api, order, ("A", 3, "too_small"))
    approved = act(api, answer["number"], "approve", _same_line(answer, 1, 1))
    assert approved["lines"][0]["approved_quantity"] == 2


def test_inspecting_one_line_listed_twice_beyond_received_is_refused(api, order):
    answer = new_return(api, order, ("A", 2, "too_small"))
    act(api, answer["number"], "approve")
    act(api, answer["number"], "receive", _same_line(answer, 1))
    entry = {"condition": "new", "disposition": "restock", "accepted": True}
    lines = [{**e, **entry} for e in _same_line(answer, 1, 1)["lines"]]
    response = api.post(f"/api/v1/returns/{answer['number']}/inspect", {"lines": lines})
    assert response.status_code == 422 and response.json()["code"] == "quantity_exceeds_received"
    assert ReturnLine.objects.get().accepted_quantity == 0


def test_creating_a_return_with_one_line_listed_twice_beyond_returnable_is_refused(api, order):
    response = post_return(api, order, ("A", 2, "too_small"), ("A", 2, "too_large"))
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["loc"] == ["lines", 1, "quantity"]
    assert not ReturnRequest.objects.exists()
