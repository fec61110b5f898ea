"""The one transition table of a return (architecture.md, "Status machine")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from retour.returns.models import Status

S = Status

# action → statuses it may start from, and the status it leads to (None: stays put).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "approve": ((S.REQUESTED,), S.APPROVED),
    "reject": ((S.REQUESTED,), S.REJECTED),
    "cancel": ((S.REQUESTED, S.APPROVED, S.IN_TRANSIT), S.CANCELLED),
    "ship": ((S.APPROVED,), S.IN_TRANSIT),
    "receive": ((S.APPROVED, S.IN_TRANSIT, S.RECEIVED), S.RECEIVED),
    "inspect": ((S.RECEIVED,), None),
    "refund": ((S.APPROVED, S.IN_TRANSIT, S.RECEIVED), None),
    "close": ((S.RECEIVED,), S.COMPLETED),
    "expire": ((S.APPROVED,), S.EXPIRED),
    "keep_it_close": ((S.APPROVED,), S.COMPLETED),
}

# What people read when an action is refused (the codes above are for machines).
ACTION_LABELS = {
    "approve": _("approve"),
    "reject": _("reject"),
    "cancel": _("cancel"),
    "ship": _("mark as shipped"),
    "receive": _("receive"),
    "inspect": _("inspect"),
    "refund": _("refund"),
    "close": _("close"),
    "expire": _("expire"),
    "keep_it_close": _("close without the items coming back"),
}


def allowed_from(action: str) -> tuple[str, ...]:
    return TRANSITIONS[action][0]


def target(action: str, current: str) -> str:
    to = TRANSITIONS[action][1]
    return current if to is None else to


def can(action: str, current: str) -> bool:
    return current in TRANSITIONS[action][0]


def actions_available(current: str) -> list[str]:
    return [action for action, (sources, _) in TRANSITIONS.items() if current in sources]
