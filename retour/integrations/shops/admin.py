from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import StoreScopedAdmin
from retour.core.errors import ValidationFailed
from retour.integrations.shops.models import Platform, ShopConnector, ShopOrder, ShopRefund
from retour.integrations.shops.services import connector_set


class ShopConnectorForm(forms.ModelForm):
    """Secrets are typed in, stored encrypted by connector_set, and never shown back: a blank
    secret keeps the one stored."""

    platform = forms.ChoiceField(label=_("platform"), choices=Platform.choices)
    shop = forms.CharField(
        label=_("shop address"),
        max_length=300,
        help_text=_("Shopify: NAME.myshopify.com. WooCommerce, PrestaShop: the site's https:// address."),
    )
    token = forms.CharField(
        label=_("access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Shopify: the Admin API access token. WooCommerce: the consumer secret. "
            "PrestaShop: the webservice key. Leave blank to keep the stored one."
        ),
    )
    consumer_key = forms.CharField(
        label=_("consumer key"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("WooCommerce only. Leave blank to keep the stored one."),
    )
    webhook_secret = forms.CharField(
        label=_("webhook secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Shopify: the app's API secret key. WooCommerce: the webhook's secret. "
            "Leave blank to keep the stored one."
        ),
    )

    class Meta:
        model = ShopConnector
        fields = ("store", "platform", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["shop"].initial = self.instance.shop_url

    def _values(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "store": data.get("store") or self.instance.store,
            "platform": data.get("platform") or self.instance.platform,
            "shop": data.get("shop"),
            "token": data.get("token") or None,
            "consumer_key": data.get("consumer_key") or None,
            "webhook_secret": data.get("webhook_secret") or None,
            "active": data.get("active"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("store") or getattr(self.instance, "store_id", None)) and not self.errors:
            try:
                with transaction.atomic():
                    connector_set(**self._values(data))
                    raise _DryRun
            except _DryRun:
                pass
            except ValidationFailed as exc:
                for error in exc.errors:
                    loc = error["loc"][0] if error.get("loc") else None
                    self.add_error(loc if loc in self.fields else None, str(error["message"]))
        return data

    def validate_unique(self) -> None:
        pass  # connector_set updates the store's connector to the platform when there is one


class _DryRun(Exception):
    pass


@admin.register(ShopConnector)
class ShopConnectorAdmin(StoreScopedAdmin):
    viewable_by = ("admin",)  # as in the API: connectors are the store admins' business
    form = ShopConnectorForm
    list_display = (
        "store",
        "platform",
        "shop_url",
        "active",
        "last_webhook_at",
        "last_success_at",
        "last_error_at",
        "last_synced_at",
    )
    list_filter = ("platform", "active")
    list_select_related = ("store",)
    readonly_fields = (
        "token_hint",
        "last_webhook_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "last_synced_at",
        "sync_state",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("store", "platform", *self.readonly_fields) if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = connector_set(**form._values(form.cleaned_data))
        obj.pk, obj.store_id = saved.pk, saved.store_id


@admin.register(ShopOrder)
class ShopOrderAdmin(StoreScopedAdmin):
    read_only = True
    list_display = ("received_at", "platform", "platform_id", "order", "platform_updated_at", "last_error")
    list_filter = ("platform", "store")
    search_fields = ("platform_id", "order__number")
    list_select_related = ("store", "order")


@admin.register(ShopRefund)
class ShopRefundAdmin(StoreScopedAdmin):
    read_only = True
    list_display = ("received_at", "platform", "platform_id", "order", "amount", "currency", "refunded_at")
    list_filter = ("platform", "store")
    search_fields = ("platform_id", "platform_order_id", "order__number")
    list_select_related = ("store", "order")
