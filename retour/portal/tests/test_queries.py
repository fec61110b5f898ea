"""The shopper's pages cost the same number of queries whatever the number of items."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from retour.core.actors import Actor
from retour.policies.catalogue import reason_catalogue
from retour.policies.models import Policy
from retour.portal.tests.conftest import url
from retour.returns.services import LineRequest, return_approve, return_create

pytestmark = pytest.mark.django_db


def _order_of(make_order, n: int):
    lines = [
        {"ref": f"L{i}", "sku": f"SKU-{i}", "title": f"Item {i}", "quantity": 2, "unit_price": "20.00"}
        for i in range(n)
    ]
    return make_order(f"10{n:02d}", lines=lines)


def _queries(make_order, staff_actor, n: int) -> dict[str, int]:
    """Queries of the order, review, status and slip pages for an order of ``n`` lines."""
    order = _order_of(make_order, n)
    # a running process has read the store's reason catalogue long ago (retour.policies.catalogue)
    reason_catalogue(Policy.objects.get(store=order.store))
    client = Client()
    found = client.post(
        url("start", store="shop"), {"order_number": order.number, "contact": "alice@example.com"}
    )
    assert found.status_code == 302
    counts = {}
    with CaptureQueriesContext(connection) as q:
        assert client.get(url("order", store="shop")).status_code == 200
    counts["order"] = len(q)
    chosen = {}
    for line in order.lines.all():
        chosen |= {f"qty_{line.id}": "1", f"reason_{line.id}": "too_small"}
    assert client.post(url("order", store="shop"), chosen).status_code == 302
    with CaptureQueriesContext(connection) as q:
        assert client.get(url("review", store="shop")).status_code == 200
    counts["review"] = len(q)
    rr = return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        channel="portal",
        resolution="refund",
        lines=[LineRequest(line.id, 1, "too_small") for line in order.lines.all()],
    )
    rr = return_approve(return_request=rr, actor=staff_actor)
    for page in ("status", "slip"):
        with CaptureQueriesContext(connection) as q:
            assert Client().get(url(page, token=rr.token)).status_code == 200
        counts[page] = len(q)
    return counts


def test_no_page_queries_once_per_item(make_order, staff_actor):
    one = _queries(make_order, staff_actor, 1)
    six = _queries(make_order, staff_actor, 6)

    assert six == one
