from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import CUSTOMER_DATA_ROLES, StoreScopedAdmin
from retour.notifications.models import Notification
from retour.notifications.services import notification_retry


@admin.register(Notification)
class NotificationAdmin(StoreScopedAdmin):
    """The outbox, read-only: rows are written with the change and sent by the worker."""

    read_only = True
    viewable_by = CUSTOMER_DATA_ROLES  # customers' addresses and what they were told
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "language",
        "status",
        "attempts",
        "sent_at",
        "next_attempt_at",
        "return_request",
        "store",
    )
    list_filter = ("status", "kind", "language", "channel", "store")
    search_fields = ("recipient", "subject", "return_request__number", "last_error")
    list_select_related = ("store", "return_request")
    date_hierarchy = "created_at"
    actions = ["retry"]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or "admin" in set(self._roles(request))

    def _roles(self, request: HttpRequest) -> Any:
        from retour.core.admin import member_roles

        return member_roles(request).values()

    @admin.action(description=_("Try sending the failed notifications again"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        count = sum(
            notification_retry(notification=n) for n in queryset.filter(status=Notification.Status.FAILED)
        )
        self.message_user(request, _("Queued again: %(count)s") % {"count": count}, messages.SUCCESS)
