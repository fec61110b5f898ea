"""What an email says.

Two halves: ``notification_snapshot`` runs inside the caller's transaction and freezes the facts
of the moment from rows already in memory (no query, apart from the refund just issued), so the
outbox costs the request path one INSERT; ``notification_details`` runs in the worker at send
time and adds what needs queries (lines, reason labels, return address, staff's reason and
note). Values are JSON-friendly (amounts as decimal strings, moments as ISO 8601); ``render.py``
turns them back into dates and formatted money in the email's language.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from retour.notifications.models import Notification
    from retour.returns.models import ReturnRequest

BRAND_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

# The event whose reason and note an email quotes.
EVENT_OF_KIND = {"return_rejected": "rejected", "return_cancelled": "cancelled"}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def notification_snapshot(*, return_request: ReturnRequest, kind: str) -> dict[str, Any]:
    """The facts of the return at the moment of the change."""
    from retour.notifications.services import status_url

    rr = return_request
    url = status_url(rr)
    context: dict[str, Any] = {
        "store_name": rr.store.name,
        "brand_color": rr.store.brand_color
        if BRAND_COLOR.fullmatch(rr.store.brand_color or "")
        else "#1f4e79",
        "support_email": rr.store.support_email,
        "currency": rr.order.currency,
        "return_number": rr.number,
        "order_number": rr.order.number,
        "customer_name": rr.customer.name,
        "customer_email": rr.customer.email,
        "status": rr.status,
        "resolution": rr.resolution,
        "right": rr.right,
        "is_withdrawal_statement": rr.is_withdrawal_statement,
        "status_url": url,
        "slip_url": f"{url}/slip.pdf",
        "created_at": _iso(rr.created_at),
        "approved_at": _iso(rr.approved_at),
        "received_at": _iso(rr.received_at),
        "expires_at": _iso(rr.expires_at),
        "refund_due_by": _iso(rr.refund_due_by),
        "admin_url": f"{settings.BASE_URL}/admin/returns/returnrequest/{rr.pk}/change/",
    }
    if kind in ("refund_issued", "credit_issued"):
        context.update(_refund_snapshot(rr))
    if kind == "credit_issued":
        context.update(_credit_snapshot(context.get("refund_id")))
    if kind == "withdrawal_acknowledged":
        context.update(_withdrawal_refund_snapshot(rr))
    return context


def _withdrawal_refund_snapshot(rr: ReturnRequest) -> dict[str, Any]:
    """What the refund will be, part by part: the acknowledgement says exactly that (art. 13/14)."""
    from retour.returns.money import refund_breakdown

    parts = refund_breakdown(rr)
    return {
        "refund_estimate": str(parts.total),
        "refund_items": str(parts.items),
        "refund_delivery": str(parts.delivery) if parts.delivery else "",
        "refund_return_cost": str(parts.return_cost) if parts.return_cost else "",
    }


def _refund_snapshot(rr: ReturnRequest) -> dict[str, Any]:
    from retour.resolutions.models import Refund

    refund = Refund.objects.filter(return_request=rr).order_by("-created_at", "-id").first()
    if refund is None:
        return {}
    return {"refund_id": refund.pk, "refund_amount": str(refund.amount), "refund_method": refund.method}


def _credit_snapshot(refund_id: int | None) -> dict[str, Any]:
    from retour.resolutions.models import StoreCreditCode

    code = StoreCreditCode.objects.filter(refund_id=refund_id).first() if refund_id else None
    if code is None:
        return {}
    return {
        "credit_code": code.code,
        "credit_amount": str(code.amount),
        "credit_expires_at": _iso(code.expires_at),
    }


def notification_details(notification: Notification) -> dict[str, Any]:
    """What the templates need beyond the snapshot, read when the email is sent."""
    rr = notification.return_request
    if rr is None:
        return {}
    details: dict[str, Any] = {
        "lines": _lines(rr, notification.language),
        "return_address": _return_address(rr, notification.language),
    }
    if notification.kind in EVENT_OF_KIND:
        details.update(_event_text(rr, EVENT_OF_KIND[notification.kind]))
    if notification.kind in ("refund_issued", "credit_issued", "return_refund_overdue"):
        details.update(_refund_totals(rr, notification.context.get("refund_id")))
    return details


def _lines(rr: ReturnRequest, language: str) -> list[dict[str, Any]]:
    from retour.policies.models import ReturnReason

    labels = {r.code: r.label(language) for r in ReturnReason.objects.filter(store_id=rr.store_id)}
    return [
        {
            "title": line.order_line.title or line.order_line.sku,
            "sku": line.order_line.sku,
            "quantity": line.quantity,
            "approved_quantity": line.approved_quantity,
            "received_quantity": line.received_quantity,
            "accepted_quantity": line.accepted_quantity,
            "reason": labels.get(line.reason, line.reason),
        }
        for line in rr.lines.select_related("order_line").order_by("id")
    ]


def _return_address(rr: ReturnRequest, language: str) -> list[str]:
    """Where the parcel goes, the country spelled out in the email's language."""
    from babel import Locale

    from retour.stores.models import Location

    location = rr.location or Location.objects.filter(store_id=rr.store_id, is_default=True).first()
    if location is None:
        location = Location.objects.filter(store_id=rr.store_id, code="main").first()
    if location is None:
        return []
    country = (
        Locale.parse(language).territories.get(location.country.upper(), location.country)
        if location.country
        else ""
    )
    city = " ".join(p for p in (location.postal_code, location.city) if p)
    return [p for p in (location.name, location.line1, location.line2, city, country) if p]


def _event_text(rr: ReturnRequest, action: str) -> dict[str, str]:
    """The reason and note staff gave with the action (the latest one of its kind)."""
    from retour.returns.models import ReturnEvent

    event = ReturnEvent.objects.filter(return_request=rr, action=action).order_by("-at", "-id").first()
    data = event.data if event and isinstance(event.data, dict) else {}
    return {"reason": str(data.get("reason") or ""), "note": str(data.get("note") or "")}


def _refund_totals(rr: ReturnRequest, refund_id: int | None) -> dict[str, str]:
    """Refunded so far (up to this email's refund), and the store-credit bonus that came with it."""
    from retour.resolutions.models import Refund, StoreCreditEntry

    refunds = Refund.objects.filter(return_request=rr).exclude(status="failed")
    if refund_id:
        refunds = refunds.filter(pk__lte=refund_id)
    total = sum((r.amount for r in refunds), start=Decimal("0"))
    totals = {"refunded_total": str(total) if total else ""}
    if refund_id:
        bonus = sum(
            (e.amount for e in StoreCreditEntry.objects.filter(refund_id=refund_id, kind="bonus")),
            start=Decimal("0"),
        )
        totals["refund_bonus"] = str(bonus) if bonus else ""
    return totals
