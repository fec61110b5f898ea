"""What can be returned, until when, and why not: one function every channel uses.

Per line: returnable quantity = delivered − units in live returns (requested units while a
return awaits review, approved units afterwards; rejected, cancelled and expired returns give
theirs back). A line is eligible while the policy window or a statutory withdrawal period
runs; lines with a seller-fault defect stay returnable under the legal guarantee.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.errors import LegalInputRefused, line_error
from retour.orders.models import SEAL_EXCLUSIONS, Order, OrderLine
from retour.policies.models import Policy, WindowStart

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
    # A defect appearing by then is presumed to have existed at delivery (shorter for used goods).
    presumption_deadline: date | None = None

    def open_for_guarantee(self, today: date) -> bool:
        return self.guarantee_deadline is not None and today <= self.guarantee_deadline

    @property
    def asks_seal(self) -> bool:
        """Sealed goods within the withdrawal period: whether the seal was broken decides."""
        return self.line.legal_exclusion in SEAL_EXCLUSIONS and self.right == "withdrawal"


@dataclass(frozen=True)
class OrderLaw:
    """The statutory facts of an order, computed once for all its lines."""

    withdrawal_ends_on: date | None
    guarantee_ends_on: date | None
    starts_on: date | None = None  # the consumer's delivery day the periods run from
    country: str = ""


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


@lru_cache(maxsize=4096)
def _presumption_end(country: str, start: date, used: bool) -> date | None:
    from retour.legal import engine

    return engine.guarantee(country=country, delivered_on=start, used=used).presumption_ends_on


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
    return OrderLaw(withdrawal_end, guarantee_end, start, country)


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


def lines_eligibility(
    *,
    order: Order,
    policy: Policy,
    held: Mapping[int, int],
    now: datetime | None = None,
    override: bool = False,
) -> list[LineEligibility]:
    """Eligibility of every line of ``order`` (its lines already on ``order.lines``), given
    ``held``, the units of each line that live returns hold. Reads nothing: the returns app
    loads the lines and the held units (``retour.returns.returnability``), since policies
    never import returns."""
    now = now or clock.now()
    law = order_law(order, policy)
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
    # Sealed goods are excluded only once unsealed after delivery: the answer decides (returns).
    withdrawable = not line.legal_exclusion or line.legal_exclusion in SEAL_EXCLUSIONS
    s_deadline = law.withdrawal_ends_on if withdrawable and line.delivered_quantity else None
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
        presumption_deadline=_presumption_end(law.country, law.starts_on, line.used)
        if law.guarantee_ends_on and law.starts_on and line.delivered_quantity
        else None,
    )
