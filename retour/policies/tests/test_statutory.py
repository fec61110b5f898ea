"""Issue 3 through the real services: returnability, rights, refund due dates and money under the law.

Every expected date is worked out by hand here (day 0 not counted, day 14 rolled forward over
weekends and the public holidays of the consumer's country and region; refund dates never
rolled forward), not read back from the engine. Times are 10:00 UTC: the same calendar day in
Paris and London.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from retour.core.errors import NotReturnable, ValidationFailed
from retour.policies.services import policy_update
from retour.resolutions.services import refund_issue
from retour.returns.models import ReturnRequest
from retour.returns.returnability import order_returnability
from retour.returns.selectors import return_get, return_money
from retour.returns.services import (
    LineRequest,
    return_approve,
    return_create,
    return_inspect,
    return_receive,
    return_ship,
)

D = Decimal


def day(month: int, dom: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, dom, hour, minute, tzinfo=UTC)


def line(ref: str = "L1", quantity: int = 1, unit_price: str = "40.00", **extra):
    return {
        "ref": ref,
        "sku": f"SKU-{ref}",
        "title": ref,
        "quantity": quantity,
        "unit_price": unit_price,
        **extra,
    }


@pytest.fixture
def order_delivered(make_order):
    """order_delivered(number, delivered, lines=..., country=..., **fields): delivered at ``delivered``."""

    def _make(number: str, delivered: datetime, **kwargs):
        kwargs.setdefault("lines", [line()])
        return make_order(number, now=delivered, delivered_days_ago=0, **kwargs)

    return _make


@pytest.fixture
def short_window(store):
    """A 7-day commercial window: shorter than the statutory 14 days."""
    policy_update(store=store, changes={"window_days": 7})
    store.refresh_from_db()
    return store


def _by_ref(order, now):
    return {e.line.ref: e for e in order_returnability(order=order, now=now)}


def _create(order, actor, *, refs=None, quantity=None, reason="changed_mind", now, **kwargs):
    lines = [ln for ln in order.lines.all() if refs is None or ln.ref in refs]
    requests = [LineRequest(line_id=ln.id, quantity=quantity or ln.quantity, reason=reason) for ln in lines]
    return return_create(order=order, actor=actor, lines=requests, now=now, **kwargs)


def _money(rr):
    return return_money(return_get(store=rr.store, number=rr.number))


def _due(rr) -> date | None:
    return ReturnRequest.objects.get(pk=rr.pk).refund_due_by


# --- returnability -------------------------------------------------------------------------------


def test_a_french_consumer_keeps_the_withdrawal_right_after_a_shorter_policy_window(
    short_window, order_delivered
):
    order = order_delivered("S-1", day(7, 3))  # Fri 3 July; day 14 = Fri 17 July, a working day
    elig = _by_ref(order, day(7, 13))["L1"]  # 10 days after delivery: the 7-day policy window is over
    assert elig.policy_deadline == date(2026, 7, 10)
    assert elig.statutory_deadline == date(2026, 7, 17)
    assert elig.deadline == date(2026, 7, 17)
    assert (elig.eligible, elig.right, elig.reasons) == (True, "withdrawal", [])


def test_the_last_day_counts_in_the_consumers_local_time(short_window, order_delivered):
    order = order_delivered("S-2", day(7, 3))
    assert _by_ref(order, day(7, 17, 21, 30))["L1"].eligible  # 23:30 on 17 July in Paris
    late = _by_ref(order, day(7, 17, 22, 30))["L1"]  # 00:30 on 18 July in Paris
    assert not late.eligible
    assert [r.code for r in late.reasons] == ["outside_return_window"]


def test_a_business_order_has_no_statutory_deadline(short_window, order_delivered):
    order = order_delivered("S-3", day(7, 3), is_business=True)
    elig = _by_ref(order, day(7, 13))["L1"]
    assert elig.statutory_deadline is None
    assert not elig.eligible
    assert [r.code for r in elig.reasons] == ["outside_return_window"]


def test_a_us_order_has_no_statutory_deadline(short_window, order_delivered):
    order = order_delivered("S-4", day(7, 3), country="US", postal_code="10001")
    elig = _by_ref(order, day(7, 13))["L1"]
    assert elig.statutory_deadline is None
    assert not elig.eligible


def test_a_line_with_a_legal_exclusion_has_no_statutory_deadline(short_window, order_delivered):
    order = order_delivered("S-5", day(7, 3), lines=[line("L1"), line("L2", legal_exclusion="perishable")])
    by_ref = _by_ref(order, day(7, 13))
    assert by_ref["L1"].statutory_deadline == date(2026, 7, 17)
    assert by_ref["L2"].statutory_deadline is None
    assert not by_ref["L2"].eligible


def test_the_merchant_can_switch_statutory_rights_off(short_window, order_delivered):
    policy_update(store=short_window, changes={"apply_statutory_rights": False})
    order = order_delivered("S-6", day(7, 3))
    assert _by_ref(order, day(7, 13))["L1"].statutory_deadline is None


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        # Day 14 is Good Friday 3 April 2026: a public holiday in Moselle and Alsace only; then
        # Saturday, Sunday and Easter Monday 6 April (nationwide) → Tuesday 7 April.
        ("57000", date(2026, 4, 7)),
        ("67000", date(2026, 4, 7)),
        ("68100", date(2026, 4, 7)),
        ("75001", date(2026, 4, 3)),  # Paris: Good Friday is a working day
    ],
)
def test_regional_holidays_come_from_the_postal_code(short_window, order_delivered, postal_code, expected):
    order = order_delivered(f"M-{postal_code}", day(3, 20), postal_code=postal_code)  # Fri 20 March
    assert _by_ref(order, day(3, 25))["L1"].statutory_deadline == expected


def test_a_labour_day_end_is_rolled_to_monday(short_window, order_delivered):
    order = order_delivered("FR-03", day(4, 17))  # day 14 = Fri 1 May (holiday), Sat, Sun → Mon 4 May
    assert _by_ref(order, day(4, 20))["L1"].statutory_deadline == date(2026, 5, 4)


def test_goods_delivered_separately_count_from_the_last_one(short_window, order_delivered):
    order = order_delivered(
        "EU-14",
        day(7, 1),
        lines=[
            line("L1", delivered_at=day(7, 1).isoformat()),
            line("L2", delivered_at=day(7, 8).isoformat()),
        ],
    )
    by_ref = _by_ref(order, day(7, 9))
    assert by_ref["L1"].statutory_deadline == date(2026, 7, 22)  # 8 July + 14 = Wed 22 July
    assert by_ref["L2"].statutory_deadline == date(2026, 7, 22)


def test_without_the_withdrawal_information_the_period_runs_twelve_months_longer(
    short_window, order_delivered
):
    order = order_delivered("EU-17", day(3, 2), withdrawal_info_given=False)  # Mon 2 March
    elig = _by_ref(order, day(7, 13))["L1"]
    # Initial end Mon 16 March 2026; 12 months later: Tue 16 March 2027, a working day.
    assert elig.statutory_deadline == date(2027, 3, 16)
    assert (elig.eligible, elig.right) == (True, "withdrawal")


def test_information_given_late_ends_the_period_14_days_after_it(short_window, order_delivered):
    order = order_delivered(
        "EU-18", day(3, 2), withdrawal_info_given=False, withdrawal_info_given_on="2026-04-01"
    )
    assert _by_ref(order, day(4, 2))["L1"].statutory_deadline == date(2026, 4, 15)  # Wed 15 April


# --- the legal guarantee -------------------------------------------------------------------------


def test_a_defect_after_the_windows_is_accepted_under_the_guarantee_without_fees(
    store, order_delivered, customer_actor, staff_actor
):
    policy_update(store=store, changes={"restocking_fee_percent": D("10"), "return_shipping_fee": D("5.00")})
    order = order_delivered("G-1", day(3, 2))  # 133 days before 13 July: both windows are over
    elig = _by_ref(order, day(7, 13))["L1"]
    assert elig.guarantee_deadline == date(2028, 3, 2)  # FR: 2 years from delivery
    assert not elig.eligible
    with pytest.raises(NotReturnable):
        _create(order, customer_actor, now=day(7, 13))  # changed my mind: too late
    rr = _create(order, customer_actor, reason="defective", now=day(7, 13))
    assert rr.right == "guarantee"
    assert rr.lines.get().right == "guarantee"
    assert rr.refund_due_by is None
    assert _money(rr).fees == []
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 14))
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 16))
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        now=day(7, 16),
        entries=[
            {"id": ln.id, "quantity": 1, "condition": "defective", "disposition": "repair", "accepted": True}
        ],
    )
    money = _money(rr)
    assert money.fees == []
    assert money.refundable == D("40.00")


# --- refund due dates ----------------------------------------------------------------------------


def test_the_refund_is_due_14_days_after_the_notice_then_follows_the_proof_of_dispatch(
    store, order_delivered, customer_actor, staff_actor
):
    order = order_delivered("EU-22", day(7, 3))
    rr = _create(order, customer_actor, now=day(7, 10))  # the trader learns of it on Fri 10 July
    assert rr.right == "withdrawal"
    assert _due(rr) == date(2026, 7, 24)  # EU-20: Fri 24 July, not rolled forward
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    rr = return_ship(return_request=rr, actor=customer_actor, now=day(7, 29))  # proof of dispatch 29 July
    assert _due(rr) == date(2026, 7, 29)
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(8, 3))
    assert _due(rr) == date(2026, 7, 29)  # the earlier of proof (29 July) and receipt (3 August)


def test_an_early_dispatch_does_not_bring_the_due_date_forward(
    store, order_delivered, customer_actor, staff_actor
):
    order = order_delivered("EU-23", day(7, 3))
    rr = _create(order, customer_actor, now=day(7, 10))
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    rr = return_ship(return_request=rr, actor=customer_actor, now=day(7, 15))
    assert _due(rr) == date(2026, 7, 24)
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 20))
    assert _due(rr) == date(2026, 7, 24)


def test_goods_received_without_a_shipment_notice_set_the_due_date(
    store, order_delivered, customer_actor, staff_actor
):
    order = order_delivered("EU-24", day(7, 3))
    rr = _create(order, customer_actor, now=day(7, 10))
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 30))
    assert _due(rr) == date(2026, 7, 30)


def test_a_uk_refund_is_due_14_days_after_the_first_of_proof_and_receipt(
    store, order_delivered, customer_actor, staff_actor
):
    order = order_delivered("UK-23", day(7, 3), country="GB", postal_code="SW1A 1AA")
    rr = _create(order, customer_actor, now=day(7, 10))
    assert rr.right == "withdrawal"
    assert _due(rr) is None  # UK: nothing is due before the goods or a proof of sending
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    rr = return_ship(return_request=rr, actor=customer_actor, now=day(7, 15))
    assert _due(rr) == date(2026, 7, 29)  # 15 July + 14
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 20))
    assert _due(rr) == date(2026, 7, 29)


def test_a_uk_refund_without_a_shipment_notice_is_due_14_days_after_receipt(
    store, order_delivered, customer_actor, staff_actor
):
    order = order_delivered("UK-24", day(7, 3), country="GB", postal_code="SW1A 1AA")
    rr = _create(order, customer_actor, now=day(7, 10))
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 20))
    assert _due(rr) == date(2026, 8, 3)


def test_a_return_under_the_policy_alone_has_no_refund_due_date(store, order_delivered, customer_actor):
    order = order_delivered("P-1", day(6, 20))  # 20 days before 10 July: within the 30-day policy only
    rr = _create(order, customer_actor, now=day(7, 10))
    assert (rr.right, _due(rr)) == ("policy", None)


# --- money under the law -------------------------------------------------------------------------


def _amt1(order_delivered, number="AMT-1", delivered=None):
    # 40.00 + 60.00; the cheapest standard delivery is 4.90, the customer paid 9.90 for express.
    return order_delivered(
        number,
        delivered or day(7, 3),
        lines=[line("L1", unit_price="40.00"), line("L2", unit_price="60.00")],
        shipping={"amount": "9.90", "standard_amount": "4.90"},
    )


def test_withdrawing_the_whole_order_refunds_the_standard_delivery_not_the_express_supplement(
    store, order_delivered, customer_actor, staff_actor
):
    order = _amt1(order_delivered)
    rr = _create(order, customer_actor, now=day(7, 10))
    assert rr.include_shipping_refund
    assert _money(rr).estimated_refund == D("104.90")
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    lines = list(rr.lines.all())
    return_receive(
        return_request=rr,
        actor=staff_actor,
        now=day(7, 15),
        lines=[{"id": ln.id, "quantity": 1} for ln in lines],
    )
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        now=day(7, 15),
        entries=[
            {"id": ln.id, "quantity": 1, "condition": "new", "disposition": "restock", "accepted": True}
            for ln in lines
        ],
    )
    assert _money(rr).refundable == D("104.90")  # AMT-1: the 5.00 express supplement is not refunded


def test_withdrawing_part_of_the_order_refunds_its_share_of_the_delivery(
    store, order_delivered, customer_actor
):
    # legal/README.md: partial withdrawals refund the standard delivery pro rata to the goods' value.
    rr = _create(_amt1(order_delivered), customer_actor, refs={"L1"}, now=day(7, 10))
    assert rr.include_shipping_refund
    assert rr.delivery_refund == D("1.960")  # 4.90 × 40 / 100
    assert _money(rr).shipping_refund == D("1.96")
    assert _money(rr).estimated_refund == D("41.96")


def test_the_withdrawal_that_completes_the_order_gets_the_rest_of_the_delivery(
    store, order_delivered, customer_actor
):
    order = _amt1(order_delivered)
    first = _create(order, customer_actor, refs={"L1"}, now=day(7, 10))
    second = _create(order, customer_actor, refs={"L2"}, now=day(7, 11))
    assert _money(second).shipping_refund == D("2.94")  # 4.90 − 1.96: the delivery is refunded once
    assert _money(first).shipping_refund + _money(second).shipping_refund == D("4.90")


def test_a_cancelled_partial_withdrawal_gives_its_delivery_share_back(store, order_delivered, customer_actor):
    from retour.returns.services import return_cancel

    order = _amt1(order_delivered)
    first = _create(order, customer_actor, refs={"L1"}, now=day(7, 10))
    return_cancel(return_request=first, actor=customer_actor, now=day(7, 10))
    whole = _create(order, customer_actor, now=day(7, 11))
    assert _money(whole).shipping_refund == D("4.90")


def test_a_business_order_withdraws_nothing_and_gets_no_delivery_share(
    store, order_delivered, customer_actor
):
    order = order_delivered(
        "AMT-B",
        day(7, 3),
        is_business=True,
        lines=[line("L1", unit_price="40.00"), line("L2", unit_price="60.00")],
        shipping={"amount": "9.90", "standard_amount": "4.90"},
    )
    rr = _create(order, customer_actor, refs={"L1"}, now=day(7, 10))
    assert (rr.right, rr.delivery_refund) == ("policy", 0)


def test_returning_the_whole_order_under_the_policy_alone_refunds_no_delivery(
    store, order_delivered, customer_actor
):
    rr = _create(_amt1(order_delivered, "AMT-2", delivered=day(6, 20)), customer_actor, now=day(7, 10))
    assert rr.right == "policy"
    assert _money(rr).estimated_refund == D("100.00")


def test_a_statutory_withdrawal_pays_no_restocking_fee_only_the_announced_return_cost(
    store, order_delivered, customer_actor
):
    policy_update(store=store, changes={"restocking_fee_percent": D("10"), "return_shipping_fee": D("5.00")})
    rr = _create(_amt1(order_delivered), customer_actor, refs={"L1"}, now=day(7, 10))
    money = _money(rr)
    assert money.fees == [{"code": "return_shipping", "amount": D("5.00")}]
    assert money.estimated_refund == D("36.96")  # 40.00 + 1.96 delivery share − 5.00


def test_when_the_trader_bears_return_costs_a_withdrawal_is_free(store, order_delivered, customer_actor):
    policy_update(
        store=store,
        changes={
            "restocking_fee_percent": D("10"),
            "return_shipping_fee": D("5.00"),
            "return_costs_borne_by_customer": False,
        },
    )
    rr = _create(_amt1(order_delivered), customer_actor, refs={"L1"}, now=day(7, 10))
    assert _money(rr).fees == []
    assert _money(rr).estimated_refund == D("41.96")


def test_the_same_return_under_the_policy_alone_pays_both_fees(store, order_delivered, customer_actor):
    policy_update(store=store, changes={"restocking_fee_percent": D("10"), "return_shipping_fee": D("5.00")})
    rr = _create(
        _amt1(order_delivered, "AMT-3", delivered=day(6, 20)), customer_actor, refs={"L1"}, now=day(7, 10)
    )
    assert _money(rr).fees == [
        {"code": "restocking", "amount": D("4.00")},
        {"code": "return_shipping", "amount": D("5.00")},
    ]


def _inspected_with_deduction(order, customer_actor, staff_actor, deduction="10.00"):
    rr = _create(order, customer_actor, now=day(7, 10))
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 15))
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        now=day(7, 15),
        entries=[
            {
                "id": ln.id,
                "quantity": 1,
                "condition": "used",
                "disposition": "refurbish",
                "accepted": True,
                "deduction": deduction,
            }
        ],
    )
    return rr


def test_diminished_value_is_deducted_when_the_information_was_given(
    store, order_delivered, customer_actor, staff_actor
):
    rr = _inspected_with_deduction(
        order_delivered("DV-1", day(7, 3), shipping={"amount": "0", "standard_amount": "0"}),
        customer_actor,
        staff_actor,
    )
    assert _money(rr).refundable == D("30.00")


def test_no_deduction_when_the_withdrawal_information_was_not_given(
    store, order_delivered, customer_actor, staff_actor
):
    order = order_delivered(
        "DV-2", day(7, 3), withdrawal_info_given=False, shipping={"amount": "0", "standard_amount": "0"}
    )
    rr = _inspected_with_deduction(order, customer_actor, staff_actor)
    assert rr.right == "withdrawal"
    assert _money(rr).refundable == D("40.00")


def test_a_withdrawal_is_refunded_to_the_original_payment_unless_credit_was_chosen(
    store, order_delivered, customer_actor, staff_actor
):
    policy_update(store=store, changes={"refund_trigger": "on_approval"})
    rr = _create(order_delivered("RM-1", day(7, 3)), customer_actor, now=day(7, 10))
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 10))
    with pytest.raises(ValidationFailed) as exc:
        refund_issue(return_request=rr, actor=staff_actor, method="store_credit", now=day(7, 11))
    assert exc.value.errors[0]["code"] == "store_credit_not_chosen"
    refund = refund_issue(return_request=rr, actor=staff_actor, method="original_payment", now=day(7, 11))
    assert refund.amount == D("44.90")  # whole order: 40.00 + standard delivery 4.90


# --- scenario E2: the shop's "final sale" cannot take away the statutory right ----------------


def test_a_final_sale_item_can_still_be_withdrawn_within_14_days(short_window, order_delivered):
    order = order_delivered("X-1", day(7, 3), lines=[line("L1", final_sale=True)])
    elig = _by_ref(order, day(7, 13))["L1"]
    assert elig.statutory_deadline == date(2026, 7, 17)
    assert (elig.eligible, elig.right) == (True, "withdrawal")


def test_a_not_returnable_item_can_still_be_withdrawn_within_14_days(short_window, order_delivered):
    order = order_delivered("X-2", day(7, 3), lines=[line("L1", returnable=False)])
    assert _by_ref(order, day(7, 13))["L1"].eligible


def test_a_final_sale_withdrawal_pays_none_of_the_merchants_fees(store, order_delivered, customer_actor):
    policy_update(
        store=store,
        changes={
            "restocking_fee_percent": D("10"),
            "return_shipping_fee": D("5.00"),
            "return_costs_borne_by_customer": False,
        },
    )
    order = order_delivered(
        "X-4",
        day(7, 3),
        lines=[line("L1", final_sale=True)],
        shipping={"amount": "0", "standard_amount": "0"},
    )
    rr = _create(order, customer_actor, now=day(7, 10))
    assert (rr.right, rr.lines.get().right) == ("withdrawal", "withdrawal")
    assert _money(rr).fees == []
    assert _money(rr).estimated_refund == D("40.00")
    assert rr.events.get().data.get("override") is None


def test_after_the_withdrawal_period_final_sale_refuses_the_line(store, order_delivered, customer_actor):
    order = order_delivered("X-5", day(6, 20), lines=[line("L1", final_sale=True), line("L2")])
    by_ref = _by_ref(order, day(7, 10))  # day 20: only the 30-day policy runs
    assert [r.code for r in by_ref["L1"].reasons] == ["final_sale"]
    assert by_ref["L2"].eligible
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, refs={"L1"}, now=day(7, 10))
    assert [e["code"] for e in exc.value.errors] == ["final_sale"]


def test_a_defect_on_a_final_sale_item_is_never_refused(store, order_delivered, customer_actor):
    order = order_delivered("X-6", day(3, 2), lines=[line("L1", final_sale=True, returnable=False)])
    rr = _create(order, customer_actor, reason="defective", now=day(7, 13))  # both windows are over
    assert rr.right == "guarantee"
    in_policy_window = order_delivered("X-7", day(6, 20), lines=[line("L1", final_sale=True)])
    assert _create(in_policy_window, customer_actor, reason="defective", now=day(7, 10)).right == "guarantee"


def test_a_withdrawal_statement_after_the_statutory_period_is_not_a_statutory_withdrawal(
    store, order_delivered, customer_actor
):
    order = _amt1(order_delivered, "X-3", delivered=day(6, 20))  # 20 days before: only the 30-day policy runs
    try:
        rr = _create(order, customer_actor, now=day(7, 10), withdrawal_statement=True)
    except NotReturnable:
        return  # refusing it is fine too
    assert rr.right == "policy"
    assert _due(rr) is None
    assert not rr.include_shipping_refund


# --- sealed goods: excluded only once unsealed after delivery (issue 10 item 2) ------------------


def _serum(order_delivered, number, delivered):
    return order_delivered(number, delivered, lines=[line("L1", legal_exclusion="sealed_hygiene")])


def _create_sealed(order, actor, *, seal_opened, reason="changed_mind", now):
    ln = order.lines.get()
    request = LineRequest(line_id=ln.id, quantity=1, reason=reason, seal_opened=seal_opened)
    return return_create(order=order, actor=actor, lines=[request], now=now)


def test_a_sealed_item_is_withdrawable_from_day_one_and_asks_about_the_seal(short_window, order_delivered):
    elig = _by_ref(_serum(order_delivered, "H-1", day(7, 3)), day(7, 13))["L1"]  # after the 7-day window
    assert (elig.eligible, elig.right, elig.statutory_deadline) == (True, "withdrawal", date(2026, 7, 17))
    assert elig.asks_seal


def test_a_still_sealed_item_is_withdrawn_and_the_answer_kept(short_window, order_delivered, customer_actor):
    rr = _create_sealed(
        _serum(order_delivered, "H-2", day(7, 3)), customer_actor, seal_opened=False, now=day(7, 13)
    )
    assert rr.right == "withdrawal"
    assert rr.lines.get().seal_opened is False


def test_an_unsealed_item_is_excluded_but_a_defect_is_still_covered(
    short_window, order_delivered, customer_actor
):
    order = _serum(order_delivered, "H-3", day(7, 3))
    with pytest.raises(NotReturnable) as exc:
        _create_sealed(order, customer_actor, seal_opened=True, now=day(7, 13))
    assert [(e["loc"], e["code"]) for e in exc.value.errors] == [
        (["lines", 0, "seal_opened"], "statutory_exclusion")
    ]
    assert "health and hygiene" in exc.value.errors[0]["message"]
    rr = _create_sealed(order, customer_actor, seal_opened=True, reason="defective", now=day(7, 13))
    assert rr.right == "guarantee"


def test_other_statutory_exclusions_still_apply_from_day_one(short_window, order_delivered):
    order = order_delivered("H-4", day(7, 3), lines=[line("L1", legal_exclusion="custom_made")])
    elig = _by_ref(order, day(7, 13))["L1"]
    assert (elig.eligible, elig.statutory_deadline, elig.asks_seal) == (False, None, False)


def test_inspection_corrects_the_seal_answer_and_keeps_the_reason(
    short_window, order_delivered, customer_actor, staff_actor
):
    from retour.core.errors import ValidationFailed

    rr = _create_sealed(
        _serum(order_delivered, "H-5", day(7, 3)), customer_actor, seal_opened=False, now=day(7, 13)
    )
    rr = return_approve(return_request=rr, actor=staff_actor, now=day(7, 13))
    ln = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": ln.id, "quantity": 1}], now=day(7, 15))
    entry = {"id": ln.id, "quantity": 1, "condition": "used", "disposition": "dispose", "accepted": False}
    with pytest.raises(ValidationFailed) as exc:
        return_inspect(
            return_request=rr, actor=staff_actor, now=day(7, 15), entries=[{**entry, "seal_opened": True}]
        )
    assert exc.value.errors[0]["loc"] == ["lines", 0, "note"]
    ln.refresh_from_db()
    assert ln.seal_opened is False  # refused: nothing changed
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        now=day(7, 15),
        entries=[{**entry, "seal_opened": True, "note": "Cap unscrewed, seal torn"}],
    )
    ln.refresh_from_db()
    assert ln.seal_opened is True
    event = rr.events.get(action="inspected")
    assert event.data["seal_corrections"] == [
        {"line_id": ln.id, "from": False, "to": True, "reason": "Cap unscrewed, seal torn"}
    ]


# --- used goods: the guarantee's presumption (issue 10 item 3) ----------------------------------


def test_used_goods_have_the_shorter_presumption(short_window, order_delivered):
    order = order_delivered("U-1", day(3, 2), lines=[line("L1"), line("L2", used=True)])  # FR: 24 / 12 months
    by_ref = _by_ref(order, day(7, 13))
    assert by_ref["L1"].presumption_deadline == date(2028, 3, 2)
    assert by_ref["L2"].presumption_deadline == date(2027, 3, 2)
    assert by_ref["L2"].guarantee_deadline == date(2028, 3, 2)  # the guarantee itself stays 2 years
