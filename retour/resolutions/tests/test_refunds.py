"""Money: scenarios M1–M5, triggers, fees per right, store credit, never more than paid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from retour.core.errors import InvalidTransition, RefundExceedsRefundable, ValidationFailed
from retour.policies.services import policy_update
from retour.resolutions.models import Refund, StoreCreditAccount
from retour.resolutions.payments.services import refund_send
from retour.resolutions.services import refund_issue
from retour.returns.models import Status
from retour.returns.selectors import return_get, return_money
from retour.returns.services import (
    LineRequest,
    return_approve,
    return_create,
    return_inspect,
    return_receive,
    return_ship,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _line(ref="L1", quantity=3, unit_price="20.00", **kw):
    return {
        "ref": ref,
        "sku": f"SKU-{ref}",
        "title": ref,
        "quantity": quantity,
        "unit_price": unit_price,
        **kw,
    }


def _return(order, actor, qty, reason="changed_mind", ref="L1", resolution="refund"):
    line = order.lines.get(ref=ref)
    return return_create(
        order=order, actor=actor, lines=[LineRequest(line.id, qty, reason)], resolution=resolution
    )


def _through_inspection(rr, staff, received, accepted, deduction="0"):
    rr = return_approve(return_request=rr, actor=staff)
    line = rr.lines.get()
    return_receive(return_request=rr, actor=staff, lines=[{"id": line.id, "quantity": received}])
    entries = [
        {
            "id": line.id,
            "quantity": accepted,
            "condition": "new",
            "disposition": "restock",
            "accepted": True,
            "deduction": deduction,
        }
    ]
    if received > accepted:
        entries.append(
            {
                "id": line.id,
                "quantity": received - accepted,
                "condition": "damaged",
                "disposition": "dispose",
                "accepted": False,
            }
        )
    return return_inspect(return_request=rr, actor=staff, entries=entries)


def _money(rr):
    return return_money(return_get(store=rr.store, number=rr.number))


def test_m1_only_accepted_units_are_refundable(store, make_order, customer_actor, staff_actor):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    rr = _return(make_order(lines=[_line(quantity=3)]), customer_actor, 3)
    assert _money(rr).refundable == D("0.00")  # nothing inspected yet
    rr = return_approve(return_request=rr, actor=staff_actor)
    line = rr.lines.get()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": line.id, "quantity": 2}])
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        entries=[
            {"id": line.id, "quantity": 2, "condition": "new", "disposition": "restock", "accepted": True}
        ],
    )
    assert _money(rr).refundable == D("40.00")


def test_m1_fees_come_off_the_refundable_amount(store, make_order, customer_actor, staff_actor):
    policy_update(
        store=store,
        changes={
            "apply_statutory_rights": False,
            "return_shipping_fee": D("4.50"),
            "restocking_fee_percent": D("10"),
        },
    )
    rr = _return(make_order(lines=[_line(quantity=3)]), customer_actor, 3)
    rr = _through_inspection(rr, staff_actor, received=2, accepted=2)
    money = _money(rr)
    assert money.refundable == D("40.00") - D("4.00") - D("4.50")
    assert {f["code"]: f["amount"] for f in money.fees} == {
        "restocking": D("4.00"),
        "return_shipping": D("4.50"),
    }


def test_m2_refund_above_refundable_is_refused_partials_accumulate(
    store, make_order, customer_actor, staff_actor
):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    rr = _through_inspection(
        _return(make_order(lines=[_line(quantity=2)]), customer_actor, 2), staff_actor, received=2, accepted=2
    )
    with pytest.raises(RefundExceedsRefundable):
        refund_issue(return_request=rr, actor=staff_actor, method="manual", amount="40.01")
    assert not Refund.objects.exists()
    refund_issue(return_request=rr, actor=staff_actor, method="manual", amount="15.00")
    refund_issue(return_request=rr, actor=staff_actor, method="original_payment", amount="25.00")
    money = _money(rr)
    assert money.refunded_total == D("40.00") and money.refundable == D("0.00")
    rr.refresh_from_db()
    assert rr.status == Status.RECEIVED  # the provider has not answered yet
    refund_send(refund_id=Refund.objects.get(method="original_payment").pk)
    rr.refresh_from_db()
    assert rr.status == Status.COMPLETED  # fully refunded and resolved: completed by itself
    with pytest.raises((RefundExceedsRefundable, InvalidTransition)):
        refund_issue(return_request=rr, actor=staff_actor, method="manual", amount="0.01")


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1.001"])
def test_refund_amount_must_be_a_positive_amount_in_the_currency(
    store, make_order, customer_actor, staff_actor, amount
):
    rr = _through_inspection(
        _return(make_order(lines=[_line(quantity=1)]), customer_actor, 1), staff_actor, received=1, accepted=1
    )
    with pytest.raises(ValidationFailed):
        refund_issue(return_request=rr, actor=staff_actor, method="manual", amount=amount)


def test_m3_unit_value_is_what_the_customer_paid(store, make_order, customer_actor, staff_actor):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    order = make_order(lines=[_line(quantity=3, unit_price="10.00", discount="5.00")])
    rr = _return(order, customer_actor, 3)
    assert rr.lines.get().unit_refund == D("8.33")  # (30 − 5) / 3, rounded down
    assert _money(rr).estimated_refund == D("25.00")  # all three units: exactly what was paid


def test_m3_thirds_refunded_across_returns_never_exceed_the_line(
    store, make_order, customer_actor, staff_actor
):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    order = make_order(lines=[_line(quantity=3, unit_price="10.00", discount="5.00")])
    total = D("0")
    for _ in range(3):
        rr = _through_inspection(_return(order, customer_actor, 1), staff_actor, received=1, accepted=1)
        total += refund_issue(return_request=rr, actor=staff_actor, method="manual").amount
    assert total <= D("25.00")


@pytest.mark.parametrize(
    "reason,fee",
    [
        ("changed_mind", D("4.50")),
        ("defective", D("0")),
        ("wrong_item", D("0")),
        ("damaged_in_transit", D("0")),
        ("not_as_described", D("0")),
    ],
)
def test_m4_seller_fault_reasons_pay_no_return_fee(store, make_order, customer_actor, reason, fee):
    policy_update(store=store, changes={"apply_statutory_rights": False, "return_shipping_fee": D("4.50")})
    rr = _return(make_order(lines=[_line(quantity=1)]), customer_actor, 1, reason=reason)
    money = _money(rr)
    assert sum((f["amount"] for f in money.fees), D("0")) == fee
    assert money.estimated_refund == D("20.00") - fee


def test_m5_store_credit_adds_the_amount_and_the_bonus(store, make_order, customer_actor, staff_actor):
    policy_update(
        store=store,
        changes={
            "store_credit_bonus_percent": D("10"),
            "refund_trigger": "manual",
            "apply_statutory_rights": False,
        },
    )
    rr = _through_inspection(
        _return(make_order(lines=[_line(quantity=1)]), customer_actor, 1, resolution="store_credit"),
        staff_actor,
        received=1,
        accepted=1,
    )
    refund_issue(return_request=rr, actor=staff_actor, method="store_credit")
    account = StoreCreditAccount.objects.get(customer=rr.customer)
    assert account.balance == D("22.00")
    assert sorted(account.entries.values_list("kind", flat=True)) == ["bonus", "refund"]


def test_store_credit_resolution_is_credited_when_the_trigger_is_reached(
    store, make_order, customer_actor, staff_actor
):
    policy_update(
        store=store,
        changes={
            "refund_trigger": "on_receipt",
            "store_credit_bonus_percent": D("5"),
            "apply_statutory_rights": False,
        },
    )
    rr = _return(make_order(lines=[_line(quantity=1)]), customer_actor, 1, resolution="store_credit")
    rr = return_approve(return_request=rr, actor=staff_actor)
    assert not Refund.objects.exists()
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": rr.lines.get().id, "quantity": 1}])
    refund = Refund.objects.get()
    assert (refund.method, refund.amount) == ("store_credit", D("20.00"))
    assert StoreCreditAccount.objects.get().balance == D("21.00")


@pytest.mark.parametrize(
    "trigger,expected",
    [
        ("on_approval", ["20.00", "20.00", "20.00"]),
        ("on_shipment", ["0.00", "20.00", "20.00"]),
        ("on_receipt", ["0.00", "0.00", "20.00"]),
        ("on_inspection", ["0.00", "0.00", "0.00"]),
    ],
)
def test_refund_trigger_decides_which_units_count(
    store, make_order, customer_actor, staff_actor, trigger, expected
):
    policy_update(store=store, changes={"refund_trigger": trigger, "apply_statutory_rights": False})
    rr = return_approve(
        return_request=_return(make_order(lines=[_line(quantity=1)]), customer_actor, 1), actor=staff_actor
    )
    seen = [str(_money(rr).refundable)]
    return_ship(return_request=rr, actor=staff_actor)
    seen.append(str(_money(rr).refundable))
    return_receive(return_request=rr, actor=staff_actor, lines=[{"id": rr.lines.get().id, "quantity": 1}])
    seen.append(str(_money(rr).refundable))
    assert seen == expected


def test_inspection_deduction_reduces_the_refund(store, make_order, customer_actor, staff_actor):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    rr = _through_inspection(
        _return(make_order(lines=[_line(quantity=1)]), customer_actor, 1),
        staff_actor,
        received=1,
        accepted=1,
        deduction="3.00",
    )
    assert _money(rr).refundable == D("17.00")


def test_withdrawal_of_the_whole_order_refunds_standard_delivery_and_no_restocking_fee(
    store, make_order, customer_actor, staff_actor
):
    policy_update(
        store=store,
        changes={
            "restocking_fee_percent": D("10"),
            "return_shipping_fee": D("4.50"),
            "return_costs_borne_by_customer": False,
        },
    )
    order = make_order(lines=[_line(quantity=1)], delivered_days_ago=2)  # FR, inside 14 days
    rr = _return(order, customer_actor, 1)
    assert rr.right == "withdrawal" and rr.include_shipping_refund
    money = _money(rr)
    assert money.fees == []
    assert money.estimated_refund == D("24.90")  # 20.00 + standard delivery 4.90, not the 9.90 paid
    assert rr.refund_due_by is not None


def test_withdrawal_pays_return_shipping_only_when_the_policy_says_so(store, make_order, customer_actor):
    policy_update(
        store=store,
        changes={
            "restocking_fee_percent": D("10"),
            "return_shipping_fee": D("4.50"),
            "return_costs_borne_by_customer": True,
        },
    )
    rr = _return(make_order(lines=[_line(quantity=2)], delivered_days_ago=2), customer_actor, 1)
    assert [(f["code"], f["amount"]) for f in _money(rr).fees] == [("return_shipping", D("4.50"))]


def test_withdrawal_refund_cannot_go_to_store_credit_unless_chosen(
    store, make_order, customer_actor, staff_actor
):
    policy_update(store=store, changes={"refund_trigger": "manual"})
    rr = _through_inspection(
        _return(make_order(lines=[_line(quantity=1)], delivered_days_ago=2), customer_actor, 1),
        staff_actor,
        received=1,
        accepted=1,
    )
    with pytest.raises(ValidationFailed) as exc:
        refund_issue(return_request=rr, actor=staff_actor, method="store_credit")
    assert exc.value.errors[0]["code"] == "store_credit_not_chosen"
    refund = refund_issue(return_request=rr, actor=staff_actor, method="original_payment")
    refund_send(refund_id=refund.pk)  # the manual provider: staff paid it
    rr.refresh_from_db()
    assert rr.status == Status.COMPLETED


def test_original_payment_refunds_are_pending_for_the_provider(
    store, make_order, customer_actor, staff_actor
):
    rr = _through_inspection(
        _return(make_order(lines=[_line(quantity=1)]), customer_actor, 1), staff_actor, received=1, accepted=1
    )
    refund = refund_issue(return_request=rr, actor=staff_actor, method="original_payment")
    assert refund.status == "pending" and len(refund.idempotency_key) >= 32


def test_a_refunded_return_cannot_be_cancelled(store, make_order, customer_actor, staff_actor):
    from retour.returns.services import return_cancel

    policy_update(store=store, changes={"refund_trigger": "on_approval", "apply_statutory_rights": False})
    rr = return_approve(
        return_request=_return(make_order(lines=[_line(quantity=1)]), customer_actor, 1), actor=staff_actor
    )
    refund_issue(return_request=rr, actor=staff_actor, method="manual")
    with pytest.raises(InvalidTransition):
        return_cancel(return_request=rr, actor=customer_actor)
    rr.refresh_from_db()
    assert rr.status == Status.APPROVED


def test_standard_delivery_is_refunded_in_proportion_to_the_units_that_count(
    store, make_order, customer_actor, staff_actor
):
    order = make_order(lines=[_line(quantity=3)], delivered_days_ago=2)  # FR withdrawal of the whole order
    rr = _return(order, customer_actor, 3)
    assert _money(rr).estimated_refund == D("64.90")
    rr = _through_inspection(rr, staff_actor, received=2, accepted=2)
    # The third unit never came back: the delivery counts for the two that did (2/3 of 4.90).
    assert _money(rr).refundable == D("43.26")


def test_returns_whose_trigger_is_reached_wait_in_the_to_refund_queue(
    store, make_order, customer_actor, staff_actor, api
):
    from retour.returns.selectors import returns_to_refund

    policy_update(store=store, changes={"apply_statutory_rights": False, "refund_trigger": "on_receipt"})
    waiting = return_approve(return_request=_return(make_order("A"), customer_actor, 1), actor=staff_actor)
    return_receive(
        return_request=waiting, actor=staff_actor, lines=[{"id": waiting.lines.get().id, "quantity": 1}]
    )
    return_approve(
        return_request=_return(make_order("B"), customer_actor, 1), actor=staff_actor
    )  # not received
    assert [rr.number for rr, money in returns_to_refund(store=store)] == [waiting.number]
    listed = api.get("/api/v1/returns", {"to_refund": "true"}).json()["items"]
    assert [item["number"] for item in listed] == [waiting.number]
    refund_issue(return_request=waiting, actor=staff_actor, method="manual")
    assert returns_to_refund(store=store) == []
