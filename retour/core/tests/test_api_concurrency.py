"""Parallel requests with one Idempotency-Key create one thing (PostgreSQL: real concurrency)."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from retour.orders.models import Order
from retour.orders.tests.helpers import create_order, line_body, order_body, recent_body
from retour.returns.models import ReturnRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _parallel_posts(n: int, key: str, path: str, body: dict, idempotency_key: str) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(n)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            response = Client().post(
                path,
                json.dumps(body),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key}",
                HTTP_IDEMPOTENCY_KEY=idempotency_key,
            )
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_parallel_order_posts_with_one_key_create_one_order(api_key_admin):
    results = _parallel_posts(8, api_key_admin, "/api/v1/orders", order_body(), "same-order")
    assert len(results) == 8
    assert {status for status, _ in results} == {201}
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1
    assert Order.objects.count() == 1


def test_parallel_return_posts_with_one_key_create_one_return(store, api_key_admin):
    order = create_order(store, recent_body(lines=[line_body("A", quantity=5)]))
    body = {
        "order_number": order.number,
        "lines": [{"line_id": order.lines.get().id, "quantity": 1, "reason": "too_small"}],
    }
    results = _parallel_posts(8, api_key_admin, "/api/v1/returns", body, "same-return")
    assert len(results) == 8
    assert {status for status, _ in results} == {201}
    assert len({body["number"] for _, body in results}) == 1
    assert ReturnRequest.objects.count() == 1
