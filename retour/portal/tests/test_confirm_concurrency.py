"""Issue 10 item 8: four parallel posts of one confirm form make one return (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from retour.portal.tests.conftest import url
from retour.returns.models import ReturnRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_parallel_confirms_of_one_draft_make_one_return(store, make_order):
    order = make_order("1001", lines=[{"ref": "L1", "sku": "S", "quantity": 2, "unit_price": "10.00"}])
    line = order.lines.get()
    shopper = Client()
    shopper.post(url("start", store="shop"), {"order_number": "1001", "contact": "alice@example.com"})
    shopper.post(url("order", store="shop"), {f"qty_{line.id}": "1", f"reason_{line.id}": "too_small"})
    key = shopper.session[f"portal:{store.pk}:draft"]["key"]
    cookies = shopper.cookies

    barrier = threading.Barrier(4)
    answers: list[object] = []
    lock = threading.Lock()

    def post() -> None:
        client = Client()
        client.cookies = cookies
        try:
            barrier.wait()
            response: object = client.post(
                url("review", store="shop"), {"resolution": "refund", "draft_key": key}
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            response = exc
        finally:
            connection.close()
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert len(answers) == 4
    rr = ReturnRequest.objects.get(order=order)
    assert [getattr(a, "status_code", a) for a in answers] == [302] * 4
    assert {a["Location"] for a in answers} == {url("status", token=rr.token)}  # type: ignore[index]
