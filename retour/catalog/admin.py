from __future__ import annotations

from django.contrib import admin

from retour.catalog.models import Product, StockMovement
from retour.core.admin import StoreScopedAdmin


@admin.register(Product)
class ProductAdmin(StoreScopedAdmin):
    list_display = ("sku", "title", "group", "options", "category", "price", "active", "store")
    list_filter = ("active", "category", "store")
    search_fields = ("sku", "title", "group")
    list_select_related = ("store",)
    list_per_page = 100


@admin.register(StockMovement)
class StockMovementAdmin(StoreScopedAdmin):
    """The stock is the sum of its movements: they are written by inspection and exchanges only."""

    read_only = True
    list_display = ("created_at", "sku", "quantity", "location", "reason", "return_line", "store")
    list_filter = ("reason", "location", "store")
    search_fields = ("sku", "return_line__return_request__number")
    list_select_related = (
        "store",
        "location",
        "location__store",
        "return_line__return_request",
        "return_line__order_line",
    )
    date_hierarchy = "created_at"
