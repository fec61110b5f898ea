"""Order bodies and orders for tests, built through the real service."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from retour.orders.models import Order
from retour.orders.schemas import OrderIn
from retour.orders.selectors import order_get
from retour.orders.services import order_upsert

BASE_BODY: dict[str, Any] = {
    "number": "1001",
    "external_id": "shop-1001",
    "channel": "web",
    "placed_at": "2026-07-01T10:00:00+02:00",
    "currency": "EUR",
    "is_business": False,
    "customer": {
        "email": "Alice@Example.com",
        "name": "Alice Martin",
        "phone": "+33612345678",
        "language": "fr",
    },
    "shipping_address": {
        "name": "Alice Martin",
        "line1": "1 rue de Rivoli",
        "city": "Paris",
        "postal_code": "75001",
        "country": "FR",
        "subdivision": None,
    },
    "shipping": {"amount": "9.90", "standard_amount": "4.90"},
    "delivered_at": "2026-07-03T15:00:00+02:00",
    "lines": [
        {
            "ref": "L1",
            "sku": "TSHIRT-M",
            "title": "T-shirt M",
            "quantity": 2,
            "unit_price": "20.00",
            "discount": "0.00",
            "category": "apparel",
            "tags": ["summer"],
            "final_sale": False,
            "returnable": True,
            "legal_exclusion": None,
            "delivered_quantity": 2,
            "delivered_at": None,
        },
    ],
}


def order_body(**overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(BASE_BODY)
    body.update(overrides)
    return body


def line_body(
    ref: str, *, sku: str | None = None, quantity: int = 1, unit_price: str = "10.00", **extra: Any
) -> dict:
    return {
        "ref": ref,
        "sku": sku or ref,
        "title": f"Item {ref}",
        "quantity": quantity,
        "unit_price": unit_price,
        **extra,
    }


def recent_body(
    *, days_ago: int = 5, number: str = "1001", lines: list[dict] | None = None, **overrides: Any
) -> dict:
    """An order delivered ``days_ago`` days ago (placed two days before)."""
    delivered = timezone.now() - timedelta(days=days_ago)
    fields = {
        "number": number,
        "placed_at": _iso(delivered - timedelta(days=2)),
        "delivered_at": _iso(delivered),
        "lines": lines if lines is not None else copy.deepcopy(BASE_BODY["lines"]),
    }
    return order_body(**{**fields, **overrides})


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def create_order(store: Any, body: dict[str, Any] | None = None, **overrides: Any) -> Order:
    """An order of ``store`` made through ``order_upsert``, lines prefetched."""
    data = OrderIn.model_validate(body if body is not None else recent_body(**overrides))
    order, _ = order_upsert(store=store, data=data)
    return order_get(store=store, number=order.number)


def post_return(api: Any, order: Order, *lines: tuple[str, int, str], **extra: Any) -> Any:
    """POST /api/v1/returns for ``(ref, quantity, reason)`` lines of ``order``; the response."""
    ids = {line.ref: line.id for line in order.lines.all()}
    body = {
        "order_number": order.number,
        "lines": [{"line_id": ids[ref], "quantity": qty, "reason": reason} for ref, qty, reason in lines],
        **extra,
    }
    return api.post("/api/v1/returns", body)


def new_return(api: Any, order: Order, *lines: tuple[str, int, str], **extra: Any) -> dict[str, Any]:
    """A return created through the API (asserting 201); its JSON."""
    response = post_return(api, order, *lines, **extra)
    assert response.status_code == 201, response.content
    return response.json()


def act(
    api: Any, number: str, action: str, body: dict[str, Any] | None = None, expect: int | None = 200
) -> dict:
    """POST /api/v1/returns/{number}/{action}; asserts the status when ``expect`` is given."""
    response = api.post(f"/api/v1/returns/{number}/{action}", body or {})
    if expect is not None:
        assert response.status_code == expect, response.content
    return response.json()


def line_quantities(answer: dict[str, Any], quantity: int | None = None) -> list[dict[str, int]]:
    """``[{"id", "quantity"}]`` for every line of a return answer (default: its approved units)."""
    return [
        {"id": ln["id"], "quantity": quantity if quantity is not None else ln["approved_quantity"]}
        for ln in answer["lines"]
    ]


def inspect_all(
    answer: dict[str, Any],
    *,
    condition: str = "like_new",
    disposition: str = "restock",
    accepted: bool = True,
) -> dict[str, Any]:
    """An inspect body grading every received unit (at least one per line, for refusal tests)."""
    return {
        "lines": [
            {
                "id": ln["id"],
                "quantity": max(ln["received_quantity"], 1),
                "condition": condition,
                "disposition": disposition,
                "accepted": accepted,
            }
            for ln in answer["lines"]
        ]
    }
