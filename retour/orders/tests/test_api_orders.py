"""POST/GET /api/v1/orders: the contract's order body, create-or-update by number."""

from __future__ import annotations

import pytest

from retour.core.actors import Actor
from retour.orders.models import Customer, Order, OrderLine
from retour.orders.tests.helpers import create_order, line_body, order_body, recent_body
from retour.returns.services import LineRequest, return_create

pytestmark = pytest.mark.django_db

STAFF = Actor(type="user", name="staff", role="admin")


def _errors(response) -> dict[tuple, str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {tuple(e["loc"]): e["code"] for e in response.json()["errors"]}


# Create -----------------------------------------------------------------------------------------


def test_posting_a_new_order_creates_it_and_answers_201_with_line_ids(api):
    response = api.post("/api/v1/orders", order_body())
    assert response.status_code == 201
    body = response.json()
    line = OrderLine.objects.get()
    assert body["number"] == "1001" and body["currency"] == "EUR"
    assert body["lines"][0]["id"] == line.id
    assert body["lines"][0]["paid_total"] == "40.00"
    assert body["lines"][0]["unit_price"] == "20.00" and body["lines"][0]["discount"] == "0.00"
    assert body["shipping"] == {"amount": "9.90", "standard_amount": "4.90"}
    assert body["customer"]["email"] == "alice@example.com"
    assert body["placed_at"].startswith("2026-07-01T08:00:00")
    assert body["placed_at"].endswith(("Z", "+00:00"))


def test_paid_total_is_price_times_quantity_minus_discount(api):
    body = order_body(lines=[line_body("A", quantity=3, unit_price="19.99", discount="5.00")])
    line = api.post("/api/v1/orders", body).json()["lines"][0]
    assert line["paid_total"] == "54.97"


def test_money_accepts_numbers_and_strings_and_is_rounded_to_the_currency(api):
    body = order_body(lines=[line_body("A", unit_price=12.5), line_body("B", unit_price="7.125")])
    lines = api.post("/api/v1/orders", body).json()["lines"]
    assert [ln["unit_price"] for ln in lines] == ["12.50", "7.13"]


def test_a_currency_without_decimals_has_none_in_money_strings(api):
    body = order_body(currency="jpy", lines=[line_body("A", unit_price="1500")], shipping={"amount": "500"})
    answer = api.post("/api/v1/orders", body).json()
    assert answer["currency"] == "JPY"
    assert answer["lines"][0]["unit_price"] == "1500"
    assert answer["shipping"]["amount"] == "500"


def test_ref_defaults_to_the_sku(api):
    body = order_body(lines=[{"sku": "MUG", "quantity": 1, "unit_price": "8.00"}])
    assert api.post("/api/v1/orders", body).json()["lines"][0]["ref"] == "MUG"


def test_delivered_quantity_defaults_to_quantity_once_delivered_else_zero(api):
    delivered = api.post("/api/v1/orders", order_body(lines=[line_body("A", quantity=3)])).json()
    pending = api.post(
        "/api/v1/orders", order_body(number="1002", delivered_at=None, lines=[line_body("A", quantity=3)])
    ).json()
    line_delivered = order_body(
        number="1003",
        delivered_at=None,
        lines=[line_body("A", quantity=2, delivered_at="2026-07-05T10:00:00+02:00")],
    )
    own_date = api.post("/api/v1/orders", line_delivered).json()
    assert delivered["lines"][0]["delivered_quantity"] == 3
    assert pending["lines"][0]["delivered_quantity"] == 0
    assert own_date["lines"][0]["delivered_quantity"] == 2


def test_the_customer_is_found_by_email_and_updated(api):
    api.post("/api/v1/orders", order_body())
    renamed = order_body(number="1002", customer={"email": "ALICE@example.com", "name": "Alice M."})
    api.post("/api/v1/orders", renamed)
    customer = Customer.objects.get()
    assert customer.name == "Alice M." and customer.phone == "+33612345678" and customer.language == "fr"
    assert Order.objects.filter(customer=customer).count() == 2


def test_the_subdivision_is_derived_from_the_postal_code_when_absent(api):
    address = {"line1": "1 rue Serpenoise", "city": "Metz", "postal_code": "57000", "country": "fr"}
    answer = api.post("/api/v1/orders", order_body(shipping_address=address)).json()
    assert answer["shipping_address"]["country"] == "FR"
    assert answer["shipping_address"]["subdivision"] == "57"


def test_a_given_subdivision_is_kept(api):
    address = {"city": "Madrid", "postal_code": "28001", "country": "ES", "subdivision": "md"}
    answer = api.post("/api/v1/orders", order_body(shipping_address=address)).json()
    assert answer["shipping_address"]["subdivision"] == "MD"


# Update -----------------------------------------------------------------------------------------


def test_posting_an_existing_number_updates_it_and_answers_200(api):
    first = api.post("/api/v1/orders", order_body()).json()
    body = order_body(
        external_id="new-id",
        lines=[
            {**order_body()["lines"][0], "title": "T-shirt M (blue)"},
            line_body("L2", sku="CAP", quantity=1, unit_price="15.00"),
        ],
    )
    response = api.post("/api/v1/orders", body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["external_id"] == "new-id"
    assert [ln["ref"] for ln in answer["lines"]] == ["L1", "L2"]
    assert answer["lines"][0]["id"] == first["lines"][0]["id"]
    assert answer["lines"][0]["title"] == "T-shirt M (blue)"
    assert Order.objects.count() == 1


def test_lines_left_out_of_an_update_are_removed(api):
    api.post("/api/v1/orders", order_body(lines=[line_body("A"), line_body("B")]))
    answer = api.post("/api/v1/orders", order_body(lines=[line_body("B")])).json()
    assert [ln["ref"] for ln in answer["lines"]] == ["B"]


def test_the_currency_of_an_order_cannot_change(api):
    api.post("/api/v1/orders", order_body())
    response = api.post("/api/v1/orders", order_body(currency="USD"))
    assert _errors(response) == {("currency",): "currency_mismatch"}
    assert Order.objects.get().currency == "EUR"


def test_a_line_in_a_return_cannot_drop_below_its_returned_units(api, store):
    order = create_order(store, recent_body(lines=[line_body("A", quantity=3)]))
    return_create(order=order, actor=STAFF, lines=[LineRequest(order.lines.get().id, 2, "too_small")])
    shrunk = recent_body(lines=[line_body("A", quantity=1)])
    assert _errors(api.post("/api/v1/orders", shrunk)) == {
        ("lines", 0, "quantity"): "below_units_in_returns",
        ("lines", 0, "delivered_quantity"): "below_units_in_returns",
    }
    assert OrderLine.objects.get().quantity == 3
    assert api.post("/api/v1/orders", recent_body(lines=[line_body("A", quantity=2)])).status_code == 200


def test_a_line_in_a_return_cannot_be_removed(api, store):
    order = create_order(store, recent_body(lines=[line_body("A"), line_body("B")]))
    return_create(order=order, actor=STAFF, lines=[LineRequest(order.lines.get(ref="A").id, 1, "too_small")])
    response = api.post("/api/v1/orders", recent_body(lines=[line_body("B")]))
    assert _errors(response) == {("lines",): "line_in_return"}
    assert OrderLine.objects.count() == 2


def test_the_same_number_in_another_store_is_another_order(api, api_as, other_api_key):
    api.post("/api/v1/orders", order_body())
    assert api_as(other_api_key).post("/api/v1/orders", order_body()).status_code == 201
    assert Order.objects.count() == 2


# Validation -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "loc", "code"),
    [
        ({"channel": "fax"}, ("channel",), "enum"),
        ({"currency": "EURO"}, ("currency",), "invalid_currency"),
        ({"placed_at": "2026-07-01T10:00:00"}, ("placed_at",), "timezone_aware"),
        ({"lines": []}, ("lines",), "too_short"),
        ({"customer": {"email": "alice"}}, ("customer", "email"), "invalid_email"),
        ({"shipping": {"amount": "-1"}}, ("shipping", "amount"), "greater_than_equal"),
        ({"shipping": {"amount": "abc"}}, ("shipping", "amount"), "decimal_parsing"),
        ({"shipping_address": {"country": "France"}}, ("shipping_address", "country"), "invalid_country"),
        ({"shipping_address": {"country": "XX"}}, ("shipping_address", "country"), "invalid_country"),
    ],
)
def test_an_order_that_does_not_fit_the_contract_is_refused(api, change, loc, code):
    assert _errors(api.post("/api/v1/orders", order_body(**change))) == {loc: code}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("line", "loc", "code"),
    [
        ({"quantity": 0}, ("lines", 0, "quantity"), "greater_than_equal"),
        ({"delivered_quantity": 3}, ("lines", 0, "delivered_quantity"), "delivered_exceeds_quantity"),
        ({"discount": "40.01"}, ("lines", 0, "discount"), "discount_exceeds_price"),
        ({"unit_price": "-5"}, ("lines", 0, "unit_price"), "greater_than_equal"),
        ({"legal_exclusion": "fragile"}, ("lines", 0, "legal_exclusion"), "enum"),
        ({"sku": ""}, ("lines", 0, "sku"), "string_too_short"),
    ],
)
def test_a_line_that_does_not_fit_is_refused_with_its_place(api, line, loc, code):
    body = order_body()
    body["lines"][0].update(line)
    assert _errors(api.post("/api/v1/orders", body)) == {loc: code}


def test_two_lines_with_the_same_ref_are_refused(api):
    body = order_body(lines=[line_body("A", sku="X"), line_body("A", sku="Y")])
    assert _errors(api.post("/api/v1/orders", body)) == {("lines",): "duplicate_ref"}


def test_a_legal_exclusion_is_kept(api):
    body = order_body(lines=[line_body("A", legal_exclusion="sealed_hygiene")])
    assert api.post("/api/v1/orders", body).json()["lines"][0]["legal_exclusion"] == "sealed_hygiene"


# Read -------------------------------------------------------------------------------------------


def test_get_answers_the_order(api, store):
    create_order(store, order_body())
    body = api.get("/api/v1/orders/1001").json()
    assert body["number"] == "1001" and len(body["lines"]) == 1


def test_a_missing_order_is_404(api):
    assert api.get("/api/v1/orders/nope").json()["code"] == "not_found"


def test_an_order_of_another_store_is_404(api_as, other_api_key, store):
    create_order(store, order_body())
    response = api_as(other_api_key).get("/api/v1/orders/1001")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_order_list_has_only_the_stores_orders(api, api_as, other_api_key, store, other_store):
    create_order(store, order_body())
    create_order(other_store, order_body(number="2002"))
    assert [o["number"] for o in api.get("/api/v1/orders").json()["items"]] == ["1001"]


def test_the_order_list_does_not_query_per_order(api, store, django_assert_max_num_queries):
    for n in range(20):
        create_order(store, recent_body(number=str(3000 + n), lines=[line_body("A"), line_body("B")]))
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/orders").json()["items"]) == 20


# Access -----------------------------------------------------------------------------------------


def test_no_key_is_401(api_as):
    assert api_as(None).post("/api/v1/orders", order_body()).status_code == 401
    assert api_as(None).get("/api/v1/orders/1001").status_code == 401


def test_agents_may_post_orders(api_as, api_key_agent):
    assert api_as(api_key_agent).post("/api/v1/orders", order_body()).status_code == 201


def test_a_warehouse_key_may_read_but_not_post_orders(api_as, api_key_warehouse, store):
    create_order(store, order_body())
    warehouse = api_as(api_key_warehouse)
    response = warehouse.post("/api/v1/orders", order_body(external_id="changed"))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Order.objects.get().external_id == "shop-1001"
    assert warehouse.get("/api/v1/orders/1001").status_code == 200
