"""The audit trail in words, in the reader's language: "Approved by Claire (agent)" — never
raw codes or JSON. Wording only; the events themselves are written by the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retour.backoffice.units import flag_text
from retour.resolutions.models import RefundMethod
from retour.returns.models import Condition, Disposition, ReturnEvent, ReturnRequest
from retour.returns.selectors import return_events
from retour.stores.models import Role, StoreMembership


@dataclass
class TimelineEntry:
    at: datetime
    text: str
    details: list[str]


def _what(action: str) -> str:
    return {
        "created": _("Return requested"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "cancelled": _("Cancelled"),
        "shipped": _("Marked as shipped"),
        "received": _("Parcel received"),
        "inspected": _("Items graded"),
        "refund_issued": _("Refund issued"),
        "completed": _("Return completed"),
        "expired": _("Expired (parcel not sent in time)"),
        "assigned": _("Assigned"),
        "note_added": _("Internal note"),
        "refund_overdue": _("Refund overdue"),
        "photos_added": _("Photos of the received item added"),
    }.get(action, _("Change recorded"))


def _who(event: ReturnEvent, roles: dict[int, str], customer_name: str) -> str:
    if event.actor_type == "system":
        return _("Retour (automatic)")
    if event.actor_type == "customer":  # by name: the event's actor is the email, not for every role
        return _("%(name)s (customer)") % {"name": customer_name or _("the customer")}
    if event.actor_type == "api_key":
        role = event.actor_api_key.role if event.actor_api_key else ""
        label = str(Role(role).label) if role in Role.values else ""
        return _("an API key (%(role)s)") % {"role": label} if label else _("an API key")
    name = event.actor_name
    role = roles.get(event.actor_user_id or 0, "")
    if role in Role.values:
        return _("%(name)s (%(role)s)") % {"name": name, "role": str(Role(role).label).lower()}
    return name


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _details(event: ReturnEvent, lines: dict[str, str]) -> list[str]:
    data = event.data or {}
    out: list[str] = []
    if event.action in ("approved", "received"):
        for line_id, qty in (data.get("lines") or {}).items():
            out.append(_("%(qty)s × %(item)s") % {"qty": qty, "item": lines.get(str(line_id), "?")})
        if data.get("location"):
            out.append(_("Location: %(code)s") % {"code": data["location"]})
        for flag in data.get("serial_flags") or []:
            out.append(
                _("To check — %(item)s: %(text)s")
                % {"item": lines.get(str(flag.get("line")), "?"), "text": flag_text(flag)}
            )
    elif event.action == "shipped":
        out += [str(data[k]) for k in ("carrier", "tracking_number") if data.get(k)]
    elif event.action == "inspected":
        for entry in data.get("entries") or []:
            accepted = _("accepted") if entry.get("accepted") else _("refused")
            out.append(
                _("%(qty)s × %(item)s: %(condition)s, %(disposition)s, %(accepted)s")
                % {
                    "qty": entry.get("quantity"),
                    "item": lines.get(str(entry.get("id")), "?"),
                    "condition": _label(Condition, entry.get("condition")).lower(),
                    "disposition": _label(Disposition, entry.get("disposition")).lower(),
                    "accepted": accepted,
                }
            )
    elif event.action == "refund_issued":
        out.append(
            _("%(amount)s by %(method)s")
            % {"amount": data.get("amount", ""), "method": _label(RefundMethod, data.get("method")).lower()}
        )
    elif event.action == "assigned":
        out.append(_("To %(name)s") % {"name": data["assignee"]} if data.get("assignee") else _("To nobody"))
    elif event.action == "photos_added":
        out.append(
            ngettext("%(count)s photo of %(item)s", "%(count)s photos of %(item)s", data.get("count") or 0)
            % {"count": data.get("count") or 0, "item": lines.get(str(data.get("line")), "?")}
        )
    elif event.action == "refund_overdue":
        out.append(_("Was due on %(date)s") % {"date": data.get("due_on", "")})
    elif event.action == "rejected" and data.get("reason"):
        out.append(str(data["reason"]))
    if data.get("note"):
        out.append(str(data["note"]))
    return out


def return_timeline(rr: ReturnRequest) -> list[TimelineEntry]:
    """Oldest first: what happened, who did it (with their role in the store) and details."""
    events = list(return_events(return_request=rr).select_related("actor_api_key"))
    user_ids = {e.actor_user_id for e in events if e.actor_user_id}
    roles = dict(
        StoreMembership.objects.filter(store_id=rr.store_id, user_id__in=user_ids).values_list(
            "user_id", "role"
        )
    )
    lines = {str(ln.id): ln.order_line.title or ln.order_line.sku for ln in rr.lines.all()}
    entries = []
    for event in events:
        who = _who(event, roles, rr.customer.name)
        text = _("%(what)s by %(who)s") % {"what": _what(event.action), "who": who}
        entries.append(TimelineEntry(at=event.at, text=text, details=_details(event, lines)))
    return entries
