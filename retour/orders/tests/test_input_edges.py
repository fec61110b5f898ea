"""Bad input refused at the edge with a clear 422 (issue 9, items 2, 3 and 4): dates outside what
the consumer-law engine can compute, amounts that would overflow a refund or a credit later, and
NUL characters, which PostgreSQL cannot store (SQLite can: both answer alike now)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from retour.core.limits import EARLIEST_DAY, LATEST_DAY, MAX_AMOUNT, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from retour.legal.calendars import MAX_DAY, MIN_DAY
from retour.orders.models import Order, OrderLine
from retour.orders.tests.helpers import act, create_order, line_body, new_return, post_return, recent_body
from retour.resolutions.models import Refund, StoreCreditAccount, StoreCreditEntry
from retour.returns.models import ReturnRequest

pytestmark = pytest.mark.django_db


def _refused(response, loc: list, code: str) -> dict:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error"
    assert {"loc": loc, "code": code} in [{"loc": e["loc"], "code": e["code"]} for e in body["errors"]], body
    return body


# item 2: dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("delivered_at", "1989-12-31T12:00:00+00:00"),
        ("delivered_at", "2100-01-01T12:00:00+00:00"),
        ("placed_at", "0001-01-01T00:00:00+00:00"),
        ("withdrawal_info_given_on", "0001-01-01"),
        ("withdrawal_info_given_on", "9999-12-31"),
    ],
)
def test_an_order_date_outside_the_supported_range_is_refused(api, field, value):
    response = api.post("/api/v1/orders", recent_body(**{field: value}))
    body = _refused(response, [field], "date_out_of_range")
    assert "2000-01-01" in body["errors"][0]["message"]
    assert not Order.objects.exists()


def test_a_line_delivery_date_outside_the_range_is_refused(api):
    lines = [line_body("A", delivered_at="1900-05-01T10:00:00+01:00")]
    _refused(
        api.post("/api/v1/orders", recent_body(lines=lines)),
        ["lines", 0, "delivered_at"],
        "date_out_of_range",
    )


def test_the_edge_range_lies_inside_what_the_law_engine_computes():
    assert MIN_DAY < EARLIEST_DAY and LATEST_DAY < MAX_DAY


def test_an_order_stored_with_an_impossible_date_answers_a_domain_error_not_a_500(api, store):
    """Orders stored before the API checked dates: the engine's refusal is a handled 422."""
    order = create_order(store, recent_body(lines=[line_body("A", quantity=2)]))
    Order.objects.filter(pk=order.pk).update(
        withdrawal_info_given=False, withdrawal_info_given_on=date(1, 1, 1)
    )
    response = api.get(f"/api/v1/orders/{order.number}/returnability")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "legal_input_invalid"
    response = post_return(api, Order.objects.get(pk=order.pk), ("A", 1, "too_small"))
    assert response.status_code == 422 and response.json()["code"] == "legal_input_invalid"
    assert not ReturnRequest.objects.exists()


# item 3: amounts -------------------------------------------------------------------------------


def test_the_amount_limit_is_what_the_columns_hold():
    assert MAX_AMOUNT == Decimal(10 ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)) - 1
    field = OrderLine._meta.get_field("unit_price")
    assert (field.max_digits, field.decimal_places) == (MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES)
    assert Refund._meta.get_field("amount").max_digits == MONEY_MAX_DIGITS


def test_a_line_whose_price_times_quantity_passes_the_limit_is_refused(api):
    lines = [line_body("A", quantity=2, unit_price="999999999")]
    _refused(
        api.post("/api/v1/orders", recent_body(lines=lines)), ["lines", 0, "unit_price"], "amount_too_large"
    )
    assert not Order.objects.exists()


def test_an_order_whose_total_passes_the_limit_is_refused(api):
    lines = [line_body("A", unit_price="600000000"), line_body("B", unit_price="500000000")]
    body = recent_body(lines=lines, currency="VND")
    _refused(api.post("/api/v1/orders", body), [], "amount_too_large")


def test_an_order_at_the_limit_refunds_and_credits_without_overflow(api, store):
    """Two units at half the limit, store credit with a 100 % bonus: the return is inspected,
    credited (twice the limit on the balance) and completes."""
    assert api.put("/api/v1/policy", {"store_credit_bonus_percent": "100"}).status_code == 200
    half = str(MAX_AMOUNT // 2)
    body = recent_body(lines=[line_body("A", quantity=2, unit_price=half)], shipping={"amount": "0.00"})
    order = create_order(store, body)
    answer = new_return(api, order, ("A", 2, "too_small"), resolution="store_credit")
    act(api, answer["number"], "approve")
    received = act(
        api, answer["number"], "receive", {"lines": [{"id": answer["lines"][0]["id"], "quantity": 2}]}
    )
    entry = {"id": received["lines"][0]["id"], "quantity": 2, "condition": "new", "disposition": "restock"}
    inspected = act(api, answer["number"], "inspect", {"lines": [{**entry, "accepted": True}]})
    assert inspected["status"] == "completed"
    paid = Decimal(half) * 2
    assert Refund.objects.get().amount == paid
    assert StoreCreditAccount.objects.get().balance == paid * 2
    assert StoreCreditEntry.objects.count() == 2
    credit = api.get("/api/v1/customers/alice@example.com/store-credit")
    assert credit.status_code == 200 and Decimal(credit.json()["balance"]) == paid * 2


def test_a_refund_amount_above_the_limit_is_refused_at_the_edge(api, store):
    order = create_order(store, recent_body(lines=[line_body("A")]))
    answer = new_return(api, order, ("A", 1, "too_small"))
    act(api, answer["number"], "approve")
    response = api.post(f"/api/v1/returns/{answer['number']}/refunds", {"method": "manual", "amount": "1e12"})
    _refused(response, ["amount"], "less_than_equal")


# item 4: NUL characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        (("number",), ["number"]),
        (("customer", "name"), ["customer", "name"]),
        (("customer", "email"), ["customer", "email"]),
        (("lines", 0, "sku"), ["lines", 0, "sku"]),
        (("lines", 0, "tags"), ["lines", 0, "tags"]),
    ],
)
def test_a_nul_in_any_text_of_an_order_is_refused(api, path, loc):
    body = recent_body(lines=[line_body("A", tags=["summer"])])
    holder = body
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = ["sum\x00mer"] if path[-1] == "tags" else f"{holder[path[-1]]}\x00x"
    _refused(api.post("/api/v1/orders", body), loc, "null_character")
    assert not Order.objects.exists()


def test_a_nul_in_a_return_body_is_refused(api, store):
    order = create_order(store, recent_body(lines=[line_body("A")]))
    line_id = order.lines.get().id
    body = {
        "order_number": order.number,
        "lines": [{"line_id": line_id, "quantity": 1, "reason": "too\x00small"}],
    }
    _refused(api.post("/api/v1/returns", body), ["lines", 0, "reason"], "null_character")
    body = {"order_number": "1001\x00", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small"}]}
    _refused(api.post("/api/v1/returns", body), ["order_number"], "null_character")
    answer = new_return(api, order, ("A", 1, "too_small"))
    response = api.post(f"/api/v1/returns/{answer['number']}/reject", {"reason": "no\x00"})
    _refused(response, ["reason"], "null_character")
    assert ReturnRequest.objects.get().status == "requested"


@pytest.mark.parametrize(
    ("url", "loc"),
    [
        ("/api/v1/orders/10%0001", ["path"]),
        ("/api/v1/orders/10%0001/returnability", ["path"]),
        ("/api/v1/returns/R-%00", ["path"]),
        ("/api/v1/customers/a%00b@example.com/store-credit", ["path"]),
        ("/api/v1/returns?order_number=1%0001", ["query", "order_number"]),
        ("/api/v1/returns?status=requested&cursor=%00", ["query", "cursor"]),
        ("/api/v1/inventory?sku=MUG%00", ["query", "sku"]),
        ("/api/v1/legal/withdrawal?country=FR%00&delivered_on=2026-07-03", ["query", "country"]),
    ],
)
def test_a_nul_in_a_path_or_query_parameter_is_refused(api, store, url, loc):
    _refused(api.client.get(url, **api._headers(None)), loc, "null_character")


def test_a_nul_in_a_page_query_is_a_bad_request(client, store):
    response = client.get("/portal/shop/?order=1%00")
    assert response.status_code == 400


def test_a_nul_in_the_api_key_is_unauthenticated(api_as, store):
    response = api_as("abc\x00def").get("/api/v1/orders")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_moments_keep_their_offset(api):
    """The range check reads the UTC day; it does not change what is stored."""
    assert (
        api.post("/api/v1/orders", recent_body(delivered_at="2026-07-03T00:30:00+02:00")).status_code == 201
    )
    assert Order.objects.get().delivered_at == datetime.fromisoformat("2026-07-02T22:30:00+00:00")


def test_a_nul_in_the_idempotency_key_is_refused(api):
    response = api.post("/api/v1/orders", recent_body(), headers={"Idempotency-Key": "k\x00"})
    _refused(response, ["header", "Idempotency-Key"], "null_character")
    assert not Order.objects.exists()
