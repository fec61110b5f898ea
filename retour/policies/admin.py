from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from retour.core.admin import StoreScopedAdmin
from retour.core.errors import ValidationFailed
from retour.policies.models import Policy, ReturnReason
from retour.policies.services import POLICY_FIELDS, policy_update


class _DryRun(Exception):
    pass


class PolicyForm(forms.ModelForm):
    """Checked by policy_update itself (in a savepoint that is rolled back), so the rules live in one place."""

    class Meta:
        model = Policy
        fields = sorted(POLICY_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        changes = {name: data[name] for name in self.changed_data if name in data}
        if self.instance.pk and changes and not self.errors:
            try:
                with transaction.atomic():
                    policy_update(store=self.instance.store, changes=changes)
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationFailed as exc:
                for error in exc.errors:
                    field = error["loc"][0] if error.get("loc") and error["loc"][0] in self.fields else None
                    self.add_error(field, str(error["message"]))
        return data


@admin.register(Policy)
class PolicyAdmin(StoreScopedAdmin):
    form = PolicyForm
    list_display = (
        "store",
        "window_days",
        "window_starts",
        "restocking_fee_percent",
        "return_shipping_fee",
        "refund_trigger",
        "auto_approve",
        "apply_statutory_rights",
        "updated_at",
    )
    list_filter = ("window_starts", "refund_trigger", "auto_approve", "apply_statutory_rights")
    search_fields = ("store__slug", "store__name")
    list_select_related = ("store",)
    readonly_fields = ("store", "updated_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # every store gets its policy when it is created

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in POLICY_FIELDS}
        if changes:
            policy_update(store=obj.store, changes=changes)


@admin.register(ReturnReason)
class ReturnReasonAdmin(StoreScopedAdmin):
    list_display = (
        "code",
        "label_en",
        "label_fr",
        "seller_fault",
        "requires_photo",
        "position",
        "active",
        "store",
    )
    list_editable = ("position", "active")
    list_filter = ("active", "seller_fault", "requires_photo", "store")
    search_fields = ("code", "label_en", "label_fr")
    list_select_related = ("store",)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # returns refer to reasons by code: deactivate instead

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("store", "code") if obj else ()
