"""Who is looking: the signed-in person, the store they work in now, their role and (for a
partner) their location. Every workspace view goes through ``staff_view``.

The role table itself is ``retour.stores.permissions`` (shared with the API); the location
scoping is done by the selectors, given ``staff.location``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from retour.core.actors import Actor
from retour.stores.models import Location, Role, Store, StoreMembership
from retour.stores.permissions import role_can

SESSION_STORE_KEY = "staff_store"

CAPABILITY_TEXT = {
    "return.view": _("see returns"),
    "return.customer_data": _("see customer details"),
    "return.create": _("create returns"),
    "return.approve": _("approve returns"),
    "return.reject": _("reject returns"),
    "return.cancel": _("cancel returns"),
    "return.ship": _("mark returns as shipped"),
    "return.receive": _("receive parcels"),
    "return.inspect": _("grade returned items"),
    "return.refund": _("refund"),
    "return.close": _("close returns"),
    "return.assign": _("assign returns"),
    "return.note": _("add notes"),
    "customer.view": _("see customers"),
    "message.view": _("read customer messages"),
    "message.reply": _("answer customers"),
    "store.manage": _("manage the store"),
}


@dataclass
class StoreChoice:
    store: Store
    role: str
    location: Location | None


@dataclass
class StaffContext:
    user: Any
    store: Store
    role: str
    location: Location | None  # set for partners: they see only this location's returns
    choices: list[StoreChoice] = field(default_factory=list)

    def can(self, capability: str) -> bool:
        return role_can(self.role, capability)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def actor(self) -> Actor:
        name = self.user.get_full_name() or self.user.get_username()
        return Actor(type="user", name=name, user_id=self.user.pk, role=self.role)


def store_choices(user: Any) -> list[StoreChoice]:
    """The stores a person works for, with their role in each. A superuser without a
    membership is an admin of every store."""
    memberships = StoreMembership.objects.filter(user=user).select_related("store", "location")
    choices = [StoreChoice(m.store, m.role, m.location) for m in memberships]
    if user.is_superuser:
        known = {c.store.pk for c in choices}
        choices += [StoreChoice(s, Role.ADMIN, None) for s in Store.objects.exclude(pk__in=known)]
    return sorted(choices, key=lambda c: c.store.name.lower())


def staff_context(request: HttpRequest) -> StaffContext | None:
    """The signed-in person's context in the store chosen in the header (else their first)."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    choices = store_choices(user)
    if not choices:
        return None
    slug = request.session.get(SESSION_STORE_KEY)
    chosen = next((c for c in choices if c.store.slug == slug), choices[0])
    if chosen.role == Role.PARTNER and chosen.location is None:
        return None  # a partner without a location sees nothing rather than everything
    return StaffContext(user, chosen.store, chosen.role, chosen.location, choices)


def forbidden(request: HttpRequest, staff: StaffContext | None, capability: str) -> HttpResponse:
    what = CAPABILITY_TEXT.get(capability, capability)
    context = {"staff": staff, "what": what}
    return render(request, "backoffice/forbidden.html", context, status=403)


def staff_view(
    capability: str = "return.view",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Signed in, working for a store, and with a role that may do ``capability``; the view
    gets ``request.staff``. Anonymous people go to the sign-in page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            staff = staff_context(request)
            if staff is None:
                return forbidden(request, None, "return.view")
            if not staff.can(capability):
                return forbidden(request, staff, capability)
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
