"""What a shopper's session may see: one order of one store, for a limited time.

A successful lookup stores the order's id and an expiry in the Django session (server side;
the cookie only carries the session's random key, which is rotated at that moment). Every
portal view asks ``granted_order`` again, which checks the store, the order and the expiry.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest

from retour.core import clock
from retour.orders.models import Order
from retour.portal.selectors import order_for_portal
from retour.stores.models import Store

SESSION_TTL = timedelta(hours=2)
WITHDRAWAL_TTL = timedelta(minutes=30)


def _key(store: Store, kind: str = "order") -> str:
    return f"portal:{store.pk}:{kind}"


def grant(request: HttpRequest, *, store: Store, order: Order, now: datetime | None = None) -> None:
    """Give this browser access to ``order`` (and nothing else of the store) for two hours."""
    now = now or clock.now()
    request.session.cycle_key()  # a new session key at each login: no fixation
    request.session[_key(store)] = {"order": order.pk, "exp": (now + SESSION_TTL).timestamp()}
    request.session.pop(_key(store, "draft"), None)


class Expired(Exception):
    """The session once had access, but it has run out."""


def granted_order(request: HttpRequest, *, store: Store, now: datetime | None = None) -> Order | None:
    """The order this session may see in ``store``; None without a grant; Expired when it ran out."""
    entry = request.session.get(_key(store))
    if not isinstance(entry, dict):
        return None
    if float(entry.get("exp", 0)) <= (now or clock.now()).timestamp():
        revoke(request, store=store)
        raise Expired()
    return order_for_portal(store=store, order_id=int(entry.get("order", 0)))


def revoke(request: HttpRequest, *, store: Store) -> None:
    for kind in ("order", "draft"):
        request.session.pop(_key(store, kind), None)


def draft_get(request: HttpRequest, *, store: Store, order: Order) -> dict[str, Any] | None:
    """The return being put together for ``order`` (lines chosen on the items screen)."""
    draft = request.session.get(_key(store, "draft"))
    if isinstance(draft, dict) and draft.get("order") == order.pk:
        return draft
    return None


def draft_set(request: HttpRequest, *, store: Store, order: Order, lines: list[dict[str, Any]]) -> None:
    """Keep the chosen lines; the draft keeps its random key while it is edited, so confirming
    it twice (a double click, parallel posts) creates one return."""
    previous = draft_get(request, store=store, order=order) or {}
    key = previous.get("key") or uuid.uuid4().hex
    request.session[_key(store, "draft")] = {"order": order.pk, "lines": lines, "key": key}


def draft_clear(request: HttpRequest, *, store: Store) -> None:
    request.session.pop(_key(store, "draft"), None)


def withdrawal_grant(request: HttpRequest, *, store: Store, order: Order, name: str, email: str) -> None:
    """The withdrawal form's first step passed: its details wait for the 'Confirm withdrawal' step."""
    request.session[_key(store, "withdrawal")] = {
        "order": order.pk,
        "name": name,
        "email": email,
        "exp": (clock.now() + WITHDRAWAL_TTL).timestamp(),
    }


def withdrawal_pending(request: HttpRequest, *, store: Store) -> dict[str, Any] | None:
    entry = request.session.get(_key(store, "withdrawal"))
    if not isinstance(entry, dict) or float(entry.get("exp", 0)) <= clock.now().timestamp():
        return None
    return entry


def withdrawal_clear(request: HttpRequest, *, store: Store) -> None:
    request.session.pop(_key(store, "withdrawal"), None)
