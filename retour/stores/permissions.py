"""What each staff role may do: one table for the staff pages, the API and the admin.

A capability is a short dotted name (``return.refund``). Roles are the ``Role`` choices; a
``partner`` is a warehouse that sees only the returns routed to its own location (the
scoping itself is done by the selectors, given the viewer's location).
"""

from __future__ import annotations

from retour.stores.models import Role

A, G, W, P = Role.ADMIN, Role.AGENT, Role.WAREHOUSE, Role.PARTNER

PERMISSIONS: dict[str, tuple[str, ...]] = {
    # returns
    "return.view": (A, G, W, P),
    "return.customer_data": (A, G),  # email, address, phone, messages, emails sent
    "return.create": (A, G),
    "return.approve": (A, G),
    "return.reject": (A, G),
    "return.cancel": (A, G),
    "return.ship": (A, G, W, P),
    "return.receive": (A, W, P),
    "return.inspect": (A, W, P),
    "return.refund": (A, G),
    "return.refund_above_limit": (A,),
    "return.close": (A, G),
    "return.assign": (A, G),
    "return.note": (A, G, W, P),
    # people and messages
    "customer.view": (A, G),
    "message.view": (A, G),
    "message.reply": (A, G),
    # the store's settings: SLA targets, refund limit, staff, policy
    "store.manage": (A,),
}


def role_can(role: str | None, capability: str) -> bool:
    """Whether ``role`` may do ``capability`` (unknown capabilities are refused)."""
    return role is not None and role in PERMISSIONS.get(capability, ())


def roles_for(capability: str) -> tuple[str, ...]:
    return PERMISSIONS[capability]
