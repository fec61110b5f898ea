from __future__ import annotations

from django.contrib import admin

from retour.core.admin import StoreScopedAdmin
from retour.integrations.inbound.models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(StoreScopedAdmin):
    """What came in by email: read-only evidence (unmatched emails are the superuser's)."""

    read_only = True
    list_display = ("received_at", "sender", "subject", "status", "return_request", "note")
    list_filter = ("status",)
    search_fields = ("sender", "subject", "email_id")
    list_select_related = ("return_request",)
    date_hierarchy = "received_at"
