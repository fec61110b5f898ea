"""Receiving checks serial numbers against the sale: a unit whose serial was not sold on the line,
was already received, or is missing is flagged on the line (API, events), never refused nor
silently accepted; lots are recorded. Scoped to the store; constant queries whatever the lines."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retour.core.actors import Actor
from retour.orders.tests.helpers import act, create_order, line_body, new_return, recent_body
from retour.returns.models import ReceivedUnit, ReturnLine, ReturnRequest
from retour.returns.services import return_receive

pytestmark = pytest.mark.django_db

STAFF = Actor(type="user", name="staff", role="admin")


def _phone_order(store, number="1001", *, serials=("SN-A", "SN-B"), lot=None, extra_lines=()):
    phone = line_body("P1", sku="PHONE", quantity=2, unit_price="499.00", serial_numbers=list(serials))
    if lot:
        phone["lot_number"] = lot
    return create_order(store, recent_body(number=number, lines=[phone, *extra_lines]))


def _approved(api, order, *lines):
    answer = new_return(api, order, *(lines or [("P1", 2, "changed_mind")]))
    return act(api, answer["number"], "approve")


def _receive(api, answer, *entries, expect=200):
    """entries: (line index, quantity, serials[, lot])."""
    body = {"lines": []}
    for entry in entries:
        index, quantity, serials, *lot = entry
        line = {"id": answer["lines"][index]["id"], "quantity": quantity, "serial_numbers": serials}
        if lot:
            line["lot_number"] = lot[0]
        body["lines"].append(line)
    return act(api, answer["number"], "receive", body, expect=expect)


def _units(answer, index=0):
    return [
        (u["serial_number"], u["check"], u["flagged"], u["quantity"]) for u in answer["lines"][index]["units"]
    ]


def _received_event(api, number):
    events = api.get(f"/api/v1/returns/{number}/events").json()["items"]
    return [e for e in events if e["action"] == "received"][-1]


def test_the_serials_sold_are_matched_and_nothing_is_flagged(api, store):
    answer = _approved(api, _phone_order(store))
    received = _receive(api, answer, (0, 2, ["sn-b", "SN-A"]))
    assert received["status"] == "received"
    assert _units(received) == [("SN-B", "matched", False, 1), ("SN-A", "matched", False, 1)]
    assert received["lines"][0]["serial_flags"] == 0
    event = _received_event(api, answer["number"])
    line_id = str(answer["lines"][0]["id"])
    assert event["data"]["units"][line_id]["serial_numbers"] == ["SN-B", "SN-A"]
    assert "serial_flags" not in event["data"]


def test_a_serial_not_sold_on_the_line_is_flagged_with_what_was_expected_and_the_return_goes_on(api, store):
    answer = _approved(api, _phone_order(store))
    received = _receive(api, answer, (0, 2, ["SN-A", "FAKE-9"]))
    assert received["status"] == "received" and received["lines"][0]["received_quantity"] == 2
    fake = next(u for u in received["lines"][0]["units"] if u["serial_number"] == "FAKE-9")
    assert fake["check"] == "not_sold" and fake["flagged"] is True
    assert fake["expected"] == ["SN-B"] and fake["sold_on"] is None
    assert received["lines"][0]["serial_flags"] == 1
    detail = api.get(f"/api/v1/returns/{answer['number']}").json()
    assert detail["lines"][0]["units"] == received["lines"][0]["units"]
    [flag] = _received_event(api, answer["number"])["data"]["serial_flags"]
    assert flag == {
        "line": answer["lines"][0]["id"],
        "check": "not_sold",
        "quantity": 1,
        "serial_number": "FAKE-9",
        "expected": ["SN-B"],
    }
    # Not blocked: staff decide at inspection.
    body = {
        "lines": [
            {
                "id": answer["lines"][0]["id"],
                "quantity": 2,
                "condition": "new",
                "disposition": "restock",
                "accepted": False,
            }
        ]
    }
    assert act(api, answer["number"], "inspect", body)["lines"][0]["inspections"]


def test_a_serial_sold_on_another_line_of_the_order_names_that_line(api, store):
    tablet = line_body("T1", sku="TABLET", quantity=1, unit_price="299.00", serial_numbers=["TAB-1"])
    order = _phone_order(store, extra_lines=[tablet])
    answer = _approved(api, order, ("P1", 1, "changed_mind"))
    received = _receive(api, answer, (0, 1, ["TAB-1"]))
    [unit] = received["lines"][0]["units"]
    assert (unit["check"], unit["sold_on"], unit["flagged"]) == ("not_sold", "T1", True)


def test_a_serial_already_received_in_another_return_is_flagged_with_that_return(api, store):
    order = _phone_order(store)
    first = _approved(api, order, ("P1", 1, "changed_mind"))
    _receive(api, first, (0, 1, ["SN-A"]))
    second = _approved(api, order, ("P1", 1, "changed_mind"))
    received = _receive(api, second, (0, 1, ["SN-A"]))
    [unit] = received["lines"][0]["units"]
    assert (unit["check"], unit["flagged"], unit["earlier_return"]) == (
        "already_received",
        True,
        first["number"],
    )
    assert unit["expected"] == ["SN-B"]
    [flag] = _received_event(api, second["number"])["data"]["serial_flags"]
    assert flag["earlier_return"] == first["number"]


def test_a_serial_already_received_on_an_earlier_parcel_of_the_same_return_is_flagged(api, store):
    answer = _approved(api, _phone_order(store))
    _receive(api, answer, (0, 1, ["SN-A"]))
    received = _receive(api, answer, (0, 1, ["SN-A"]))
    assert [u["check"] for u in received["lines"][0]["units"]] == ["matched", "already_received"]


def test_units_without_a_serial_on_a_line_sold_with_serials_are_flagged_missing(api, store):
    answer = _approved(api, _phone_order(store))
    received = _receive(api, answer, (0, 2, ["SN-A"]))
    assert _units(received) == [("SN-A", "matched", False, 1), (None, "missing", True, 1)]
    assert received["lines"][0]["units"][1]["expected"] == ["SN-B"]


def test_receiving_a_serial_line_without_any_serial_flags_every_unit(api, store):
    answer = _approved(api, _phone_order(store))
    received = act(
        api, answer["number"], "receive", {"lines": [{"id": answer["lines"][0]["id"], "quantity": 2}]}
    )
    assert _units(received) == [(None, "missing", True, 2)]
    assert received["lines"][0]["serial_flags"] == 2


def test_a_line_sold_without_serials_records_the_serial_without_flagging_it(api, store):
    order = create_order(store, recent_body(lines=[line_body("C1", sku="CABLE", quantity=3)]))
    answer = _approved(api, order, ("C1", 3, "changed_mind"))
    received = _receive(api, answer, (0, 1, ["CAB-77"], "LOT-5"))
    assert _units(received) == [("CAB-77", "not_recorded", False, 1)]
    assert received["lines"][0]["units"][0]["lot_number"] == "LOT-5"


def test_nothing_is_recorded_for_units_that_nothing_identifies(api, store):
    order = create_order(store, recent_body(lines=[line_body("C1", sku="CABLE", quantity=3)]))
    answer = _approved(api, order, ("C1", 3, "changed_mind"))
    received = act(
        api, answer["number"], "receive", {"lines": [{"id": answer["lines"][0]["id"], "quantity": 3}]}
    )
    assert received["lines"][0]["units"] == [] and not ReceivedUnit.objects.exists()


def test_a_lot_is_recorded_on_the_units_received(api, store):
    order = create_order(store, recent_body(lines=[line_body("C1", sku="CREAM", quantity=4)]))
    answer = _approved(api, order, ("C1", 4, "changed_mind"))
    received = _receive(api, answer, (0, 4, [], "B-2026-07"))
    [unit] = received["lines"][0]["units"]
    assert (unit["quantity"], unit["lot_number"], unit["check"], unit["flagged"]) == (
        4,
        "B-2026-07",
        "not_recorded",
        False,
    )
    assert unit["location"] == "main"


def test_a_lot_is_kept_on_serial_units_too(api, store):
    answer = _approved(api, _phone_order(store, lot="L-1"))
    received = _receive(api, answer, (0, 2, ["SN-A", "SN-B"], "L-1"))
    assert [u["lot_number"] for u in received["lines"][0]["units"]] == ["L-1", "L-1"]


# Refusals: what cannot be a real scan changes nothing ---------------------------------------------------


def _refused(api, answer, *entries):
    before = api.get(f"/api/v1/returns/{answer['number']}").json()
    response = api.post(
        f"/api/v1/returns/{answer['number']}/receive",
        {
            "lines": [
                {"id": answer["lines"][i]["id"], "quantity": q, "serial_numbers": s} for i, q, s in entries
            ]
        },
    )
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert api.get(f"/api/v1/returns/{answer['number']}").json() == before
    assert not ReceivedUnit.objects.exists()
    return {tuple(e["loc"]): e["code"] for e in response.json()["errors"]}


def test_the_same_serial_scanned_twice_is_refused(api, store):
    answer = _approved(api, _phone_order(store))
    assert _refused(api, answer, (0, 2, ["SN-A", "sn-a"])) == {
        ("lines", 0, "serial_numbers", 1): "duplicate_serial_number"
    }


def test_more_serials_than_units_received_is_refused(api, store):
    answer = _approved(api, _phone_order(store))
    assert _refused(api, answer, (0, 1, ["SN-A", "SN-B"])) == {
        ("lines", 0, "serial_numbers"): "serial_numbers_exceed_quantity"
    }


def test_a_malformed_serial_is_refused_at_its_place(api, store):
    answer = _approved(api, _phone_order(store))
    assert _refused(api, answer, (0, 2, ["SN-A", "SN B"])) == {
        ("lines", 0, "serial_numbers", 1): "invalid_serial_number"
    }


def test_the_serial_refusal_is_in_french_for_a_french_reader(api_as, api_key_admin, api, store):
    answer = _approved(api, _phone_order(store))
    body = {"lines": [{"id": answer["lines"][0]["id"], "quantity": 2, "serial_numbers": ["A1", "A1"]}]}
    response = api_as(api_key_admin, language="fr").post(f"/api/v1/returns/{answer['number']}/receive", body)
    assert "deux fois" in response.json()["errors"][0]["message"]


# Store scoping ------------------------------------------------------------------------------------------


def test_another_stores_sale_and_receipts_never_match(api, api_as, other_api_key, store, other_store):
    theirs = _phone_order(other_store, serials=("SN-X", "SN-Y"))
    other_api = api_as(other_api_key)
    their_return = _approved(other_api, theirs, ("P1", 1, "changed_mind"))
    _receive(other_api, their_return, (0, 1, ["SN-X"]))
    ours = _approved(api, _phone_order(store))
    received = _receive(api, ours, (0, 2, ["SN-X", "SN-Y"]))
    assert [(u["check"], u["earlier_return"], u["sold_on"]) for u in received["lines"][0]["units"]] == [
        ("not_sold", None, None),
        ("not_sold", None, None),
    ]
    # And their receipt of SN-X is still theirs alone: ours did not make it "already received".
    again = _approved(other_api, theirs, ("P1", 1, "changed_mind"))
    assert _receive(other_api, again, (0, 1, ["SN-Y"]))["lines"][0]["units"][0]["check"] == "matched"


def test_another_stores_key_cannot_read_the_units(api, api_as, other_api_key, store):
    answer = _approved(api, _phone_order(store))
    _receive(api, answer, (0, 2, ["SN-A", "X-1"]))
    assert api_as(other_api_key).get(f"/api/v1/returns/{answer['number']}").status_code == 404


def test_a_warehouse_key_receives_with_serials(api, api_as, api_key_warehouse, store):
    answer = _approved(api, _phone_order(store))
    received = _receive(api_as(api_key_warehouse), answer, (0, 2, ["SN-A", "SN-B"]))
    assert [u["check"] for u in received["lines"][0]["units"]] == ["matched", "matched"]


# Queries do not grow with the lines ---------------------------------------------------------------------


def _order_of(store, number, count):
    lines = [
        line_body(
            f"P{i}", sku=f"PHONE-{i}", quantity=1, unit_price="99.00", serial_numbers=[f"SN-{number}-{i}"]
        )
        for i in range(count)
    ]
    return create_order(store, recent_body(number=number, lines=lines))


def _service_receive_queries(api, store, number, count):
    order = _order_of(store, number, count)
    answer = _approved(api, order, *[(f"P{i}", 1, "changed_mind") for i in range(count)])
    rr = ReturnRequest.objects.get(number=answer["number"])
    lines = [
        {
            "id": ln.id,
            "quantity": 1,
            "serial_numbers": [f"SN-{number}-{i}" if i else "WRONG"],
            "lot_number": "L",
        }
        for i, ln in enumerate(ReturnLine.objects.filter(return_request=rr).order_by("id"))
    ]
    with CaptureQueriesContext(connection) as queries:
        return_receive(return_request=rr, actor=STAFF, lines=lines)
    assert ReceivedUnit.objects.filter(return_line__return_request=rr).count() == count
    return len(queries), answer["number"]


def test_receiving_with_serials_costs_the_same_queries_for_one_line_or_six(api, store):
    one, number_one = _service_receive_queries(api, store, "2001", 1)
    six, number_six = _service_receive_queries(api, store, "2002", 6)
    assert six == one
    with CaptureQueriesContext(connection) as one_read:
        api.get(f"/api/v1/returns/{number_one}")
    with CaptureQueriesContext(connection) as six_read:
        answer = api.get(f"/api/v1/returns/{number_six}").json()
    assert sum(ln["serial_flags"] for ln in answer["lines"]) == 1
    assert len(six_read) == len(one_read)
