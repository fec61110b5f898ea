"""Webhook endpoints in the admin: store admins add, change, enable and remove them; everyone
of the store sees their health and the delivery log, and may replay a delivery."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import ReadOnlyInline, StoreScopedAdmin, member_roles, run_service
from retour.core.events import EVENT_TYPES
from retour.integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from retour.integrations.webhooks.selectors import _with_health
from retour.integrations.webhooks.services import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_update,
    webhook_url_refusal,
)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=1000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("event types"),
        choices=[(t, t) for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("store", "url", "description", "events")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = webhook_url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal["message"], code=refusal["code"])
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(StoreScopedAdmin):
    form = WebhookEndpointForm
    list_display = (
        "url",
        "store",
        "status",
        "last_success_at",
        "last_failure_at",
        "last_error",
        "next_retry",
        "consecutive_failures",
    )
    list_filter = ("status", "store")
    search_fields = ("url", "description")
    list_select_related = ("store",)
    actions = ["enable"]
    health = (
        "status",
        "last_success_at",
        "last_failure_at",
        "last_error",
        "next_retry",
        "consecutive_failures",
        "failing_since",
        "disabled_at",
        "disabled_reason",
        "created_at",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return _with_health(super().get_queryset(request))

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        base = ("store", "url", "description", "events")
        return base if obj is None else base + self.health

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return () if obj is None else ("store", *self.health)

    @admin.display(description=_("next retry"))
    def next_retry(self, obj: WebhookEndpoint) -> Any:
        return getattr(obj, "next_retry_at", None) or "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        events = list(form.cleaned_data["events"])
        if change:
            webhook_endpoint_update(endpoint=obj, url=obj.url, events=events, description=obj.description)
            return
        endpoint, secret = webhook_endpoint_create(
            store=obj.store, url=obj.url, events=events, description=obj.description
        )
        obj.pk, obj.created_at, obj.secret = endpoint.pk, endpoint.created_at, endpoint.secret
        self.message_user(
            request,
            _("The signing secret, shown this once: %(secret)s") % {"secret": secret},
            messages.WARNING,
        )

    @admin.action(description=_("Enable the selected endpoints"))
    def enable(self, request: HttpRequest, queryset: Any) -> None:
        allowed = [e for e in queryset if self.has_change_permission(request, e)]
        run_service(self, request, allowed, _("Enabled"), lambda e: webhook_endpoint_enable(endpoint=e))


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "succeeded", "error", "response", "duration_ms")
    ordering = ("at", "id")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(StoreScopedAdmin):
    """The delivery log: written by the worker only; a replay sends one again."""

    store_path = "endpoint__store"
    read_only = True
    list_display = (
        "event_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "message__type")
    search_fields = ("message__event_id", "endpoint__url")
    list_select_related = ("message", "endpoint")
    inlines = [WebhookAttemptInline]
    actions = ["replay"]
    date_hierarchy = "created_at"

    @admin.display(description=_("event id"))
    def event_id(self, obj: WebhookDelivery) -> str:
        return obj.message.event_id

    @admin.display(description=_("event type"))
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.message.type

    def get_actions(self, request: HttpRequest) -> Any:
        # the class is read-only for editing, but replaying is open to the store's admins
        return admin.ModelAdmin.get_actions(self, request)

    @admin.action(description=_("Send the selected deliveries again"))
    def replay(self, request: HttpRequest, queryset: Any) -> None:
        roles = member_roles(request)
        allowed = [
            d
            for d in queryset.select_related("endpoint")
            if request.user.is_superuser or roles.get(d.endpoint.store_id) == "admin"
        ]
        run_service(self, request, allowed, _("Queued again"), lambda d: webhook_delivery_replay(delivery=d))
