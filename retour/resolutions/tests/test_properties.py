"""Properties over random sequences of returns and refunds (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retour.core.actors import Actor
from retour.core.errors import DomainError
from retour.resolutions.models import Refund
from retour.resolutions.services import refund_issue
from retour.returns.models import ReturnRequest
from retour.returns.returnability import order_returnability
from retour.returns.selectors import return_get, return_money
from retour.returns.services import (
    LineRequest,
    return_approve,
    return_cancel,
    return_create,
    return_inspect,
    return_receive,
)

STAFF = Actor(type="user", name="staff", role="admin")
CUSTOMER = Actor.customer("alice@example.com")

step = st.tuples(
    st.sampled_from(["create", "approve", "receive", "inspect", "refund", "cancel"]),
    st.integers(min_value=-1, max_value=4),  # quantity (may be invalid)
    st.sampled_from(["changed_mind", "defective", "too_small"]),
    st.sampled_from([None, "0.01", "5.00", "13.37", "40.00", "1000.00"]),
)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(step, min_size=1, max_size=14),
    unit_price=st.sampled_from(["9.99", "20.00", "1.10"]),
    discount=st.sampled_from(["0.00", "0.05", "1.00"]),
    fee=st.sampled_from(["0", "2.50"]),
)
def test_refunds_never_exceed_paid_and_returnable_never_negative(
    store, make_order, steps, unit_price, discount, fee
):
    from retour.policies.services import policy_update

    policy_update(store=store, changes={"return_shipping_fee": Decimal(fee), "refund_trigger": "on_receipt"})
    number = f"P{ReturnRequest.objects.count()}-{Refund.objects.count()}-{abs(hash(str(steps))) % 10**8}"
    order = make_order(
        number,
        lines=[{"ref": "L1", "sku": "S", "quantity": 3, "unit_price": unit_price, "discount": discount}],
    )
    line = order.lines.get()
    paid = line.paid_total + order.shipping_amount
    for action, qty, reason, amount in steps:
        rr = ReturnRequest.objects.filter(order=order).order_by("-id").first()
        try:
            if action == "create" or rr is None:
                return_create(order=order, actor=CUSTOMER, lines=[LineRequest(line.id, qty, reason)])
            elif action == "approve":
                return_approve(return_request=rr, actor=STAFF)
            elif action == "receive":
                return_receive(
                    return_request=rr, actor=STAFF, lines=[{"id": rr.lines.get().id, "quantity": qty}]
                )
            elif action == "inspect":
                return_inspect(
                    return_request=rr,
                    actor=STAFF,
                    entries=[
                        {
                            "id": rr.lines.get().id,
                            "quantity": qty,
                            "condition": "new",
                            "disposition": "restock",
                            "accepted": qty % 2 == 0,
                        }
                    ],
                )
            elif action == "refund":
                refund_issue(return_request=rr, actor=STAFF, method="manual", amount=amount)
            else:
                return_cancel(return_request=rr, actor=STAFF)
        except DomainError:
            pass
        refunded = sum(
            Refund.objects.filter(return_request__order=order).values_list("amount", flat=True), Decimal("0")
        )
        assert refunded <= paid
        for elig in order_returnability(order=order):
            assert elig.returnable_quantity >= 0
            assert elig.in_returns_quantity <= elig.delivered_quantity
        for each in ReturnRequest.objects.filter(order=order):
            assert return_money(return_get(store=store, number=each.number)).refundable >= 0
