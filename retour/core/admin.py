"""The Django admin as the interim back office.

``StoreScopedAdmin`` gives staff the rows of the stores they are members of (superusers see
everything), with rights from their store role rather than Django's model permissions:
every member may look, store admins may change the configuration. Models whose rows are only
ever written by services (returns, refunds, ledgers, events, the outbox) are read-only here;
their changes go through admin actions that call the same services as the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.actors import Actor
from retour.core.errors import DomainError
from retour.core.models import IdempotencyRecord, RateLimitCounter


def member_roles(request: HttpRequest) -> dict[int, str]:
    """store id → the user's role there (cached on the request)."""
    cached = getattr(request, "_retour_roles", None)
    if cached is None:
        from retour.stores.models import StoreMembership

        user = request.user
        cached = (
            dict(StoreMembership.objects.filter(user_id=user.pk).values_list("store_id", "role"))
            if user.is_authenticated and user.is_active and user.is_staff
            else {}
        )
        request._retour_roles = cached  # type: ignore[attr-defined]
    return cached


# The admin is closed to logistics partners: they work in the workspace, which shows them only
# the returns routed to their location(s); the admin has no notion of locations.
ADMIN_CLOSED_ROLES = ("partner",)
# Roles that see customers' personal data and money (warehouse staff see returns and stock only).
CUSTOMER_DATA_ROLES = ("admin", "agent")


def admin_roles(request: HttpRequest) -> dict[int, str]:
    """store id → the user's role there, for the stores whose data the admin may show them."""
    return {store: role for store, role in member_roles(request).items() if role not in ADMIN_CLOSED_ROLES}


def admin_may_enter(request: HttpRequest) -> bool:
    """Superusers, and staff with a role other than partner in some store."""
    user = request.user
    return bool(user.is_active and user.is_staff and (user.is_superuser or admin_roles(request)))


def staff_actor(request: HttpRequest, store_id: int | None = None) -> Actor:
    user: Any = request.user
    role = "admin" if user.is_superuser else member_roles(request).get(store_id or 0)
    return Actor(type="user", name=user.get_username(), user_id=user.pk, role=role)


def run_service(
    modeladmin: admin.ModelAdmin, request: HttpRequest, rows: Iterable[Any], verb: Any, call: Any
) -> None:
    """Call ``call(row)`` for each selected row; report successes and each refusal with its reason."""
    done, failed = 0, []
    for row in rows:
        try:
            call(row)
            done += 1
        except DomainError as exc:
            failed.append(f"{row}: {exc.detail}")
    if done:
        modeladmin.message_user(request, f"{verb}: {done}", messages.SUCCESS)
    for failure in failed:
        modeladmin.message_user(request, failure, messages.ERROR)


class StoreScopedAdmin(admin.ModelAdmin):
    """Rows of the user's stores only; look for members (``viewable_by``), write for store admins
    (``editable_by``). Partners see nothing here (``admin_roles``)."""

    store_path = "store"  # lookup from the model to its store
    editable_by: tuple[str, ...] = ("admin",)  # store roles that may add / change / delete
    viewable_by: tuple[str, ...] | None = None  # store roles that may look; None: every admin role
    read_only = False  # rows written by services only: nobody adds, changes or deletes here
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.store_path}__in": self._viewing_stores(request)})

    def _viewing_stores(self, request: HttpRequest) -> list[int]:
        return [s for s, role in admin_roles(request).items() if self._role_may_view(role)]

    def _role_may_view(self, role: str | None) -> bool:
        return role is not None and (self.viewable_by is None or role in self.viewable_by)

    def _store_id(self, obj: Model | None) -> int | None:
        if obj is None:
            return None
        target: Any = obj
        for part in self.store_path.split("__"):
            target = getattr(target, part, None)
        return getattr(target, "pk", None)

    def _may_write(self, request: HttpRequest, obj: Model | None) -> bool:
        if self.read_only:
            return False
        if request.user.is_superuser:
            return True
        roles = admin_roles(request)
        if obj is None:
            return any(role in self.editable_by for role in roles.values())
        return roles.get(self._store_id(obj) or 0) in self.editable_by

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(self._viewing_stores(request))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if request.user.is_superuser:
            return True
        stores = self._viewing_stores(request)
        return bool(stores) if obj is None else (self._store_id(obj) in stores)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may_write(request, None)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_write(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may_write(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A store admin picks among their own stores (and those stores' rows)."""
        field: Any = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            stores = [s for s, role in admin_roles(request).items() if role in self.editable_by]
            model = db_field.related_model
            if model._meta.label == "stores.Store":
                field.queryset = field.queryset.filter(pk__in=stores)
            elif any(f.name == "store" for f in model._meta.get_fields()):
                field.queryset = field.queryset.filter(store_id__in=stores)
        return field


class StoreScopedInline(admin.TabularInline):
    """Rows shown under a store-scoped parent, with the parent's rights rather than Django's
    model permissions (which store staff do not have): whoever may see the parent sees them,
    narrowed to the roles in ``viewable_by``; whoever may change the parent edits them."""

    extra = 0
    viewable_by: tuple[str, ...] | None = None  # None: every role that sees the parent

    def _parent(self) -> Any:
        return self.admin_site._registry.get(self.parent_model)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if request.user.is_superuser:
            return True
        parent = self._parent()
        if parent is None or not parent.has_view_permission(request, obj):
            return False
        if self.viewable_by is None:
            return True
        roles = admin_roles(request)
        if obj is None:
            return any(role in self.viewable_by for role in roles.values())
        return roles.get(parent._store_id(obj) or 0) in self.viewable_by

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_may_change(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_may_change(request, obj)

    def _parent_may_change(self, request: HttpRequest, obj: Model | None) -> bool:
        parent = self._parent()
        return bool(parent is not None and parent.has_change_permission(request, obj))


class ReadOnlyInline(StoreScopedInline):
    """Rows shown under their parent, written by services only."""

    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [f.name for f in self.model._meta.fields] + list(self.readonly_fields)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(StoreScopedAdmin):
    """The first answers replayed for an ``Idempotency-Key``: evidence, never edited."""

    read_only = True
    list_display = ("key", "store", "method", "path", "status_code", "created_at")
    list_filter = ("method", "status_code", "store")
    search_fields = ("key", "path")
    list_select_related = ("store",)
    date_hierarchy = "created_at"

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser  # clean-up of old keys


@admin.register(RateLimitCounter)
class RateLimitCounterAdmin(admin.ModelAdmin):
    list_display = ("key", "window_start", "count")
    search_fields = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


admin.site.site_header = "Retour"
admin.site.site_title = "Retour"
admin.site.index_title = _("Back office")
