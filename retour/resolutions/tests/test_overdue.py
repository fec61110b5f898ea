"""Overdue withdrawal refunds: flagged once, with days late and (France) the L242-4 surcharge.

Dates are worked out by hand. The order is delivered on Wed 1 July 2026; the withdrawal (the
return) reaches the trader on Fri 3 July, so the refund is due at the latest on Fri 17 July
(notice + 14, art. 13(1)); the parcel is sent on Sun 5 July, which does not move that date.
The whole order is withdrawn: 2 × 20.00 + standard delivery 4.90 = 44.90 is owed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from retour.notifications.models import Notification
from retour.policies.services import policy_update
from retour.resolutions.overdue import refunds_flag_overdue
from retour.resolutions.services import refund_issue
from retour.resolutions.tasks import refunds_flag_overdue_task
from retour.returns.models import ReturnEvent, ReturnRequest
from retour.returns.services import (
    ExchangeRequest,
    LineRequest,
    return_approve,
    return_cancel,
    return_create,
    return_inspect,
    return_receive,
    return_ship,
)

D = Decimal
ORDERED = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)  # order_payload's now: delivered 2 days before
NOTICE = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)
SHIPPED = datetime(2026, 7, 5, 10, 0, tzinfo=UTC)


def at(day: int, hour: int = 12, minute: int = 0, month: int = 7) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def withdraw(store, make_order, customer_actor, staff_actor):
    """withdraw(number, country=..., postal_code=..., ship=True, resolution=...) → a withdrawal return."""

    def _make(number="W-1", *, country="FR", postal_code="75001", ship=True, resolution="refund", **kw):
        order = make_order(
            number, now=ORDERED, delivered_days_ago=2, country=country, postal_code=postal_code
        )
        line = order.lines.get()
        exchange = [ExchangeRequest(line_id=line.id, wish="size L")] if resolution == "exchange" else ()
        rr = return_create(
            order=order,
            actor=customer_actor,
            resolution=resolution,
            exchange_items=exchange,
            lines=[LineRequest(line_id=line.id, quantity=2, reason="changed_mind")],
            now=NOTICE,
            **kw,
        )
        rr = return_approve(return_request=rr, actor=staff_actor, now=NOTICE)
        if ship:
            rr = return_ship(return_request=rr, actor=customer_actor, now=SHIPPED)
        return rr

    return _make


def _events(rr):
    return list(ReturnEvent.objects.filter(return_request=rr, action="refund_overdue"))


def test_the_return_is_a_withdrawal_due_on_17_july(withdraw):
    rr = withdraw()
    assert rr.right == "withdrawal"
    assert ReturnRequest.objects.get(pk=rr.pk).refund_due_by == date(2026, 7, 17)


def test_nothing_is_overdue_on_the_due_date_itself(withdraw):
    rr = withdraw()
    assert refunds_flag_overdue(now=at(17, 21, 59)) == 0  # 23:59 in Paris
    assert _events(rr) == []


def test_the_day_after_the_due_date_it_is_flagged_with_one_day_late(withdraw):
    rr = withdraw()
    assert refunds_flag_overdue(now=at(18, 8)) == 1
    rr.refresh_from_db()
    assert rr.refund_overdue_flagged_at == at(18, 8)
    (event,) = _events(rr)
    assert (event.actor_type, event.from_status, event.to_status) == ("system", "in_transit", "in_transit")
    assert event.data["days_late"] == 1
    assert event.data["due_on"] == "2026-07-17"
    assert event.data["amount_due"] == "44.90"
    # Up to 10 days late, L242-4 adds the legal interest rate, which is not computed: 0 here.
    assert event.data["surcharge"]["rate"] == "0.00"
    assert event.data["surcharge"]["amount"] == "0.00"


def test_a_french_refund_11_days_late_owes_5_percent(withdraw):
    rr = withdraw()
    refunds_flag_overdue(now=at(28))  # 28 - 17 = 11 days late: the 5 % band
    data = _events(rr)[0].data
    assert data["days_late"] == 11
    assert data["surcharge"]["rule"] == "FR L242-4"
    assert data["surcharge"]["rate"] == "0.05"
    assert data["surcharge"]["amount"] == "2.25"  # 44.90 × 5 % = 2.245, rounded half up
    assert "L242-4" in data["surcharge"]["explanation"]["fr"]
    assert data["surcharge"]["explanation"]["en"]


def test_a_refund_45_days_late_owes_20_percent(withdraw):
    rr = withdraw()
    refunds_flag_overdue(now=at(31, month=8))  # 17 July + 45 days = 31 August
    data = _events(rr)[0].data
    assert (data["days_late"], data["surcharge"]["rate"], data["surcharge"]["amount"]) == (45, "0.20", "8.98")


def test_flagging_is_idempotent(withdraw):
    rr = withdraw()
    assert refunds_flag_overdue(now=at(20)) == 1
    assert refunds_flag_overdue(now=at(25)) == 0
    assert len(_events(rr)) == 1
    rr.refresh_from_db()
    assert rr.refund_overdue_flagged_at == at(20)


def test_the_staff_is_notified(withdraw, store):
    store.support_email = "support@shop.test"
    store.save()
    rr = withdraw()
    refunds_flag_overdue(now=at(28))
    notification = Notification.objects.get(return_request=rr, kind="return_refund_overdue")
    assert notification.recipient == "support@shop.test"
    assert notification.context["days_late"] == 11
    assert notification.context["amount_due"] == "44.90"
    assert notification.context["surcharge_amount"] == "2.25"


def test_without_a_support_address_it_is_still_flagged(withdraw):
    rr = withdraw()
    assert refunds_flag_overdue(now=at(28)) == 1
    assert not Notification.objects.filter(return_request=rr, kind="return_refund_overdue").exists()


def test_the_store_time_zone_decides_what_today_is(withdraw):
    withdraw()
    assert refunds_flag_overdue(now=at(17, 21, 30)) == 0  # 23:30 on 17 July in Paris
    assert refunds_flag_overdue(now=at(17, 22, 30)) == 1  # 00:30 on 18 July in Paris


def test_while_neither_goods_nor_proof_of_dispatch_arrived_the_trader_may_withhold(withdraw):
    rr = withdraw(ship=False)
    assert refunds_flag_overdue(now=at(30)) == 0
    assert _events(rr) == []


def test_a_refund_paid_in_time_is_not_flagged(withdraw, store, staff_actor):
    policy_update(store=store, changes={"refund_trigger": "on_receipt"})
    rr = withdraw()
    line = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": line.id, "quantity": 2}], now=at(8))
    refund_issue(return_request=rr, actor=staff_actor, method="original_payment", now=at(9))
    assert refunds_flag_overdue(now=at(30)) == 0


def test_a_partial_refund_leaves_the_rest_overdue(withdraw, store, staff_actor):
    policy_update(store=store, changes={"refund_trigger": "on_receipt"})
    rr = withdraw()
    line = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": line.id, "quantity": 2}], now=at(8))
    refund_issue(
        return_request=rr, actor=staff_actor, method="original_payment", amount=D("20.00"), now=at(9)
    )
    assert refunds_flag_overdue(now=at(30)) == 1
    assert _events(rr)[0].data["amount_due"] == "24.90"


def test_the_law_does_not_wait_for_the_shops_inspection(withdraw, store, staff_actor):
    rr = withdraw()  # default trigger on_inspection: nothing is refundable before inspection
    line = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": line.id, "quantity": 2}], now=at(8))
    assert refunds_flag_overdue(now=at(20)) == 1


def test_nothing_is_owed_when_inspection_accepted_no_unit(withdraw, staff_actor):
    rr = withdraw()
    line = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": line.id, "quantity": 2}], now=at(8))
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        now=at(9),
        entries=[
            {
                "id": line.id,
                "quantity": 2,
                "condition": "missing",
                "disposition": "dispose",
                "accepted": False,
            }
        ],
    )
    assert refunds_flag_overdue(now=at(30)) == 0


def test_cancelled_returns_are_not_flagged(withdraw, customer_actor):
    rr = withdraw()
    return_cancel(return_request=rr, actor=customer_actor, now=at(6))
    assert refunds_flag_overdue(now=at(30)) == 0


def test_an_exchange_is_not_a_refund_owed(withdraw):
    withdraw(resolution="exchange")
    assert refunds_flag_overdue(now=at(30)) == 0


def test_a_return_under_the_commercial_policy_has_no_statutory_due_date(store, make_order, customer_actor):
    order = make_order(
        "P-1", now=ORDERED, delivered_days_ago=20
    )  # past the 14 days, within the 30-day policy
    rr = return_create(
        order=order,
        actor=customer_actor,
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="changed_mind")],
        now=NOTICE,
    )
    assert (rr.right, rr.refund_due_by) == ("policy", None)
    assert refunds_flag_overdue(now=at(30, month=9)) == 0


def test_outside_france_there_is_no_surcharge(withdraw):
    rr = withdraw(country="DE", postal_code="10115")
    assert refunds_flag_overdue(now=at(28)) == 1
    data = _events(rr)[0].data
    assert data["days_late"] == 11
    assert "surcharge" not in data


def test_a_uk_refund_is_due_14_days_after_the_proof_of_dispatch(withdraw):
    rr = withdraw(country="GB", postal_code="SW1A 1AA")
    rr.refresh_from_db()
    assert rr.refund_due_by == date(2026, 7, 19)  # shipped Sun 5 July + 14
    assert refunds_flag_overdue(now=at(19)) == 0
    assert refunds_flag_overdue(now=at(20)) == 1
    assert "surcharge" not in _events(rr)[0].data


def test_the_task_flags_with_the_real_clock(withdraw):
    rr = withdraw()
    with time_machine.travel(at(28), tick=False):
        assert refunds_flag_overdue_task.call() == 1
    assert _events(rr)[0].data["days_late"] == 11


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_flag_a_return_once(withdraw):
    import threading

    from django.db import connection

    rr = withdraw()
    barrier = threading.Barrier(8)
    counts: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            counts.append(refunds_flag_overdue(now=at(28)))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(counts) == [0] * 7 + [1]
    assert len(_events(rr)) == 1
