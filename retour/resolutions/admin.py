from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import CUSTOMER_DATA_ROLES, ReadOnlyInline, StoreScopedAdmin
from retour.core.errors import ValidationFailed
from retour.orders.models import PaymentProvider
from retour.resolutions.models import (
    PaymentProviderConfig,
    PaymentWebhookEvent,
    Refund,
    StoreCreditAccount,
    StoreCreditCode,
    StoreCreditEntry,
)
from retour.resolutions.payments.services import payment_provider_set
from retour.resolutions.services import refund_issue
from retour.returns.admin import ReturnRequestAdmin
from retour.returns.models import ReturnRequest


class RefundInline(ReadOnlyInline):
    model = Refund
    viewable_by = CUSTOMER_DATA_ROLES  # warehouse staff see no refunds
    fields = (
        "created_at",
        "amount",
        "currency",
        "method",
        "status",
        "succeeded_at",
        "failure_reason",
        "note",
    )
    readonly_fields = ("failure_reason",)

    @admin.display(description=_("failure reason"))
    def failure_reason(self, obj: Refund) -> str:
        return obj.failure_reason or "—"


class ReturnWithRefundsAdmin(ReturnRequestAdmin):
    """The returns admin with the refunds inline and actions. Registered in place of
    ReturnRequestAdmin because refunds are resolutions, which build on returns (returns
    never import resolutions); retour.resolutions comes after retour.returns in INSTALLED_APPS."""

    inlines = [*ReturnRequestAdmin.inlines[:-1], RefundInline, *ReturnRequestAdmin.inlines[-1:]]
    actions = [*ReturnRequestAdmin.actions, "refund_original", "refund_store_credit", "refund_manual"]

    def _refund(self, request: HttpRequest, queryset: Any, method: str) -> None:
        self._act(request, queryset, _("Refunds recorded"), refund_issue, method=method)

    @admin.action(description=_("Refund what is refundable, to the original payment"), permissions=["act"])
    def refund_original(self, request: HttpRequest, queryset: Any) -> None:
        self._refund(request, queryset, "original_payment")

    @admin.action(description=_("Refund what is refundable, as store credit"), permissions=["act"])
    def refund_store_credit(self, request: HttpRequest, queryset: Any) -> None:
        self._refund(request, queryset, "store_credit")

    @admin.action(description=_("Record a manual refund of what is refundable"), permissions=["act"])
    def refund_manual(self, request: HttpRequest, queryset: Any) -> None:
        self._refund(request, queryset, "manual")


admin.site.unregister(ReturnRequest)
admin.site.register(ReturnRequest, ReturnWithRefundsAdmin)


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
        "provider",
        "succeeded_at",
        "failure_reason",
        "store",
    )
    # the raw provider error may quote a key: the failure reason is shown masked instead
    exclude = ("last_error",)
    readonly_fields = ("failure_reason",)
    list_filter = ("method", "status", "provider", "currency", "store")
    search_fields = (
        "return_request__number",
        "return_request__order__number",
        "idempotency_key",
        "provider_reference",
    )
    list_select_related = ("store", "return_request")
    date_hierarchy = "created_at"

    @admin.display(description=_("failure reason"))
    def failure_reason(self, obj: Refund) -> str:
        return obj.failure_reason or "—"


class StoreCreditEntryInline(ReadOnlyInline):
    model = StoreCreditEntry
    viewable_by = CUSTOMER_DATA_ROLES
    fields = ("created_at", "amount", "kind", "code", "refund", "note")


@admin.register(StoreCreditCode)
class StoreCreditCodeAdmin(StoreScopedAdmin):
    """Codes are issued with store-credit refunds and moved by the redeem / void API and the expiry sweep."""

    read_only = True
    viewable_by = CUSTOMER_DATA_ROLES
    list_display = ("code", "account", "amount", "balance", "currency", "status", "expires_at", "store")
    list_filter = ("status", "currency", "store")
    search_fields = ("code", "account__customer__email")
    list_select_related = ("store", "account__customer")


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


class PaymentProviderForm(forms.ModelForm):
    """Secrets are typed in, stored encrypted by payment_provider_set, and never shown back:
    a blank secret keeps the one stored."""

    provider = forms.ChoiceField(label=_("payment provider"), choices=PaymentProvider.choices)
    secret_key = forms.CharField(
        label=_("secret key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stripe sk_… or rk_…, Mollie test_… or live_…. Leave blank to keep the stored key."),
    )
    webhook_secret = forms.CharField(
        label=_("webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave blank to keep the stored secret."),
    )

    class Meta:
        model = PaymentProviderConfig
        fields = ("store", "provider")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        store = data.get("store") or getattr(self.instance, "store", None)
        if store is not None and not self.errors:
            try:
                with transaction.atomic():
                    payment_provider_set(
                        store=store,
                        provider=data["provider"],
                        secret_key=data.get("secret_key") or None,
                        webhook_secret=data.get("webhook_secret") or None,
                    )
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationFailed as exc:
                for error in exc.errors:
                    field = error["loc"][0] if error.get("loc") and error["loc"][0] in self.fields else None
                    self.add_error(field, str(error["message"]))
        return data


class _DryRun(Exception):
    pass


@admin.register(PaymentProviderConfig)
class PaymentProviderConfigAdmin(StoreScopedAdmin):
    form = PaymentProviderForm
    list_display = ("store", "provider", "secret_key_hint", "updated_at")
    list_select_related = ("store",)
    readonly_fields = ("secret_key_hint", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("store", *self.readonly_fields) if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = payment_provider_set(
            store=form.cleaned_data.get("store") or obj.store,
            provider=form.cleaned_data["provider"],
            secret_key=form.cleaned_data.get("secret_key") or None,
            webhook_secret=form.cleaned_data.get("webhook_secret") or None,
        )
        obj.pk, obj.store_id = saved.pk, saved.store_id


@admin.register(PaymentWebhookEvent)
class PaymentWebhookEventAdmin(StoreScopedAdmin):
    read_only = True
    list_display = ("received_at", "provider", "event_id", "kind", "store")
    list_filter = ("provider", "store")
    search_fields = ("event_id",)
    list_select_related = ("store",)
