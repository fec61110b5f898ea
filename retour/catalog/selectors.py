"""Reads for the catalogue and stock."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum

from retour.catalog.models import StockMovement
from retour.stores.models import Store


def stock_levels(*, store: Store, sku: str | None = None) -> list[dict[str, Any]]:
    """Units per SKU and location code: the sum of the stock movements, in one query."""
    movements = StockMovement.objects.filter(store=store)
    if sku:
        movements = movements.filter(sku=sku)
    rows = (
        movements.values("sku", "location__code")
        .annotate(quantity=Sum("quantity"))
        .order_by("sku", "location__code")
    )
    return [
        {"sku": row["sku"], "location": row["location__code"], "quantity": row["quantity"]} for row in rows
    ]
