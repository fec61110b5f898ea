"""Serial and lot numbers on order lines: POST /api/v1/orders and ``retour import orders``."""

from __future__ import annotations

import pytest

from retour.orders.importer import orders_import
from retour.orders.models import OrderLine
from retour.orders.tests.helpers import line_body, order_body

pytestmark = pytest.mark.django_db


def _phones(serials=None, lot=None, quantity: int = 2, ref: str = "P1") -> dict:
    extra = {}
    if serials is not None:
        extra["serial_numbers"] = serials
    if lot is not None:
        extra["lot_number"] = lot
    return line_body(ref, sku="PHONE-128", quantity=quantity, unit_price="499.00", **extra)


def _errors(response) -> dict[tuple, str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    return {tuple(e["loc"]): e["code"] for e in body["errors"]}


def test_an_order_line_keeps_its_serials_in_capitals_and_its_lot(api):
    body = order_body(lines=[_phones(["sn-001", " SN-002 "], lot="LOT-2026/07")])
    response = api.post("/api/v1/orders", body)
    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert line["serial_numbers"] == ["SN-001", "SN-002"]
    assert line["lot_number"] == "LOT-2026/07"
    stored = OrderLine.objects.get()
    assert stored.serial_numbers == ["SN-001", "SN-002"] and stored.lot_number == "LOT-2026/07"


def test_a_line_without_serials_answers_an_empty_list_and_no_lot(api):
    line = api.post("/api/v1/orders", order_body()).json()["lines"][0]
    assert line["serial_numbers"] == [] and line["lot_number"] is None


def test_fewer_serials_than_units_are_accepted(api):
    response = api.post("/api/v1/orders", order_body(lines=[_phones(["SN-1"], quantity=3)]))
    assert response.status_code == 201


def test_more_serials_than_units_are_refused(api):
    errors = _errors(api.post("/api/v1/orders", order_body(lines=[_phones(["A1", "A2", "A3"])])))
    assert errors == {("lines", 0, "serial_numbers"): "serial_numbers_exceed_quantity"}
    assert not OrderLine.objects.exists()


def test_a_serial_twice_on_a_line_is_refused_whatever_its_case(api):
    errors = _errors(api.post("/api/v1/orders", order_body(lines=[_phones(["ab-1", "AB-1"])])))
    assert errors == {("lines", 0, "serial_numbers"): "duplicate_serial_number"}


def test_a_serial_on_two_lines_of_the_order_is_refused(api):
    body = order_body(lines=[_phones(["SN-1"], ref="P1"), _phones(["SN-1"], ref="P2")])
    errors = _errors(api.post("/api/v1/orders", body))
    assert errors == {("lines",): "duplicate_serial_number"}


@pytest.mark.parametrize("serial", ["", "SN 1", "SN#1", "-SN1", "é123", "S" * 65])
def test_a_malformed_serial_is_refused_at_its_place(api, serial):
    errors = _errors(api.post("/api/v1/orders", order_body(lines=[_phones(["GOOD-1", serial])])))
    assert errors == {("lines", 0, "serial_numbers", 1): "invalid_serial_number"}


def test_a_serial_of_64_characters_is_accepted(api):
    response = api.post("/api/v1/orders", order_body(lines=[_phones(["S" * 64])]))
    assert response.status_code == 201


@pytest.mark.parametrize("lot", ["LOT 1", "L" * 65, "#1"])
def test_a_malformed_lot_is_refused(api, lot):
    errors = _errors(api.post("/api/v1/orders", order_body(lines=[_phones(lot=lot)])))
    assert set(errors.values()) <= {"invalid_lot_number", "string_too_long"}
    assert list(errors) == [("lines", 0, "lot_number")]


def test_the_refusal_is_in_french_for_a_french_reader(api_as, api_key_admin):
    api = api_as(api_key_admin, language="fr")
    response = api.post("/api/v1/orders", order_body(lines=[_phones(["A1", "A2", "A3"])]))
    [error] = response.json()["errors"]
    assert "numéros de série" in error["message"]


def test_a_repost_without_serials_keeps_them_and_an_empty_list_clears_them(api):
    api.post("/api/v1/orders", order_body(lines=[_phones(["SN-1", "SN-2"], lot="L1")]))
    kept = api.post("/api/v1/orders", order_body(lines=[_phones()]))
    assert kept.status_code == 200
    assert kept.json()["lines"][0]["serial_numbers"] == ["SN-1", "SN-2"]
    assert kept.json()["lines"][0]["lot_number"] == "L1"
    cleared = api.post("/api/v1/orders", order_body(lines=[_phones([], lot="")])).json()
    assert cleared["lines"][0]["serial_numbers"] == [] and cleared["lines"][0]["lot_number"] is None


def test_a_repost_with_fewer_units_than_the_kept_serials_is_refused(api):
    api.post("/api/v1/orders", order_body(lines=[_phones(["SN-1", "SN-2"])]))
    errors = _errors(api.post("/api/v1/orders", order_body(lines=[_phones(quantity=1)])))
    assert errors == {("lines", 0, "quantity"): "serial_numbers_exceed_quantity"}
    assert OrderLine.objects.get().quantity == 2


def test_a_repost_giving_a_kept_serial_to_another_line_is_refused(api):
    api.post("/api/v1/orders", order_body(lines=[_phones(["SN-1"], ref="P1"), _phones(ref="P2")]))
    body = order_body(lines=[_phones(ref="P1"), _phones(["SN-1"], ref="P2")])
    errors = _errors(api.post("/api/v1/orders", body))
    assert set(errors.values()) == {"duplicate_serial_number"}
    assert OrderLine.objects.get(ref="P2").serial_numbers == []


def test_the_same_serial_may_be_sold_by_two_stores(api, api_as, other_api_key):
    body = order_body(lines=[_phones(["SN-1"])])
    assert api.post("/api/v1/orders", body).status_code == 201
    assert api_as(other_api_key).post("/api/v1/orders", body).status_code == 201


# Importer ------------------------------------------------------------------------------------------

HEADER = "number,placed_at,currency,email,ref,sku,quantity,unit_price,serial_numbers,lot"


def _import(store, tmp_path, *rows: str):
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return orders_import(store=store, path=path)


def test_a_csv_gives_serials_separated_by_bars_and_a_lot(store, tmp_path):
    summary = _import(
        store, tmp_path, "1001,2026-07-01T10:00:00+02:00,EUR,a@example.com,P1,PHONE,2,499,sn-1|SN-2,B-7"
    )
    assert summary.imported == 1 and summary.rejected == []
    line = OrderLine.objects.get()
    assert line.serial_numbers == ["SN-1", "SN-2"] and line.lot_number == "B-7"


def test_a_csv_row_with_bad_serials_is_rejected_with_its_line_and_reason(store, tmp_path):
    summary = _import(
        store,
        tmp_path,
        "1001,2026-07-01T10:00:00+02:00,EUR,a@example.com,P1,PHONE,1,499,SN-1|SN-2,",
        "1002,2026-07-01T10:00:00+02:00,EUR,b@example.com,P1,PHONE,1,499,SN#3,",
        "1003,2026-07-01T10:00:00+02:00,EUR,c@example.com,P1,PHONE,1,499,SN-9,",
    )
    assert summary.imported == 1
    reasons = {r.number: " ".join(r.reasons) for r in summary.rejected}
    assert "serial_numbers (line 2)" in reasons["1001"] and "at most one per unit" in reasons["1001"]
    assert "serial_numbers.0 (line 3)" in reasons["1002"] and "letters, digits" in reasons["1002"]


def test_an_empty_serials_cell_keeps_what_the_order_has(store, tmp_path):
    _import(store, tmp_path, "1001,2026-07-01T10:00:00+02:00,EUR,a@example.com,P1,PHONE,2,499,SN-1|SN-2,L")
    summary = _import(store, tmp_path, "1001,2026-07-01T10:00:00+02:00,EUR,a@example.com,P1,PHONE,2,499,,")
    assert summary.updated == 1
    assert OrderLine.objects.get().serial_numbers == ["SN-1", "SN-2"]


def test_a_jsonl_order_carries_its_serials_like_the_api(store, tmp_path):
    import json

    path = tmp_path / "orders.jsonl"
    path.write_text(
        json.dumps(order_body(lines=[_phones(["x-1", "x-2"], lot="L9")])) + "\n", encoding="utf-8"
    )
    summary = orders_import(store=store, path=path)
    assert summary.imported == 1
    assert OrderLine.objects.get().serial_numbers == ["X-1", "X-2"]
