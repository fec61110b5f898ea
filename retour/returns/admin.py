from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from retour.core.admin import (
    CUSTOMER_DATA_ROLES,
    ReadOnlyInline,
    StoreScopedAdmin,
    admin_roles,
    member_roles,
    run_service,
    staff_actor,
)
from retour.returns import services
from retour.returns.models import (
    ExchangeItem,
    Inspection,
    ReceivedUnit,
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    SlaTarget,
)

ACTING_ROLES = ("admin", "agent")


class ReturnActionForm(ActionForm):
    """The action bar, with a text box for the reason or note that goes with the action."""

    note = forms.CharField(
        required=False,
        label=_("Reason / note"),
        widget=forms.TextInput(attrs={"size": 40}),
        help_text=_("Sent to the customer with a rejection; recorded in the audit trail."),
    )


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = (
        "order_line",
        "reason",
        "right",
        "quantity",
        "approved_quantity",
        "received_quantity",
        "accepted_quantity",
        "unit_refund",
        "comment",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("order_line__order")


class ExchangeItemInline(ReadOnlyInline):
    model = ExchangeItem
    fields = ("order_line", "sku", "wish", "quantity")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("order_line__order")


class ToRefundFilter(admin.SimpleListFilter):
    """The 'to refund' queue: returns whose refund trigger is reached and money still owed."""

    title = _("money")
    parameter_name = "to_refund"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("To refund"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() != "yes":
            return queryset
        from retour.returns.selectors import returns_to_refund_ids
        from retour.stores.models import Store

        stores = Store.objects.filter(pk__in=queryset.values("store_id").distinct())
        ids = [pk for store in stores for pk in returns_to_refund_ids(store=store)]
        return queryset.filter(pk__in=ids)


class ReturnEventInline(ReadOnlyInline):
    model = ReturnEvent
    fields = ("at", "action", "from_status", "to_status", "actor_type", "actor_name", "data")
    ordering = ("at", "id")

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # A customer's actions are signed with their email, and the data may quote them.
        if self._parent()._sees_customers(request, obj):
            return self.fields
        return ("at", "action", "from_status", "to_status", "actor_type")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return self.get_fields(request, obj)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(StoreScopedAdmin):
    """Returns are shown, never edited: every move is an action that calls the lifecycle service
    (with its checks, its audit event and its email), exactly as the API does. The refunds
    inline and actions are added by ``retour.resolutions.admin`` (returns never import
    resolutions)."""

    read_only = True
    action_form = ReturnActionForm
    list_display = (
        "number",
        "store",
        "order",
        "customer",
        "status",
        "resolution",
        "right",
        "channel",
        "created_at",
        "refund_due_by",
    )
    list_filter = (
        ToRefundFilter,
        "status",
        "resolution",
        "right",
        "channel",
        "override",
        "is_withdrawal_statement",
        "store",
    )
    search_fields = ("number", "order__number", "customer__email", "customer__name", "tracking_number")
    list_select_related = ("store", "order", "customer")
    date_hierarchy = "created_at"
    readonly_fields = ("status_page",)
    inlines = [ReturnLineInline, ExchangeItemInline, ReturnEventInline]
    actions = ["approve", "reject", "cancel", "close"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if not self._sees_customers(request, obj):  # nor the customer's status page
            return [f.name for f in ReturnRequest._meta.fields if f.name not in ("id", "token", "customer")]
        names = [f.name for f in ReturnRequest._meta.fields if f.name not in ("id", "token")]
        return [*names, "status_page"]

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = super().get_list_display(request)
        return shown if self._sees_customers(request) else [n for n in shown if n != "customer"]

    def _sees_customers(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Warehouse staff see a return's number and goods, not who the customer is."""
        if request.user.is_superuser:
            return True
        roles = admin_roles(request)
        if obj is not None:
            return roles.get(self._store_id(obj) or 0) in CUSTOMER_DATA_ROLES
        return all(role in CUSTOMER_DATA_ROLES for role in roles.values())

    @admin.display(description=_("Status page"))
    def status_page(self, obj: ReturnRequest) -> Any:
        from retour.notifications.services import status_url

        url = status_url(obj)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def has_act_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or any(r in ACTING_ROLES for r in member_roles(request).values())

    def _act(
        self,
        request: HttpRequest,
        queryset: Any,
        verb: Any,
        service: Any,
        note_as: str = "note",
        **kwargs: Any,
    ) -> None:
        """Run ``service`` on each selected return the user may act on, as that user; the text
        typed in the action bar's box goes in as ``note_as``."""
        roles = member_roles(request)
        rows = [rr for rr in queryset if request.user.is_superuser or roles.get(rr.store_id) in ACTING_ROLES]
        note = request.POST.get("note", "").strip()
        run_service(
            self,
            request,
            rows,
            verb,
            lambda rr: service(
                return_request=rr, actor=staff_actor(request, rr.store_id), **{note_as: note}, **kwargs
            ),
        )

    @admin.action(description=_("Approve the selected returns"), permissions=["act"])
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        self._act(request, queryset, _("Returns approved"), services.return_approve)

    @admin.action(
        description=_("Reject the selected returns (give the reason in the box)"), permissions=["act"]
    )
    def reject(self, request: HttpRequest, queryset: Any) -> None:
        self._act(request, queryset, _("Returns rejected"), services.return_reject, note_as="reason")

    @admin.action(description=_("Cancel the selected returns"), permissions=["act"])
    def cancel(self, request: HttpRequest, queryset: Any) -> None:
        self._act(request, queryset, _("Returns cancelled"), services.return_cancel)

    @admin.action(description=_("Close the selected returns (all lines resolved)"), permissions=["act"])
    def close(self, request: HttpRequest, queryset: Any) -> None:
        self._act(request, queryset, _("Returns closed"), services.return_close)


@admin.register(SlaTarget)
class SlaTargetAdmin(StoreScopedAdmin):
    """How long a return may wait in each stage before the staff work list marks it late."""

    list_display = ("store", "stage", "hours")
    list_filter = ("store", "stage")


@admin.register(ReturnEvent)
class ReturnEventAdmin(StoreScopedAdmin):
    """The audit trail: never added, changed or deleted by hand."""

    read_only = True
    list_display = ("at", "return_request", "action", "from_status", "to_status", "actor_type", "actor_name")
    list_filter = ("action", "to_status", "actor_type", "store")
    search_fields = ("return_request__number", "actor_name", "action")
    list_select_related = ("return_request",)
    date_hierarchy = "at"


@admin.register(ReturnLine)
class ReturnLineAdmin(StoreScopedAdmin):
    store_path = "return_request__store"
    read_only = True
    list_display = (
        "return_request",
        "order_line",
        "reason",
        "right",
        "quantity",
        "approved_quantity",
        "received_quantity",
        "accepted_quantity",
        "unit_refund",
    )
    list_filter = ("reason", "right", "return_request__status", "return_request__store")
    search_fields = ("return_request__number", "order_line__sku", "order_line__order__number")
    list_select_related = ("return_request", "order_line__order")


@admin.register(Inspection)
class InspectionAdmin(StoreScopedAdmin):
    store_path = "return_line__return_request__store"
    read_only = True
    list_display = (
        "created_at",
        "return_line",
        "quantity",
        "condition",
        "disposition",
        "accepted",
        "deduction",
        "location",
    )
    list_filter = ("condition", "disposition", "accepted", "return_line__return_request__store")
    search_fields = ("return_line__return_request__number", "return_line__order_line__sku")
    list_select_related = ("return_line__return_request", "return_line__order_line", "location__store")


@admin.register(ReceivedUnit)
class ReceivedUnitAdmin(StoreScopedAdmin):
    """Where a serial or lot number went: the units received with them, flagged or not."""

    read_only = True
    list_display = (
        "received_at",
        "return_line",
        "serial_number",
        "lot_number",
        "quantity",
        "serial_check",
        "sold_on",
        "earlier_return",
        "location",
    )
    list_filter = ("serial_check", "store")
    search_fields = ("serial_number", "lot_number", "return_line__return_request__number")
    list_select_related = (
        "return_line__return_request",
        "return_line__order_line",
        "earlier_return",
        "location",
    )


@admin.register(ExchangeItem)
class ExchangeItemAdmin(StoreScopedAdmin):
    store_path = "return_request__store"
    read_only = True
    list_display = ("return_request", "order_line", "sku", "wish", "quantity")
    search_fields = ("return_request__number", "sku", "wish")
    list_select_related = ("return_request", "order_line__order")


@admin.register(ReturnPhoto)
class ReturnPhotoAdmin(StoreScopedAdmin):
    store_path = "return_request__store"
    read_only = True
    list_display = ("preview", "return_request", "return_line", "source", "width", "height", "created_at")
    list_filter = ("source",)
    search_fields = ("return_request__number",)
    list_select_related = ("return_request", "return_line__return_request", "return_line__order_line")

    @admin.display(description=_("Photo"))
    def preview(self, obj: ReturnPhoto) -> Any:
        if not obj.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" style="max-height:60px">', obj.thumbnail.url)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser  # personal data: may have to be erased on request
