"""Reads for the shopper portal: finding an order, what can be returned, the estimate, the timeline.

Nothing here decides eligibility or computes money: those come from
``retour.policies.eligibility`` and ``retour.returns.money``. The estimate shown before the
shopper confirms is a dry run of the real ``return_create`` inside a transaction that is rolled
back, so the numbers are exactly the ones confirming would produce.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from retour.catalog.models import Product
from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import NotFound
from retour.orders.models import Order, OrderLine
from retour.policies.eligibility import GUARANTEE_REASONS, LineEligibility
from retour.policies.models import Resolution, ReturnReason
from retour.returns.models import DEAD_STATUSES, ReturnEvent, ReturnRequest, Right, Status
from retour.returns.money import fee_label
from retour.returns.returnability import order_returnability
from retour.returns.selectors import return_events, return_get, return_money
from retour.returns.services import APPROVAL_VALIDITY_DAYS, ExchangeRequest, LineRequest, return_create
from retour.returns.transitions import can
from retour.stores.models import Store

# After a withdrawal the consumer sends the goods back within 14 days (Directive 2011/83/EU art. 14(1)).
_BRAND = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_BRAND = "#1f4e79"


def store_get(*, slug: str) -> Store:
    """The store of a portal URL; NotFound for an unknown slug."""
    store = Store.objects.select_related("policy").filter(slug=slug).first()
    if store is None:
        raise NotFound()
    return store


def brand_colors(store: Store) -> tuple[str, str]:
    """The store's colour (when it is a plain #rrggbb) and a readable text colour on it."""
    color = store.brand_color if _BRAND.match(store.brand_color or "") else DEFAULT_BRAND
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    # WCAG contrast of white on the colour vs black on it: pick the larger.
    return color, "#ffffff" if (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) else "#000000"


# --- lookup -----------------------------------------------------------------------------------


def normalize_order_number(number: str) -> str:
    return (number or "").strip().lstrip("#").strip()


def _normalize_postcode(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def order_lookup(*, store: Store, number: str, contact: str) -> Order | None:
    """The order with this number whose email or shipping postcode is ``contact``; None otherwise.

    An unknown number and a wrong contact give the same answer, and the contact is compared in
    constant time against a stand-in when there is no order, so neither the answer nor its
    timing tells which of the two was wrong.
    """
    order = (
        Order.objects.select_related("customer")
        .filter(store=store, number=normalize_order_number(number))
        .first()
    )
    contact = (contact or "").strip()
    if "@" in contact:
        expected = order.customer.email.strip().lower() if order else "-"
        matched = _same(contact.lower(), expected)
    else:
        expected = _normalize_postcode(order.ship_postal_code) if order else "-"
        matched = _same(_normalize_postcode(contact), expected) and bool(expected)
    return order if order is not None and matched else None


def order_for_portal(*, store: Store, order_id: int) -> Order | None:
    """The order a portal session was granted, still in this store."""
    return (
        Order.objects.select_related("store", "store__policy", "customer")
        .prefetch_related("lines")
        .filter(store=store, pk=order_id)
        .first()
    )


# --- the order page ---------------------------------------------------------------------------


@dataclass
class LineView:
    """One order line as the shopper sees it."""

    line: OrderLine
    eligibility: LineEligibility
    reasons: list[str]  # why it cannot be returned, in the shopper's language
    guarantee_open: bool = False  # the legal guarantee still covers a defect
    today: date | None = None  # the consumer's date the eligibility was read for

    @property
    def eligible(self) -> bool:
        return self.eligibility.eligible and self.eligibility.returnable_quantity > 0

    @property
    def guarantee_only(self) -> bool:
        """Outside every return window, but a defect can still be claimed under the guarantee."""
        codes = {r.code for r in self.eligibility.reasons}
        return (
            not self.eligible
            and self.guarantee_open
            and bool(codes)
            and codes <= {"outside_return_window", "final_sale", "not_returnable_item"}
            and self.eligibility.returnable_quantity > 0
        )

    @property
    def window_over(self) -> bool:
        return any(r.code == "outside_return_window" for r in self.eligibility.reasons)

    @property
    def selectable(self) -> bool:
        return self.eligible or self.guarantee_only

    @property
    def quantity_choices(self) -> list[int]:
        return list(range(0, self.eligibility.returnable_quantity + 1))


def order_lines(*, order: Order, now: datetime | None = None) -> list[LineView]:
    """Every line with its eligibility, deadline and the reasons it cannot be returned."""
    now = now or clock.now()
    rows = order_returnability(order=order, now=now)
    today = clock.consumer_date(now, order.ship_country or order.store.country, order.store.time_zone)
    return [
        LineView(
            line=e.line,
            eligibility=e,
            reasons=[str(r.message) for r in e.reasons],
            guarantee_open=e.open_for_guarantee(today),
            today=today,
        )
        for e in rows
    ]


def withdrawal_open(lines: list[LineView]) -> bool:
    """Whether some line can still be withdrawn from under the statutory right."""
    return any(v.eligible and v.eligibility.right == Right.WITHDRAWAL for v in lines)


def order_returns(*, order: Order) -> list[ReturnRequest]:
    """The order's returns, newest first, for the shopper who looked the order up (one query):
    each links to its status page, so a lost email never strands a return."""
    return list(
        ReturnRequest.objects.filter(store_id=order.store_id, order=order)
        .only("number", "status", "token", "created_at", "right", "is_withdrawal_statement")
        .order_by("-created_at", "-id")
    )


def withdrawal_blocked_by_returns(lines: list[LineView]) -> bool:
    """The withdrawal period still runs, but every unit it covers is already in a return."""
    running = [
        v for v in lines if v.eligibility.right == Right.WITHDRAWAL and v.eligibility.delivered_quantity
    ]
    return bool(running) and all(v.eligibility.returnable_quantity == 0 for v in running)


def reason_list(*, store: Store) -> list[ReturnReason]:
    """The reasons a shopper may choose, in the catalogue's order."""
    return list(ReturnReason.objects.filter(store=store, active=True).exclude(code="withdrawal"))


def reasons_for(view: LineView, reasons: list[ReturnReason]) -> list[ReturnReason]:
    """The reasons offered for a line: those of its product category ('Too small' is not offered
    for a serum), and only defects once only the legal guarantee covers it."""
    category = view.line.category
    offered = [r for r in reasons if r.offered_for(category)]
    if view.guarantee_only:
        return [r for r in offered if r.code in GUARANTEE_REASONS]
    return offered


def exchange_options(*, store: Store, lines: list[OrderLine]) -> dict[int, list[Product]]:
    """Per order line, the other active variants of the same product (same ``group``)."""
    skus = {ln.sku for ln in lines}
    known = {p.sku: p for p in Product.objects.filter(store=store, sku__in=skus).exclude(group="")}
    groups = {p.group for p in known.values()}
    variants: dict[str, list[Product]] = {}
    for product in Product.objects.filter(store=store, group__in=groups, active=True).order_by("sku"):
        variants.setdefault(product.group, []).append(product)
    out: dict[int, list[Product]] = {}
    for line in lines:
        same = known.get(line.sku)
        if same is not None:
            out[line.id] = [p for p in variants.get(same.group, []) if p.sku != line.sku]
    return out


def variant_label(product: Product) -> str:
    options = ", ".join(str(v) for v in (product.options or {}).values())
    return f"{product.title} ({options})" if options else product.title


# --- the estimate before confirming -----------------------------------------------------------


@dataclass
class Estimate:
    """What confirming would create: money, right, dates, per-line refusals (``errors``)."""

    currency: str = "EUR"
    fees: list[dict[str, Any]] = field(default_factory=list)
    estimated_refund: Decimal = Decimal("0")
    credit_bonus: Decimal = Decimal("0")
    credit_total: Decimal = Decimal("0")
    shipping_refund: Decimal = Decimal("0")
    right: str = Right.POLICY
    refund_due_by: date | None = None
    ship_by: date | None = None
    auto_approved: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)


def return_estimate(
    *,
    order: Order,
    lines: list[LineRequest],
    resolution: str,
    exchange_items: list[ExchangeRequest] | tuple = (),
    withdrawal_statement: bool = False,
    now: datetime | None = None,
    actor: Actor | None = None,
    channel: str = "portal",
    override: bool = False,
) -> Estimate:
    """The fees, estimate and dates of a return not created yet: a dry run, rolled back.

    Domain refusals come back in ``errors`` instead of being raised, so the summary can show
    them next to the items. Staff creating a return for a customer pass themselves as ``actor``
    with their ``channel`` and ``override``.
    """
    from retour.core.errors import DomainError

    now = now or clock.now()
    actor = actor or Actor.customer(order.customer.email)
    try:
        with transaction.atomic():
            created = return_create(
                order=order, actor=actor, lines=lines, resolution=resolution, channel=channel,
                exchange_items=exchange_items, withdrawal_statement=withdrawal_statement, now=now,
                override=override,
            )  # fmt: skip
            estimate = _estimate_of(return_get(store=order.store, number=created.number), now)
            transaction.set_rollback(True)
    except DomainError as exc:
        return Estimate(currency=order.currency, errors=exc.errors or [{"message": str(exc.detail)}])
    return estimate


def _estimate_of(rr: ReturnRequest, now: datetime) -> Estimate:
    money = return_money(rr)
    return Estimate(
        currency=money.currency,
        fees=money.fees,
        estimated_refund=money.estimated_refund,
        credit_bonus=money.estimated_credit_bonus,
        credit_total=money.estimated_refund + money.estimated_credit_bonus,
        shipping_refund=money.shipping_refund,
        right=rr.right,
        refund_due_by=rr.refund_due_by,
        ship_by=ship_by(rr, now),
        auto_approved=rr.status != Status.REQUESTED,
    )


def ship_by(rr: ReturnRequest, now: datetime | None = None) -> date | None:
    """The last day to send the parcel: the approval's validity once approved; for a
    withdrawal 14 days from the statement; otherwise the approval validity counted from today,
    which an approval (later than today) can only push back."""
    from retour.returns.selectors import return_send_back_by

    if rr.created_at and (rr.right == Right.WITHDRAWAL or rr.expires_at):
        return return_send_back_by(rr)
    start = clock.local_date(rr.created_at or now or clock.now(), rr.store.time_zone)
    return start + timedelta(days=APPROVAL_VALIDITY_DAYS)


# --- the status page --------------------------------------------------------------------------

EVENT_LABELS = {
    "created": _("Return requested"),
    "approved": _("Return approved"),
    "rejected": _("Return rejected"),
    "cancelled": _("Return cancelled"),
    "shipped": _("Parcel sent"),
    "received": _("Parcel received"),
    "inspected": _("Items checked"),
    "refund_issued": _("Refund issued"),
    "completed": _("Return completed"),
    "expired": _("Return expired"),
}

NEXT_STEPS = {
    Status.REQUESTED: _("We are looking at your request. You will get an email as soon as it is approved."),
    Status.APPROVED: _(
        "Print the return slip, put it in the parcel with the items, send the parcel, then tell us below."
    ),
    Status.IN_TRANSIT: _("Your parcel is on its way. We will email you when it arrives."),
    Status.RECEIVED: _("We have your parcel and are checking the items. Your refund follows."),
    Status.COMPLETED: _("Your return is complete. Thank you."),
    Status.REJECTED: _("We could not accept this return. The email we sent says why."),
    Status.CANCELLED: _("This return was cancelled. You can start a new one from your order."),
    Status.EXPIRED: _("This return expired because the parcel was not sent in time."),
}
WITHDRAWAL_NEXT_STEP = _(
    "Send the items back within 14 days of your withdrawal with the return slip. "
    "You will get an email when we receive them."
)


@dataclass
class TimelineEntry:
    at: datetime
    label: Any
    detail: str


def return_for_status(*, token: str) -> ReturnRequest:
    """The return behind a status link (NotFound for any other token)."""
    from retour.returns.selectors import return_get_by_token

    return return_get_by_token(token=token)


def timeline(rr: ReturnRequest) -> list[TimelineEntry]:
    """The return's events, oldest first, with labels in the active language. Staff-only
    events (assignment, internal notes…) have no label here and are not shown to the shopper."""
    entries = []
    for event in return_events(return_request=rr):
        if event.action not in EVENT_LABELS:
            continue
        entries.append(TimelineEntry(at=event.at, label=EVENT_LABELS[event.action], detail=_detail(event)))
    return entries


def _detail(event: ReturnEvent) -> str:
    data = event.data or {}
    if event.action == "shipped":
        return " ".join(str(data[k]) for k in ("carrier", "tracking_number") if data.get(k))
    if event.action == "rejected":
        return str(data.get("reason") or "")
    return ""


def next_step(rr: ReturnRequest) -> Any:
    if rr.status == Status.REQUESTED and rr.right == Right.WITHDRAWAL:
        return WITHDRAWAL_NEXT_STEP
    return NEXT_STEPS.get(Status(rr.status), "")


def status_actions(rr: ReturnRequest) -> dict[str, bool]:
    """What the shopper may do now: ship while approved, cancel while nothing was sent."""
    nothing_sent = rr.shipped_at is None and rr.received_at is None
    return {
        "ship": can("ship", rr.status),
        "cancel": can("cancel", rr.status) and nothing_sent and rr.status != Status.IN_TRANSIT,
        # Before approval only a statutory withdrawal may be sent back at once.
        "slip": rr.status in (Status.APPROVED, Status.IN_TRANSIT)
        or (rr.status == Status.REQUESTED and rr.right == Right.WITHDRAWAL),
    }


def resolution_label(code: str) -> Any:
    try:
        return Resolution(code).label
    except ValueError:
        return code


def resolutions_for_draft(*, order: Any, draft: list[Any], now: Any = None) -> list[str]:
    """The resolutions the shopper may choose for these items: the policy's, plus repair and
    replacement when every item is a defect claimed under the legal guarantee."""
    from retour.core import clock
    from retour.returns.services import line_right, resolutions_allowed

    now = now or clock.now()
    policy = order.store.policy
    eligibility = {e.line.id: e for e in order_returnability(order=order, now=now, policy=policy)}
    today = clock.consumer_date(now, order.ship_country or order.store.country, order.store.time_zone)
    rights = [line_right(eligibility[d.line_id], d.reason, today) for d in draft if d.line_id in eligibility]
    return resolutions_allowed(policy=policy, rights=rights)


# --- the money summary of the status page ------------------------------------------------------


@dataclass
class MoneySummary:
    """What the shopper gets back, said the way the resolution pays it.

    ``kind``: ``refund`` (money to the original payment), ``store_credit`` (one credit amount,
    its bonus included), ``exchange`` (an item, no money), ``repair`` (repair or replacement
    under the guarantee, no money), ``closed`` (cancelled, rejected or expired: nothing is due).
    ``credit_code`` is the store-credit code once one is issued.
    """

    kind: str
    currency: str
    amount: Decimal = Decimal("0")  # the refund, or the credit with its bonus
    bonus: Decimal = Decimal("0")
    fees: list[dict[str, Any]] = field(default_factory=list)
    shipping_refund: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")  # refunded or credited so far
    refund_due_by: date | None = None
    exchange_items: list[dict[str, str]] = field(default_factory=list)
    credit_code: str = ""


def money_summary(rr: ReturnRequest) -> MoneySummary:
    """The status page's money block for ``rr`` (its lines, refunds and exchange items loaded)."""
    money = return_money(rr)
    kind = rr.resolution if rr.resolution in (Resolution.REFUND, Resolution.STORE_CREDIT) else "repair"
    if rr.resolution == Resolution.EXCHANGE:
        kind = "exchange"
    if rr.status in DEAD_STATUSES:
        kind = "closed"
    summary = MoneySummary(kind=kind, currency=money.currency, paid=money.refunded_total)
    if kind == "exchange":
        titles = {ln.order_line_id: ln.order_line.title or ln.order_line.sku for ln in rr.lines.all()}
        items = list(rr.exchange_items.all())
        products = {
            p.sku: p
            for p in Product.objects.filter(store_id=rr.store_id, sku__in={i.sku for i in items if i.sku})
        }
        summary.exchange_items = [
            {
                "instead_of": titles.get(item.order_line_id, ""),
                "wanted": variant_label(products[item.sku])
                if item.sku in products
                else (item.wish or item.sku),
            }
            for item in items
        ]
    if kind in ("refund", "store_credit"):
        summary.amount = money.estimated_refund + money.estimated_credit_bonus
        summary.bonus = money.estimated_credit_bonus
        summary.fees = [{"label": fee_label(f["code"]), "amount": f["amount"]} for f in money.fees]
        summary.shipping_refund = money.shipping_refund
        # The code of credit already issued (refunds and their codes are prefetched by return_get).
        summary.credit_code = next((c.code for r in rr.refunds.all() for c in r.credit_codes.all()), "")
        # Nothing is "due" once paid in full: the legal date only matters while money is owed.
        if rr.refund_due_by and money.refunded_total < money.estimated_refund:
            summary.refund_due_by = rr.refund_due_by
    return summary
