from __future__ import annotations

from django.contrib import admin

from retour.core.admin import CUSTOMER_DATA_ROLES, ReadOnlyInline, StoreScopedAdmin
from retour.resolutions.models import Refund, StoreCreditAccount, StoreCreditEntry


@admin.register(Refund)
class RefundAdmin(StoreScopedAdmin):
    """Refunds are recorded by refund_issue only (never more than refundable); shown here."""

    read_only = True
    viewable_by = CUSTOMER_DATA_ROLES
    list_display = (
        "created_at",
        "return_request",
        "amount",
        "currency",
        "method",
        "status",
        "succeeded_at",
        "store",
    )
    list_filter = ("method", "status", "currency", "store")
    search_fields = (
        "return_request__number",
        "return_request__order__number",
        "idempotency_key",
        "provider_reference",
    )
    list_select_related = ("store", "return_request")
    date_hierarchy = "created_at"


class StoreCreditEntryInline(ReadOnlyInline):
    model = StoreCreditEntry
    viewable_by = CUSTOMER_DATA_ROLES
    fields = ("created_at", "amount", "kind", "refund", "note")


@admin.register(StoreCreditAccount)
class StoreCreditAccountAdmin(StoreScopedAdmin):
    """The balance is the sum of the ledger; both move through the resolution services only."""

    read_only = True
    viewable_by = CUSTOMER_DATA_ROLES
    list_display = ("customer", "currency", "balance", "store")
    list_filter = ("currency", "store")
    search_fields = ("customer__email", "customer__name")
    list_select_related = ("store", "customer")
    inlines = [StoreCreditEntryInline]


@admin.register(StoreCreditEntry)
class StoreCreditEntryAdmin(StoreScopedAdmin):
    store_path = "account__store"
    read_only = True
    viewable_by = CUSTOMER_DATA_ROLES
    list_display = ("created_at", "account", "amount", "kind", "refund", "note")
    list_filter = ("kind", "account__store")
    search_fields = ("account__customer__email", "note")
    list_select_related = ("account__customer", "refund")
    date_hierarchy = "created_at"
