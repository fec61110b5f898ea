"""The GDPR path for one customer (by email, in one store or in every store).

``customer_export`` gathers what Retour holds about the customer (right of access, art. 15, and
portability, art. 20). ``customer_erase`` anonymises it (art. 17): contact details, addresses,
free text the customer wrote, photos, email copies and the customer's name in the audit trail go;
orders, returns, quantities, refunds and store credit stay, as accounting and consumer law
require, attached to an anonymous customer. Erasing twice changes nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from retour.core.logging import redact
from retour.core.models import IdempotencyRecord
from retour.helpdesk.models import Message
from retour.notifications.models import Notification
from retour.orders.models import Customer, Order
from retour.resolutions.models import Refund, StoreCreditAccount
from retour.returns.models import ReturnEvent, ReturnLine, ReturnPhoto, ReturnRequest

ERASED_DOMAIN = "erased.invalid"
ERASED_TEXT = "[erased]"


def customers_by_email(*, email: str, store_slug: str | None = None) -> QuerySet[Customer]:
    customers = Customer.objects.select_related("store").filter(email__iexact=email.strip())
    if store_slug:
        customers = customers.filter(store__slug=store_slug)
    return customers.order_by("store__slug")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def customer_export(*, email: str, store_slug: str | None = None) -> dict[str, Any]:
    """Everything held about the customer with ``email``, as plain JSON-ready data."""
    return {
        "email": email.strip(),
        "stores": [_customer_data(c) for c in customers_by_email(email=email, store_slug=store_slug)],
    }


def _customer_data(customer: Customer) -> dict[str, Any]:
    orders = Order.objects.filter(customer=customer).prefetch_related("lines").order_by("placed_at")
    returns = (
        ReturnRequest.objects.filter(customer=customer)
        .select_related("order")
        .prefetch_related("lines__order_line", "events", "messages", "refunds", "photos")
        .order_by("created_at")
    )
    accounts = StoreCreditAccount.objects.filter(customer=customer).prefetch_related("entries")
    notifications = Notification.objects.filter(return_request__customer=customer).order_by("created_at")
    return {
        "store": customer.store.slug,
        "customer": {
            "email": customer.email,
            "name": customer.name,
            "phone": customer.phone,
            "language": customer.language,
            "created_at": _iso(customer.created_at),
        },
        "orders": [
            {
                "number": o.number,
                "placed_at": _iso(o.placed_at),
                "currency": o.currency,
                "shipping_address": {
                    "name": o.ship_name,
                    "line1": o.ship_line1,
                    "line2": o.ship_line2,
                    "city": o.ship_city,
                    "postal_code": o.ship_postal_code,
                    "country": o.ship_country,
                },
                "lines": [
                    {
                        "sku": ln.sku,
                        "title": ln.title,
                        "quantity": ln.quantity,
                        "unit_price": str(ln.unit_price),
                    }
                    for ln in o.lines.all()
                ],
            }
            for o in orders
        ],
        "returns": [
            {
                "number": r.number,
                "order_number": r.order.number,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "lines": [
                    {
                        "sku": ln.order_line.sku,
                        "quantity": ln.quantity,
                        "reason": ln.reason,
                        "comment": ln.comment,
                    }
                    for ln in r.lines.all()
                ],
                "messages": [
                    {"at": _iso(m.created_at), "author": m.author_type, "text": m.body}
                    for m in r.messages.all()
                ],
                "events": [
                    {"at": _iso(e.at), "action": e.action, "to_status": e.to_status} for e in r.events.all()
                ],
                "refunds": [
                    {
                        "amount": str(f.amount),
                        "currency": f.currency,
                        "status": f.status,
                        "at": _iso(f.created_at),
                    }
                    for f in r.refunds.all()
                ],
                "photos": [p.image.name for p in r.photos.all()],
            }
            for r in returns
        ],
        "store_credit": [
            {
                "currency": a.currency,
                "balance": str(a.balance),
                "entries": [
                    {"amount": str(e.amount), "kind": e.kind, "at": _iso(e.created_at)}
                    for e in a.entries.all()
                ],
            }
            for a in accounts
        ],
        "emails": [
            {"kind": n.kind, "status": n.status, "subject": n.subject, "sent_at": _iso(n.sent_at)}
            for n in notifications
        ],
    }


@dataclass
class ErasureReport:
    customers: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + count


def customer_erase(*, email: str, store_slug: str | None = None) -> ErasureReport:
    """Anonymise the customer with ``email`` (in one store, or every store); see the module doc."""
    report = ErasureReport()
    for customer in customers_by_email(email=email, store_slug=store_slug):
        with transaction.atomic():
            _erase(customer, report)
        report.customers += 1
    return report


def _erase(customer: Customer, report: ErasureReport) -> None:
    original = customer.email
    alias = f"erased-{customer.pk}@{ERASED_DOMAIN}"
    Customer.objects.filter(pk=customer.pk).update(email=alias, name="", phone="")
    report.add(
        "orders",
        Order.objects.filter(customer=customer).update(
            ship_name="", ship_line1="", ship_line2="", ship_city="", ship_postal_code=""
        ),
    )
    returns = ReturnRequest.objects.filter(customer=customer)
    report.add("return lines", ReturnLine.objects.filter(return_request__in=returns).update(comment=""))
    report.add(
        "messages",
        Message.objects.filter(return_request__in=returns, author_type="customer").update(
            body=ERASED_TEXT, author_name=""
        ),
    )
    report.add(
        "emails",
        Notification.objects.filter(return_request__in=returns).update(recipient=alias, context={}),
    )
    events = ReturnEvent.objects.filter(return_request__in=returns)
    events.filter(actor_type="customer").update(actor_name="customer")
    for event in events.only("id", "data"):
        cleaned = _scrub(event.data, original)
        if cleaned != event.data:
            ReturnEvent.objects.filter(pk=event.pk).update(data=cleaned)
    for refund in Refund.objects.filter(return_request__in=returns).exclude(note="").only("id", "note"):
        Refund.objects.filter(pk=refund.pk).update(note=redact(refund.note))
    photos = list(ReturnPhoto.objects.filter(return_request__in=returns))
    for photo in photos:
        transaction.on_commit(partial(_delete_files, [photo.image, photo.thumbnail]))
    report.add("photos", ReturnPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()[0])
    # Replayable API answers that show the customer (kept a few days, see retour.core.retention).
    needle = original.lower()
    stale = [
        r.pk
        for r in IdempotencyRecord.objects.filter(store_id=customer.store_id).only("id", "response_body")
        if needle in json.dumps(r.response_body).lower()
    ]
    report.add("idempotency records", IdempotencyRecord.objects.filter(pk__in=stale).delete()[0])


def _delete_files(files: list[Any]) -> None:
    for stored in files:
        if stored:
            stored.delete(save=False)


_PERSONAL_KEYS = {"name", "email", "customer_email", "phone", "address", "statement"}


def _scrub(value: Any, email: str) -> Any:
    """Audit data without personal values: named keys dropped, any address redacted."""
    if isinstance(value, dict):
        return {k: _scrub(v, email) for k, v in value.items() if k not in _PERSONAL_KEYS}
    if isinstance(value, list):
        return [_scrub(v, email) for v in value]
    if isinstance(value, str):
        return redact(value.replace(email, "[customer]"))
    return value
