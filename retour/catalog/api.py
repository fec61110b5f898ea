"""/api/v1/inventory: the units returns have put back into stock."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from retour.catalog.selectors import stock_levels
from retour.core.api import api_store, require_role
from retour.stores.models import Role

router = Router(tags=["stock"])


class StockLevelOut(Schema):
    sku: str
    location: str = Field(..., description="The location's code; every store has `main`")
    quantity: int


class InventoryOut(Schema):
    items: list[StockLevelOut]


@router.get("/inventory", response=InventoryOut, summary="Stock per SKU and location")
def inventory_endpoint(request: HttpRequest, sku: str | None = None) -> dict[str, Any]:
    require_role(request, Role.ADMIN, Role.AGENT, Role.WAREHOUSE)
    return {"items": stock_levels(store=api_store(request), sku=sku or None)}
