"""Flag statutory-withdrawal refunds that are overdue (issue 3, part 5).

A withdrawal refund is overdue when the trader still owes money after ``refund_due_by``:

* the return was made under the right of withdrawal and is still live (not rejected, cancelled
  or expired) and not an exchange (the customer asked for goods, not money);
* ``refund_due_by`` is before today in the store's time zone (the date itself is a day the
  trader may still pay on: trader-facing dates are never rolled forward, so a refund paid on it is
  on time under every reading);
* the trader may no longer withhold it: in the EU it may wait until it has the goods back or
  proof that they were sent (art. 13(3)), so a return with neither is not overdue yet even though
  its provisional date (notice + 14) has passed. The engine says so (``waiting_for_goods``);
* money is still owed: what the customer can expect for the return (requested, then approved,
  then accepted units; fees and deductions the law allows; the standard delivery when the whole
  order is withdrawn) minus what was already refunded, or what is refundable now if more. The
  refund trigger does not count here: the law's deadline does not wait for the shop's inspection.

Each flagged return gets ``refund_overdue_flagged_at``, a ``refund_overdue`` event (days late,
amount owed and, for a French consumer, the L242-4 surcharge owed if paid today) and a staff
notification. It is flagged once: running the job again changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from retour.core import clock
from retour.core.actors import Actor
from retour.core.money import ZERO, money_str, quantize
from retour.legal import engine
from retour.policies.models import Resolution
from retour.returns.models import DEAD_STATUSES, ReturnRequest, Right
from retour.returns.money import ReturnMoney

log = logging.getLogger(__name__)

BATCH = 500
ACTOR = Actor.system("refund deadline")


def refund_owed(money: ReturnMoney) -> Decimal:
    """What the trader still owes on a return, whatever the refund trigger says."""
    return max(money.estimated_refund - money.refunded_total, money.refundable, ZERO)


def _law_day(rr: ReturnRequest, moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return clock.consumer_date(moment, rr.order.ship_country or rr.store.country, rr.store.time_zone)


def may_still_withhold(rr: ReturnRequest) -> bool:
    """True while the trader may lawfully wait for the goods or a proof of dispatch (EU art. 13(3))."""
    country = rr.order.ship_country or rr.store.country
    try:
        result = engine.refund_due(
            country=country,
            notice_received_on=_law_day(rr, rr.created_at),  # type: ignore[arg-type]
            proof_of_dispatch_on=_law_day(rr, rr.shipped_at),
            goods_received_on=_law_day(rr, rr.received_at),
        )
    except ValueError:  # an unusable country code: nothing lets us say the trader is late
        return True
    return result.waiting_for_goods


def _surcharge(rr: ReturnRequest, due: date, today: date, owed: Decimal) -> dict[str, Any] | None:
    """France's L242-4 surcharge owed if the refund were paid today (country of the shipping address)."""
    country = rr.order.ship_country or rr.store.country
    try:
        rule = engine.country_rule(country)
    except ValueError:
        return None
    if rule is None or rule.late_refund_rule != "fr_l242_4":
        return None
    late = engine.late_refund(country=country, due_on=due, paid_on=today, amount=owed)
    return {
        "rule": "FR L242-4",
        "rate": str(late.surcharge_rate),
        "amount": money_str(late.surcharge_amount, rr.order.currency),
        "explanation": {"fr": late.explanation.fr, "en": late.explanation.en},
    }


def _flag(pk: int, order_id: int, now: datetime) -> bool:
    """Flag one return if it is overdue; True when it was flagged now."""
    from retour.notifications.services import notification_queue
    from retour.returns.selectors import return_money
    from retour.returns.services import return_event_add, return_lock

    rr = return_lock(ReturnRequest(pk=pk, order_id=order_id))
    if rr.refund_overdue_flagged_at is not None or rr.right != Right.WITHDRAWAL or rr.status in DEAD_STATUSES:
        return False
    today = clock.local_date(now, rr.store.time_zone)
    due = rr.refund_due_by
    if due is None or due >= today or rr.resolution == Resolution.EXCHANGE or may_still_withhold(rr):
        return False
    owed = quantize(refund_owed(return_money(rr)), rr.order.currency)
    if owed <= 0:
        return False
    data: dict[str, Any] = {
        "due_on": due.isoformat(),
        "days_late": (today - due).days,
        "amount_due": money_str(owed, rr.order.currency),
        "currency": rr.order.currency,
    }
    surcharge = _surcharge(rr, due, today, owed)
    if surcharge:
        data["surcharge"] = surcharge
    ReturnRequest.objects.filter(pk=rr.pk).update(refund_overdue_flagged_at=now)
    rr.refund_overdue_flagged_at = now
    return_event_add(rr, action="refund_overdue", from_status=rr.status, actor=ACTOR, now=now, data=data)
    notification_queue(
        return_request=rr,
        kind="return_refund_overdue",
        data={
            "days_late": data["days_late"],
            "amount_due": data["amount_due"],
            "surcharge_amount": surcharge["amount"] if surcharge else "",
        },
    )
    return True


def refunds_flag_overdue(*, now: datetime | None = None) -> int:
    """Flag every withdrawal return whose refund is overdue; returns how many were flagged now.

    Each return is checked again and flagged in its own transaction, under the same locks as the
    return actions, so a refund issued meanwhile is seen and a return is never flagged twice.
    """
    now = now or clock.now()
    # No store's local date is more than a day ahead of UTC: narrow in SQL, decide per return.
    horizon = now.date() + timedelta(days=1)
    candidates = (
        ReturnRequest.objects.filter(
            right=Right.WITHDRAWAL, refund_due_by__lt=horizon, refund_overdue_flagged_at__isnull=True
        )
        .exclude(status__in=DEAD_STATUSES)
        .exclude(resolution=Resolution.EXCHANGE)
        .order_by("refund_due_by", "pk")
        .values_list("pk", "order_id")
    )
    flagged = 0
    for pk, order_id in list(candidates[:BATCH]):
        with transaction.atomic():
            flagged += _flag(pk, order_id, now)
    if flagged:
        log.info("flagged %s overdue withdrawal refund(s)", flagged)
    return flagged
