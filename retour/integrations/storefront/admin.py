from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import StoreScopedAdmin
from retour.integrations.storefront.links import portal_link_secret_rotate
from retour.integrations.storefront.models import PortalLinkKey


@admin.register(PortalLinkKey)
class PortalLinkKeyAdmin(StoreScopedAdmin):
    """The secret of signed portal links: made (or replaced) here, shown once, never again."""

    list_display = ("store", "created_at")
    list_select_related = ("store",)
    fields = ("store", "created_at")
    actions = ["rotate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("created_at",) if obj is None else ("store", "created_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        secret = portal_link_secret_rotate(store=obj.store)
        key = PortalLinkKey.objects.get(store=obj.store)
        obj.pk, obj.secret, obj.created_at = key.pk, key.secret, key.created_at
        self.message_user(
            request,
            _("The new portal link secret, shown this once: %(secret)s") % {"secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Replace the secret (links signed with the old one stop working)"))
    def rotate(self, request: HttpRequest, queryset: Any) -> None:
        for key in queryset.select_related("store"):
            if self.has_change_permission(request, key):
                secret = portal_link_secret_rotate(store=key.store)
                self.message_user(
                    request,
                    _("The new portal link secret for %(store)s, shown this once: %(secret)s")
                    % {"store": key.store.slug, "secret": secret},
                    messages.WARNING,
                )
