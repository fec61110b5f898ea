"""What an email says, frozen when the change happens.

Values are JSON-friendly (amounts as decimal strings, moments as ISO 8601); ``render.py`` turns
them back into dates and formatted money in the email's language at send time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from retour.returns.models import ReturnRequest


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def notification_context(*, return_request: ReturnRequest, kind: str) -> dict[str, Any]:
    """The facts of the return that the templates of every kind may show."""
    from retour.notifications.services import email_language, status_url

    rr = return_request
    store, customer = rr.store, rr.customer
    language = email_language(store.language) if kind == "return_refund_overdue" else email_language(
        customer.language, store.language
    )
    url = status_url(rr)
    context: dict[str, Any] = {
        "store_name": store.name,
        "support_email": store.support_email,
        "currency": rr.order.currency,
        "return_number": rr.number,
        "order_number": rr.order.number,
        "customer_name": customer.name,
        "customer_email": customer.email,
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
        "lines": _lines(rr, language),
        "return_address": _return_address(rr, language),
        "admin_url": f"{settings.BASE_URL}/admin/returns/returnrequest/{rr.pk}/change/",
    }
    context.update(_last_event_text(rr))
    if kind in ("refund_issued", "return_refund_overdue"):
        context.update(_last_refund(rr))
    return context


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
    country = Locale.parse(language).territories.get(location.country.upper(), location.country) if location.country else ""
    city = " ".join(p for p in (location.postal_code, location.city) if p)
    return [p for p in (location.name, location.line1, location.line2, city, country) if p]


def _last_event_text(rr: ReturnRequest) -> dict[str, str]:
    """The reason and note staff gave for the latest action (shown on rejections and cancellations)."""
    from retour.returns.models import ReturnEvent

    event = ReturnEvent.objects.filter(return_request=rr).order_by("-at", "-id").first()
    data = event.data if event and isinstance(event.data, dict) else {}
    return {"reason": str(data.get("reason") or ""), "note": str(data.get("note") or "")}


def _last_refund(rr: ReturnRequest) -> dict[str, Any]:
    from retour.resolutions.models import Refund

    refunds = list(Refund.objects.filter(return_request=rr).order_by("created_at", "id"))
    if not refunds:
        return {}
    last = refunds[-1]
    return {
        "refund_amount": str(last.amount),
        "refund_method": last.method,
        "refund_status": last.status,
        "refunded_total": str(sum((r.amount for r in refunds if r.status != "failed"), start=last.amount * 0)),
    }
