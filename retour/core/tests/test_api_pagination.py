"""Cursor pagination: ?limit= (default 50, max 200) and ?cursor=, answer {items, next_cursor}."""

from __future__ import annotations

import pytest

from retour.orders.tests.helpers import create_order, recent_body

pytestmark = pytest.mark.django_db


def _orders(store, count: int) -> None:
    for n in range(count):
        create_order(store, recent_body(number=f"{2000 + n}"))


def _walk(api, path: str, **params) -> tuple[list[dict], int]:
    items, pages, cursor = [], 0, None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = api.get(path, query).json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_pages_cover_every_item_once_newest_first(api, store):
    _orders(store, 7)
    items, pages = _walk(api, "/api/v1/orders", limit=3)
    numbers = [o["number"] for o in items]
    assert pages == 3
    assert numbers == [str(2000 + n) for n in reversed(range(7))]


def test_the_last_page_has_no_next_cursor(api, store):
    _orders(store, 2)
    body = api.get("/api/v1/orders", {"limit": 2}).json()
    assert len(body["items"]) == 2 and body["next_cursor"] is None


def test_the_default_limit_is_50(api, store):
    _orders(store, 51)
    body = api.get("/api/v1/orders").json()
    assert len(body["items"]) == 50 and body["next_cursor"]


@pytest.mark.parametrize("limit", [0, 201, "many"])
def test_a_limit_outside_1_to_200_is_refused(api, limit):
    response = api.get("/api/v1/orders", {"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["limit"]


@pytest.mark.parametrize("cursor", ["garbage!", "bm90IGpzb24", "WzFd", "WyJ4IiwgMV0"])
def test_a_forged_cursor_is_refused(api, store, cursor):
    _orders(store, 1)
    response = api.get("/api/v1/orders", {"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_cursor"


def test_rows_added_meanwhile_do_not_shift_the_next_page(api, store):
    _orders(store, 4)
    first = api.get("/api/v1/orders", {"limit": 2}).json()
    create_order(store, recent_body(number="9999"))
    second = api.get("/api/v1/orders", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [o["number"] for o in second["items"]] == ["2001", "2000"]
