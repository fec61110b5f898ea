"""What can be returned, until when, and why not: one function every channel uses.

Per line: returnable quantity = delivered − units in live returns (requested units while a
return awaits review, approved units afterwards; rejected, cancelled and expired returns give
theirs back). A line is eligible while the policy window or a statutory withdrawal period
runs; lines with a seller-fault defect stay returnable under the legal guarantee.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db.models import (
    Case,
    F,
    IntegerField,
    Sum,
    When,
)
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.errors import LegalInputRefused, line_error
from retour.core.prefetch import cache_related
from retour.orders.models import Order, OrderLine
from retour.policies.models import Policy, WindowStart
from retour.stores.models import Store

# Reasons that make a defect the seller's fault and open the legal guarantee.
GUARANTEE_REASONS = ("defective", "not_as_described")


@dataclass
class Refusal:
    code: str
    message: Any

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self.message)}


@dataclass
class LineEligibility:
    line: OrderLine
    delivered_quantity: int
    in_returns_quantity: int
    returnable_quantity: int
    eligible: bool
    deadline: date | None
    statutory_deadline: date | None
    policy_deadline: date | None
    guarantee_deadline: date | None
    right: str | None
    reasons: list[Refusal] = field(default_factory=list)

    def open_for_guarantee(self, today: date) -> bool:
        return self.guarantee_deadline is not None and today <= self.guarantee_deadline


@dataclass(frozen=True)
class OrderLaw:
    """The statutory facts of an order, computed once for all its lines."""

    withdrawal_ends_on: date | None
    guarantee_ends_on: date | None


def _held_units() -> Case:
    from retour.returns.models import Status

    return Case(
        When(return_request__status=Status.REQUESTED, then=F("quantity")),
        default=F("approved_quantity"),
        output_field=IntegerField(),
    )


def in_returns_by_line(order: Order, exclude_return_id: int | None = None) -> dict[int, int]:
    """Units of each order line held by live returns, in one aggregate query."""
    from retour.returns.models import DEAD_STATUSES, ReturnLine

    qs = ReturnLine.objects.filter(order_line__order=order).exclude(return_request__status__in=DEAD_STATUSES)
    if exclude_return_id:
        qs = qs.exclude(return_request_id=exclude_return_id)
    rows = qs.values("order_line_id").annotate(units=Sum(_held_units()))
    return {row["order_line_id"]: row["units"] or 0 for row in rows}


def order_lines_load(order: Order) -> list[OrderLine]:
    """Read the order's lines with ``units_held`` (units in live returns) in one query, and
    cache them on ``order.lines``; ``order.returns_count`` is set on the way.

    Raw SQL on purpose: this runs on every returnability read and return creation, and building
    and compiling the equivalent ORM subquery cost more than the query itself (measured with
    ``make bench``). The SQL is plain and runs on SQLite and PostgreSQL alike.
    """
    from retour.returns.models import DEAD_STATUSES, ReturnLine, ReturnRequest, Status

    line_t, rl_t, rr_t = OrderLine._meta.db_table, ReturnLine._meta.db_table, ReturnRequest._meta.db_table
    dead = ", ".join(["%s"] * len(DEAD_STATUSES))
    sql = (
        f"SELECT ol.*, COALESCE(held.units, 0) AS units_held, "
        f"(SELECT COUNT(*) FROM {rr_t} c WHERE c.order_id = %s) AS order_returns FROM {line_t} ol "
        f"LEFT JOIN (SELECT rl.order_line_id AS line_id, SUM(CASE WHEN rr.status = %s THEN rl.quantity "
        f"ELSE rl.approved_quantity END) AS units FROM {rl_t} rl JOIN {rr_t} rr ON rr.id = rl.return_request_id "
        f"WHERE rr.order_id = %s AND rr.status NOT IN ({dead}) GROUP BY rl.order_line_id) held "
        f"ON held.line_id = ol.id WHERE ol.order_id = %s ORDER BY ol.position, ol.id"
    )
    params = [order.pk, Status.REQUESTED.value, order.pk, *[str(s) for s in DEAD_STATUSES], order.pk]
    lines = list(OrderLine.objects.raw(sql, params))
    # every row carries the order's count of returns: the next return's number needs it
    order.returns_count = lines[0].order_returns if lines else 0  # type: ignore[attr-defined]
    for line in lines:
        line.order = order  # the reverse cache a prefetch would set
    cache_related(order, "lines", lines)
    return lines


def _units_held(order: Order, exclude_return_id: int | None) -> dict[int, int]:
    lines = order.lines.all()
    if exclude_return_id is None and all(hasattr(line, "units_held") for line in lines):
        return {line.id: line.units_held for line in lines}  # type: ignore[attr-defined]
    return in_returns_by_line(order, exclude_return_id)


@lru_cache(maxsize=4096)
def _withdrawal_end(
    country: str,
    start: date,
    subdivision: str | None,
    postal_code: str | None,
    informed: bool,
    informed_on: date | None,
) -> date | None:
    from retour.legal import engine

    result = engine.withdrawal(
        country=country,
        delivered_on=start,
        subdivision=subdivision,
        postal_code=postal_code,
        informed=informed,
        informed_on=informed_on,
    )
    return result.ends_on if result.applies else None


@lru_cache(maxsize=4096)
def _guarantee_end(country: str, start: date) -> date | None:
    from retour.legal import engine

    return engine.guarantee(country=country, delivered_on=start).guarantee_ends_on


def order_law(order: Order, policy: Policy) -> OrderLaw:
    """Statutory withdrawal end and guarantee end for this order (None when they don't apply)."""
    country = order.ship_country or order.store.country
    delivered = [ln.effective_delivered_at for ln in order.lines.all() if ln.delivered_quantity]
    if not delivered or not all(delivered):
        return OrderLaw(None, None)
    # Several goods delivered separately: the period runs from the last one.
    start = clock.consumer_date(max(delivered), country, order.store.time_zone)
    withdrawal_end = None
    with legal_refusal_handled():
        if policy.apply_statutory_rights and not order.is_business:
            withdrawal_end = _withdrawal_end(
                country,
                start,
                order.ship_subdivision or None,
                order.ship_postal_code or None,
                order.withdrawal_info_given,
                order.withdrawal_info_given_on,
            )
        guarantee_end = _guarantee_end(country, start) if not order.is_business else None
    return OrderLaw(withdrawal_end, guarantee_end)


@contextmanager
def legal_refusal_handled() -> Iterator[None]:
    """The engine's refusal of its inputs (an order stored with a date outside its calendars,
    before the API checked dates) becomes a domain error with a code, never a server error."""
    from retour.legal.subdivisions import LegalInputError

    try:
        yield
    except LegalInputError as exc:
        raise LegalInputRefused(
            _("The consumer-law periods of this order cannot be computed: correct its dates."),
            errors=[line_error([exc.field], exc.code, _("Outside the dates the consumer-law rules cover."))],
        ) from exc


def policy_deadline(line: OrderLine, policy: Policy) -> date | None:
    """The last day of the commercial window: calendar days from delivery (or the order)."""
    order = line.order
    start: datetime | None
    if policy.window_starts == WindowStart.ORDER:
        start = order.placed_at
    else:
        start = line.effective_delivered_at
    if start is None:
        return None
    return clock.local_date(start, order.store.time_zone) + timedelta(days=policy.window_days)


def order_returnability(
    *,
    order: Order,
    now: datetime | None = None,
    override: bool = False,
    exclude_return_id: int | None = None,
    policy: Policy | None = None,
    lines_loaded: bool = False,
) -> list[LineEligibility]:
    """Eligibility of every line of ``order``. Callers that have just read the policy, or the
    lines with ``order_lines_load()``, pass ``policy`` / ``lines_loaded=True`` to save
    the queries; otherwise both are read here, fresh."""
    now = now or clock.now()
    if policy is None:
        policy = Policy.objects.get(store_id=order.store_id)
    if not lines_loaded:  # a cached copy may predate another return: read lines and units afresh
        order_lines_load(order)
    law = order_law(order, policy)
    held = _units_held(order, exclude_return_id)
    country = order.ship_country or order.store.country
    today = clock.consumer_date(now, country, order.store.time_zone)
    return [
        _line_eligibility(line, policy, law, held.get(line.id, 0), today, override)
        for line in order.lines.all()
    ]


def _line_eligibility(
    line: OrderLine, policy: Policy, law: OrderLaw, held: int, today: date, override: bool
) -> LineEligibility:
    reasons: list[Refusal] = []
    returnable = max(line.delivered_quantity - held, 0)
    p_deadline = policy_deadline(line, policy) if line.delivered_quantity else None
    s_deadline = law.withdrawal_ends_on if not line.legal_exclusion and line.delivered_quantity else None
    deadline = max((d for d in (p_deadline, s_deadline) if d), default=None)
    right = None
    if s_deadline and today <= s_deadline:
        right = "withdrawal"
    elif p_deadline and today <= p_deadline:
        right = "policy"
    elif law.guarantee_ends_on and today <= law.guarantee_ends_on and line.delivered_quantity:
        right = "guarantee"

    if line.delivered_quantity == 0:
        reasons.append(Refusal("not_delivered", _("This item has not been delivered yet.")))
    elif returnable == 0:
        reasons.append(
            Refusal("quantity_exceeds_returnable", _("Every delivered unit is already in a return."))
        )
    # Scenario E2: the shop's final-sale / not-returnable flags cannot take away the statutory
    # right of withdrawal (CRD art. 16 lists the only exclusions; UK CCR reg. 28 alike): inside
    # the period the line is withdrawn under the right, outside it the flags refuse it. A defect
    # claim under the legal guarantee is never refused for them (returns.services drops them).
    shop_flags_apply = not override and right != "withdrawal"
    if line.final_sale and shop_flags_apply:
        reasons.append(Refusal("final_sale", _("Final-sale items cannot be returned.")))
    if not line.returnable and shop_flags_apply:
        reasons.append(Refusal("not_returnable_item", _("This item cannot be returned.")))
    if line.delivered_quantity and right in (None, "guarantee") and not override:
        reasons.append(Refusal("outside_return_window", _("The return period for this item has ended.")))
    return LineEligibility(
        line=line,
        delivered_quantity=line.delivered_quantity,
        in_returns_quantity=held,
        returnable_quantity=returnable,
        eligible=not reasons,
        deadline=deadline,
        statutory_deadline=s_deadline,
        policy_deadline=p_deadline,
        guarantee_deadline=law.guarantee_ends_on if line.delivered_quantity else None,
        right=right if not override or right else "policy",
        reasons=reasons,
    )


def order_for_returnability(*, store: Store, number: str) -> Order:
    """The store's order with its lines and the units they have in returns (two queries)."""
    from retour.core.errors import NotFound

    try:
        order = Order.objects.get(store=store, number=number)  # unique: no ORDER BY, no LIMIT
    except Order.DoesNotExist:
        raise NotFound(_("No order %(number)s.") % {"number": number}) from None
    order.store = store
    order_lines_load(order)
    return order
