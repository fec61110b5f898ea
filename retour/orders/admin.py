from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import CUSTOMER_DATA_ROLES, ReadOnlyInline, StoreScopedAdmin
from retour.orders.models import Customer, Order, OrderLine


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "ref",
        "sku",
        "title",
        "quantity",
        "unit_price",
        "discount",
        "delivered_quantity",
        "delivered_at",
        "final_sale",
        "returnable",
        "legal_exclusion",
        "category",
        "serial_numbers",
        "lot_number",
    )


@admin.register(Order)
class OrderAdmin(StoreScopedAdmin):
    """Orders come from the shop (API or import) through order_upsert, which keeps lines consistent
    with the returns made on them; here they are shown, not edited."""

    read_only = True
    viewable_by = CUSTOMER_DATA_ROLES  # names, addresses: not for warehouse staff
    list_display = (
        "number",
        "store",
        "customer",
        "channel",
        "placed_at",
        "delivered_at",
        "ship_country",
        "is_business",
    )
    list_filter = (
        "channel",
        "is_business",
        "ship_country",
        "store",
        ("delivered_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("number", "external_id", "customer__email", "customer__name", "ship_postal_code")
    list_select_related = ("store", "customer")
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]
    readonly_fields = ("returns_link",)

    @admin.display(description=_("Returns"))
    def returns_link(self, obj: Order) -> Any:
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse("admin:returns_returnrequest_changelist") + f"?order__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.returns.count())

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [f.name for f in Order._meta.fields if f.name != "id"] + ["returns_link"]


@admin.register(OrderLine)
class OrderLineAdmin(StoreScopedAdmin):
    store_path = "order__store"
    read_only = True
    list_display = (
        "order",
        "ref",
        "sku",
        "title",
        "quantity",
        "delivered_quantity",
        "unit_price",
        "final_sale",
        "returnable",
        "legal_exclusion",
    )
    list_filter = ("final_sale", "returnable", "legal_exclusion", "order__store")
    search_fields = ("order__number", "sku", "title", "lot_number")
    list_select_related = ("order",)


@admin.register(Customer)
class CustomerAdmin(StoreScopedAdmin):
    viewable_by = CUSTOMER_DATA_ROLES  # names, addresses: not for warehouse staff
    editable_by = ("admin", "agent")  # contact details and language only
    list_display = ("email", "name", "language", "phone", "store", "created_at")
    list_filter = ("language", "store")
    search_fields = ("email", "name", "phone")
    list_select_related = ("store",)
    readonly_fields = ("store", "email", "created_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # customers arrive with their orders

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
