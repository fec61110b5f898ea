"""GET /api/v1/inventory: units that returns put back into stock, per SKU and location."""

from __future__ import annotations

import pytest

from retour.catalog.models import StockMovement
from retour.stores.models import Location

pytestmark = pytest.mark.django_db


def _move(store, sku: str, quantity: int, location: str = "main") -> None:
    loc = Location.objects.get_or_create(store=store, code=location, defaults={"name": location})[0]
    StockMovement.objects.create(
        store=store, location=loc, sku=sku, quantity=quantity, reason=StockMovement.Reason.ADJUSTMENT
    )


def test_an_empty_store_has_no_stock(api):
    assert api.get("/api/v1/inventory").json() == {"items": []}


def test_stock_is_the_sum_of_movements_per_sku_and_location(api, store):
    _move(store, "MUG", 2)
    _move(store, "MUG", -1)
    _move(store, "MUG", 3, "lyon")
    _move(store, "CAP", 1)
    assert api.get("/api/v1/inventory").json()["items"] == [
        {"sku": "CAP", "location": "main", "quantity": 1},
        {"sku": "MUG", "location": "lyon", "quantity": 3},
        {"sku": "MUG", "location": "main", "quantity": 1},
    ]


def test_stock_can_be_asked_for_one_sku(api, store):
    _move(store, "MUG", 2)
    _move(store, "CAP", 1)
    assert api.get("/api/v1/inventory", {"sku": "MUG"}).json() == {
        "items": [{"sku": "MUG", "location": "main", "quantity": 2}]
    }


def test_stock_is_one_query_however_many_rows(api, store, django_assert_max_num_queries):
    for n in range(30):
        _move(store, f"SKU-{n}", 1, "main" if n % 2 else "lyon")
    with django_assert_max_num_queries(3):  # key, last-used update, the aggregate
        assert len(api.get("/api/v1/inventory").json()["items"]) == 30


def test_another_stores_stock_is_not_shown(api, api_as, other_api_key, store):
    _move(store, "MUG", 2)
    assert api_as(other_api_key).get("/api/v1/inventory").json() == {"items": []}


def test_every_role_may_read_stock(api_as, api_key_agent, api_key_warehouse):
    assert api_as(api_key_agent).get("/api/v1/inventory").status_code == 200
    assert api_as(api_key_warehouse).get("/api/v1/inventory").status_code == 200


def test_stock_needs_a_key(api_as, store):
    assert api_as(None).get("/api/v1/inventory").status_code == 401
