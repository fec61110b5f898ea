"""Turn an outbox row into subject, text and HTML in the email's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from retour.core.money import format_money
from retour.notifications.models import Notification
from retour.notifications.services import email_language

MOMENTS = ("created_at", "approved_at", "received_at", "expires_at", "failing_since", "credit_expires_at")
DAYS = ("refund_due_by",)
AMOUNTS = (
    "refund_amount",
    "refunded_total",
    "refund_bonus",
    "amount_due",
    "surcharge_amount",
    "credit_amount",
    "refund_estimate",
    "refund_items",
    "refund_delivery",
    "refund_return_cost",
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _money(value: Any, currency: str, language: str) -> str:
    try:
        return format_money(Decimal(value), currency or "EUR", language) if value not in (None, "") else ""
    except (InvalidOperation, ValueError):
        return str(value)


def render_context(notification: Notification) -> dict[str, Any]:
    """The stored context and the details read now, dates parsed and money formatted for the language.

    Values given when the row was queued win over those read now (``data=`` of notification_queue).
    """
    from retour.notifications.context import notification_details

    raw = {**notification_details(notification), **(notification.context or {})}
    currency = raw.get("currency", "")
    context: dict[str, Any] = dict(raw)
    for key in MOMENTS:
        context[key] = _moment(raw.get(key))
    for key in DAYS:
        context[key] = _day(raw.get(key))
    for key in AMOUNTS:
        context[key] = _money(raw.get(key), currency, notification.language)
    context["language"] = notification.language
    context["kind"] = notification.kind
    return context


def notification_render(notification: Notification) -> RenderedEmail:
    """Render with the language and the store's time zone active, so dates read as the customer expects."""
    language = email_language(notification.language, kind=notification.kind)
    base = f"notifications/{language}/{notification.kind}"
    context = render_context(notification)
    tz = notification.store.time_zone or "UTC"
    with translation.override(language), timezone.override(tz):
        subject: str = str(render_to_string(f"{base}.subject.txt", context))
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    one_line = re.sub(r"\s*[\r\n]+\s*", " ", subject).strip()[:300]  # keeps no-break spaces
    return RenderedEmail(subject=one_line, text=text.strip() + "\n", html=html)
