from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import StoreScopedAdmin, StoreScopedInline, admin_roles, member_roles
from retour.stores.models import ApiKey, Location, Store, StoreMembership
from retour.stores.services import apikey_create, apikey_revoke, store_create


class LocationInline(StoreScopedInline):
    """Every member sees the store's locations; its admins add and edit them here."""

    model = Location
    fields = ("code", "name", "line1", "postal_code", "city", "country", "is_default")


@admin.register(Store)
class StoreAdmin(StoreScopedAdmin):
    store_path = "pk"
    list_display = (
        "slug",
        "name",
        "country",
        "currency",
        "language",
        "time_zone",
        "support_email",
        "created_at",
    )
    list_filter = ("country", "currency", "language")
    search_fields = ("slug", "name", "legal_name", "support_email")
    inlines = [LocationInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=list(admin_roles(request)))

    def _store_id(self, obj: Model | None) -> int | None:
        return getattr(obj, "pk", None)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser  # a new store is not any one store's business

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # orders and returns are kept; retire a store rather than delete it

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("slug", "currency", "created_at") if obj else ("created_at",)

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> Any:
        return self.inlines if obj else []  # `main` is made with the store

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A new store goes through store_create: main location, default policy and reasons."""
        if change:
            super().save_model(request, obj, form, change)
            return
        created = store_create(
            slug=obj.slug,
            name=obj.name,
            country=obj.country,
            currency=obj.currency,
            language=obj.language,
            time_zone=obj.time_zone,
        )
        obj.pk, obj.created_at = created.pk, created.created_at
        obj.country, obj.currency = created.country, created.currency
        obj.save()


@admin.register(Location)
class LocationAdmin(StoreScopedAdmin):
    list_display = ("code", "name", "store", "city", "country", "is_default")
    list_filter = ("store", "country", "is_default")
    search_fields = ("code", "name", "city", "postal_code")
    list_select_related = ("store",)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Every store keeps its `main` location; stock movements protect the others.
        return super().has_delete_permission(request, obj) and not (obj and obj.code == "main")  # type: ignore[attr-defined]


@admin.register(StoreMembership)
class StoreMembershipAdmin(StoreScopedAdmin):
    list_display = ("user", "store", "role", "location")
    list_filter = ("role", "store")
    search_fields = ("user__username", "user__email", "store__slug")
    list_select_related = ("user", "store", "location__store")  # a location names itself by its store

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "location" and field is not None:
            field.queryset = field.queryset.select_related("store")  # each choice is labelled store/code
        if db_field.name == "user" and field is not None and not request.user.is_superuser:
            # A store admin re-assigns roles among their own staff; new staff come from `retour staff create`.
            field.queryset = field.queryset.filter(
                memberships__store_id__in=list(member_roles(request))
            ).distinct()
        return field


@admin.register(ApiKey)
class ApiKeyAdmin(StoreScopedAdmin):
    """Keys are made by apikey_create (only their hash is stored) and revoked, never edited or deleted."""

    list_display = ("prefix", "name", "store", "role", "created_at", "last_used_at", "revoked_at")
    list_filter = ("role", "store", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "store__slug")
    list_select_related = ("store",)
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if obj is None:
            return ("store", "role", "name")
        return ("store", "role", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return () if obj is None else ("store", "role", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            ApiKey.objects.filter(pk=obj.pk).update(name=obj.name)
            return
        key, raw = apikey_create(store=obj.store, role=obj.role, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = key.pk, key.prefix, key.key_hash, key.created_at
        self.message_user(
            request, _("The new key, shown this once: %(key)s") % {"key": raw}, messages.WARNING
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        allowed = [k for k in queryset if self.has_change_permission(request, k)]
        for key in allowed:
            apikey_revoke(key=key)
        self.message_user(request, _("Revoked: %(count)s") % {"count": len(allowed)}, messages.SUCCESS)
