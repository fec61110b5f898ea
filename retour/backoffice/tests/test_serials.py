"""The workspace receives units with their serial and lot numbers: a serial not sold on the line,
already received or missing is flagged on the return page, in grading and in the history, in the
reader's language; the parcel is received all the same."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retour.backoffice.tests.conftest import url
from retour.returns.models import ReceivedUnit, ReturnRequest
from retour.returns.services import LineRequest, return_approve, return_create, return_receive

pytestmark = pytest.mark.django_db


def _phone_lines(count: int = 1, prefix: str = "SN") -> list[dict]:
    return [
        {
            "ref": f"P{i}",
            "sku": f"PHONE-{i}",
            "title": f"Phone {i}",
            "quantity": 2,
            "unit_price": "499.00",
            "serial_numbers": [f"{prefix}-{i}-A", f"{prefix}-{i}-B"],
            "lot_number": "L-2026",
        }
        for i in range(1, count + 1)
    ]


@pytest.fixture
def approved(make_order, customer_actor):
    """approved(number, lines=1) → an approved return of 2 phones per line, sold with serials."""

    def _make(number: str = "1001", lines: int = 1, prefix: str = "SN") -> ReturnRequest:
        order = make_order(number, lines=_phone_lines(lines, prefix))
        requests = [LineRequest(ln.id, 2, "changed_mind") for ln in order.lines.all()]
        rr = return_create(order=order, actor=customer_actor, lines=requests)
        return_approve(return_request=rr, actor=customer_actor)
        return ReturnRequest.objects.get(pk=rr.pk)

    return _make


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_receive_screen_asks_for_the_serials_of_a_line_sold_with_them(signed_in, approved):
    rr = approved()
    line = rr.lines.get()
    page = signed_in("warehouse").get(url("receive_return", "fr", number=rr.number))
    html = page.content.decode()
    assert f'name="serials_{line.id}"' in html and f'name="lot_{line.id}"' in html
    assert re.search(r'<details class="identify" open>', html)
    assert "Vendu avec 2 numéros de série" in _text(page)
    assert "SN-1-A" not in html  # the screen asks for a scan, it does not give the answer


def test_matching_serials_are_received_with_no_flag(signed_in, approved):
    rr = approved()
    line = rr.lines.get()
    client = signed_in("warehouse")
    response = client.post(
        url("return_action", number=rr.number, name="receive"),
        {f"receive_{line.id}": "2", f"serials_{line.id}": "sn-1-a\r\nSN-1-B\r\n", f"lot_{line.id}": "L-2026"},
        follow=True,
    )
    assert "Units received." in _text(response) and "to check" not in _text(response)
    assert list(ReceivedUnit.objects.values_list("serial_number", "serial_check", "lot_number")) == [
        ("SN-1-A", "matched", "L-2026"),
        ("SN-1-B", "matched", "L-2026"),
    ]
    page = _text(client.get(url("return", number=rr.number)))
    assert "SN-1-A: sold on this line, lot L-2026" in page and "To check:" not in page


def test_a_wrong_and_a_missing_serial_are_flagged_in_french_on_the_page_grading_and_history(
    signed_in, approved
):
    rr = approved()
    line = rr.lines.get()
    client = signed_in("warehouse")
    response = client.post(
        url("return_action", "fr", number=rr.number, name="receive"),
        {f"receive_{line.id}": "2", f"serials_{line.id}": "FAKE-1"},
        follow=True,
    )
    flash = _text(response)
    assert "2 unités de ce retour ont un numéro de série à vérifier" in flash
    assert ReturnRequest.objects.get(pk=rr.pk).status == "received"  # not held up
    page = _text(client.get(url("return", "fr", number=rr.number)))
    assert "À vérifier : FAKE-1 n’a pas été vendu sur cette ligne (attendu : SN-1-A, SN-1-B)" in page
    assert "1 unité est arrivée sans numéro de série (attendu : SN-1-A, SN-1-B)" in page
    assert "2 unités à vérifier" in page
    assert "Numéros de série vendus : SN-1-A, SN-1-B" in page
    assert "Numéros de série : 2 unités à vérifier" in page  # the grading form
    history = page.split("Historique")[1]
    assert "À contrôler — Phone 1 : FAKE-1 n’a pas été vendu sur cette ligne" in history


def test_a_serial_received_in_another_return_is_flagged_with_its_number(signed_in, approved, customer_actor):
    first = approved("1001")
    line = first.lines.get()
    return_receive(
        return_request=first,
        actor=customer_actor,
        lines=[{"id": line.id, "quantity": 2, "serial_numbers": ["SN-1-A"]}],
    )
    second = approved("1002")
    other = second.lines.get()
    client = signed_in("warehouse")
    client.post(
        url("return_action", number=second.number, name="receive"),
        {f"receive_{other.id}": "1", f"serials_{other.id}": "SN-1-A"},
    )
    page = _text(client.get(url("return", number=second.number)))
    assert f"To check: SN-1-A was already received in return {first.number}" in page


def test_the_same_serial_twice_in_the_form_is_refused_and_nothing_is_received(signed_in, approved):
    rr = approved()
    line = rr.lines.get()
    response = signed_in("warehouse").post(
        url("return_action", "fr", number=rr.number, name="receive"),
        {f"receive_{line.id}": "2", f"serials_{line.id}": "SN-1-A SN-1-A"},
        follow=True,
    )
    assert "Le numéro de série SN-1-A est scanné deux fois." in _text(response)
    line.refresh_from_db()
    assert line.received_quantity == 0 and not ReceivedUnit.objects.exists()


def test_another_stores_staff_cannot_receive_the_return(signed_in, approved):
    rr = approved()
    line = rr.lines.get()
    response = signed_in("outsider").post(
        url("return_action", number=rr.number, name="receive"),
        {f"receive_{line.id}": "2", f"serials_{line.id}": "SN-1-A"},
    )
    assert response.status_code in (403, 404)
    assert not ReceivedUnit.objects.exists()


def test_the_return_page_costs_the_same_queries_for_one_line_or_four(signed_in, approved, customer_actor):
    def received(number: str, lines: int) -> ReturnRequest:
        rr = approved(number, lines, prefix=f"S{number}")
        entries = [
            {"id": ln.id, "quantity": 2, "serial_numbers": [f"S{number}-{i}-A", f"WRONG-{number}-{i}"]}
            for i, ln in enumerate(rr.lines.order_by("id"), start=1)
        ]
        return_receive(return_request=rr, actor=customer_actor, lines=entries)
        return rr

    one, four = received("1001", 1), received("1002", 4)
    client = signed_in("admin")
    client.get(url("return", number=one.number))  # warm the session and caches
    with CaptureQueriesContext(connection) as one_page:
        client.get(url("return", number=one.number))
    with CaptureQueriesContext(connection) as four_page:
        page = _text(client.get(url("return", number=four.number)))
    assert page.count("To check:") == 4
    assert len(four_page) == len(one_page)
