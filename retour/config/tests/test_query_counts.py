"""SQL queries per request of the hot endpoints, pinned: a regression (a query more, or a
query per line) fails here, while the speed itself is measured by ``make bench``.

Each endpoint is counted on an order of 1 line and of 6 lines: the counts must be equal
(nothing per line) and equal to the pinned figure. On failure the queries are printed.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import order_payload
from retour.policies.catalogue import reason_catalogue
from retour.policies.models import Policy

pytestmark = pytest.mark.django_db

# The pinned figures. Lower them when an optimisation removes a query; never raise one
# without saying why in the commit.
PINNED = {
    "returnability": 3,  # key (with store and policy), order, lines with held units
    # the reasons come from the per-process catalogue; +1 since outgoing webhooks: the store's
    # active endpoints are looked up once for the return.created event (retour/core/events.py)
    "create_return": 10,
    "create_order": 11,  # the lines in one INSERT
    "order_detail": 3,
    # +1 since serial checks: the received units of the lines, with their serial and lot
    # numbers and flags (retour/returns/units.py), in one prefetch for all lines
    "return_detail": 9,
}


def _lines(n: int) -> list[dict]:
    return [
        {"ref": f"L{i}", "sku": f"SKU-{i}", "title": f"Item {i}", "quantity": 3, "unit_price": "20.00"}
        for i in range(n)
    ]


def _count(call) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], response


def _measure(api, n: int) -> dict[str, tuple[int, list[str]]]:
    counts: dict[str, tuple[int, list[str]]] = {}
    number = f"Q{n}"
    count, sql, response = _count(lambda: api.post("/api/v1/orders", order_payload(number, lines=_lines(n))))
    assert response.status_code == 201, response.content
    counts["create_order"] = (count, sql)
    api.get(f"/api/v1/orders/{number}/returnability")  # the key's last-used write happens once
    count, sql, response = _count(lambda: api.get(f"/api/v1/orders/{number}/returnability"))
    assert response.status_code == 200
    counts["returnability"] = (count, sql)
    count, sql, response = _count(lambda: api.get(f"/api/v1/orders/{number}"))
    assert response.status_code == 200
    counts["order_detail"] = (count, sql)
    line_ids = [ln["line_id"] for ln in api.get(f"/api/v1/orders/{number}/returnability").json()["lines"]]
    body = {
        "order_number": number,
        "lines": [{"line_id": i, "quantity": 1, "reason": "too_small"} for i in line_ids],
    }
    count, sql, response = _count(lambda: api.post("/api/v1/returns", body))
    assert response.status_code == 201, response.content
    counts["create_return"] = (count, sql)
    return_number = response.json()["number"]
    count, sql, response = _count(lambda: api.get(f"/api/v1/returns/{return_number}"))
    assert response.status_code == 200
    counts["return_detail"] = (count, sql)
    return counts


def test_hot_endpoints_cost_a_pinned_number_of_queries_whatever_the_lines(api, store):
    # the customer exists, the key's last-used time is fresh and this process has read the
    # store's reason catalogue (retour.policies.catalogue) in both measures
    assert api.post("/api/v1/orders", order_payload("W0")).status_code == 201
    reason_catalogue(Policy.objects.get(store=store))
    one, six = _measure(api, 1), _measure(api, 6)
    problems = []
    for name, pinned in PINNED.items():
        if one[name][0] != six[name][0] or one[name][0] != pinned:
            problems.append(
                f"{name}: {one[name][0]} queries with 1 line, {six[name][0]} with 6, pinned {pinned}\n  "
                + "\n  ".join(six[name][1])
            )
    assert not problems, "\n".join(problems)


def test_the_portal_order_page_costs_the_same_for_any_session(store, make_order):
    """Two shoppers' sessions on two orders: the page's count does not depend on the order."""
    counts = []
    for n in (1, 6):
        order = make_order(f"P{n}", lines=_lines(n))
        client = Client()
        found = client.post(
            f"/fr/portal/{store.slug}/", {"order_number": order.number, "contact": "alice@example.com"}
        )
        assert found.status_code == 302
        client.get(f"/fr/portal/{store.slug}/order/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/fr/portal/{store.slug}/order/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == PORTAL_ORDER_PAGE, counts


PORTAL_ORDER_PAGE = 8


def test_json_answers_are_json(api):
    """The renderer may change (orjson); the bytes stay JSON with the documented types."""
    response = api.post("/api/v1/orders", order_payload("J1"))
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["lines"][0]["unit_price"] == "20.00"
