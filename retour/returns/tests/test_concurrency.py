"""Real parallel requests on PostgreSQL: row locks must let exactly one through."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from retour.core.actors import Actor
from retour.core.errors import DomainError
from retour.resolutions.models import Refund
from retour.resolutions.services import refund_issue
from retour.returns.models import ReturnRequest
from retour.returns.services import LineRequest, return_approve, return_create, return_inspect, return_receive

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
STAFF = Actor(type="user", name="staff", role="admin")


def _race(n: int, work) -> list[object]:
    """Run ``work`` in ``n`` threads released together; collect results or exceptions."""
    barrier = threading.Barrier(n)
    results: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait()
            outcome: object = work()
        except DomainError as exc:
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_twelve_parallel_full_refunds_let_exactly_one_through(store, make_order):
    order = make_order(lines=[{"ref": "L1", "sku": "S", "quantity": 1, "unit_price": "50.00"}])
    rr = return_create(order=order, actor=STAFF, lines=[LineRequest(order.lines.get().id, 1, "changed_mind")])
    return_approve(return_request=rr, actor=STAFF)
    line = rr.lines.get()
    return_receive(return_request=rr, actor=STAFF, lines=[{"id": line.id, "quantity": 1}])
    return_inspect(
        return_request=rr,
        actor=STAFF,
        entries=[
            {"id": line.id, "quantity": 1, "condition": "new", "disposition": "restock", "accepted": True}
        ],
    )
    amount = "50.00"

    results = _race(12, lambda: refund_issue(return_request=rr, actor=STAFF, method="manual", amount=amount))
    assert sum(isinstance(r, Refund) for r in results) == 1
    assert all(
        getattr(r, "code", None) in (None, "refund_exceeds_refundable", "invalid_transition") for r in results
    )
    assert Refund.objects.filter(return_request=rr).count() == 1


def test_ten_parallel_requests_for_the_last_units_let_exactly_one_through(store, make_order):
    order = make_order(lines=[{"ref": "L1", "sku": "S", "quantity": 3, "unit_price": "10.00"}])
    line = order.lines.get()
    return_create(order=order, actor=STAFF, lines=[LineRequest(line.id, 1, "changed_mind")])

    results = _race(
        10, lambda: return_create(order=order, actor=STAFF, lines=[LineRequest(line.id, 2, "changed_mind")])
    )
    assert sum(isinstance(r, ReturnRequest) for r in results) == 1
    assert {getattr(r, "code", "ok") for r in results} <= {"ok", "not_returnable"}
    assert sum(ReturnRequest.objects.filter(order=order).values_list("lines__quantity", flat=True)) == 3
