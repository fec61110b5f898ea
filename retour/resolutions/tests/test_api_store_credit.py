"""GET /api/v1/customers/{email}/store-credit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from retour.orders.models import Customer
from retour.orders.tests.helpers import create_order, order_body
from retour.resolutions.credit import credit_ledger_add
from retour.resolutions.services import store_credit_account

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/alice@example.com/store-credit"


def _credit(store, amount: str, currency: str = "EUR") -> None:
    account = store_credit_account(store=store, customer=Customer.objects.get(store=store), currency=currency)
    credit_ledger_add(account, Decimal(amount), "adjustment", timezone.now())


def test_a_customer_without_credit_has_a_zero_balance_in_the_store_currency(api, store):
    create_order(store, order_body())
    assert api.get(URL).json() == {
        "email": "alice@example.com",
        "currency": "EUR",
        "balance": "0.00",
        "accounts": [],
    }


def test_the_balance_is_the_sum_of_the_ledger(api, store):
    create_order(store, order_body())
    _credit(store, "12.50")
    _credit(store, "-2.5")
    assert api.get(URL).json()["balance"] == "10.00"


def test_the_email_is_matched_whatever_its_case(api, store):
    create_order(store, order_body())
    _credit(store, "5")
    assert api.get("/api/v1/customers/ALICE@Example.com/store-credit").json()["balance"] == "5.00"


def test_credit_in_another_currency_is_listed_apart(api, store):
    create_order(store, order_body())
    _credit(store, "5")
    _credit(store, "700", "JPY")
    body = api.get(URL).json()
    assert body["balance"] == "5.00"
    assert body["accounts"] == [{"currency": "EUR", "balance": "5.00"}, {"currency": "JPY", "balance": "700"}]


def test_an_unknown_customer_is_404(api, store):
    response = api.get(URL)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_customer_of_another_store_is_404(api_as, other_api_key, store):
    create_order(store, order_body())
    assert api_as(other_api_key).get(URL).status_code == 404


def test_admin_and_agent_keys_read_store_credit_but_not_warehouse_keys(
    api_as, api_key_agent, api_key_warehouse, store
):
    create_order(store, order_body())
    assert api_as(api_key_agent).get(URL).status_code == 200
    refused = api_as(api_key_warehouse).get(URL)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_store_credit_needs_a_key(api_as, store):
    assert api_as(None).get(URL).status_code == 401
