"""The back office shows the 'to refund' queue as a filter on returns."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from retour.policies.services import policy_update
from retour.returns.services import LineRequest, return_approve, return_create, return_receive
from retour.stores.services import staff_add

pytestmark = pytest.mark.django_db


def test_the_to_refund_filter_lists_only_returns_with_money_owed(
    store, make_order, customer_actor, staff_actor
):
    policy_update(store=store, changes={"apply_statutory_rights": False, "refund_trigger": "on_receipt"})
    owed = []
    for number in ("A", "B"):
        order = make_order(number)
        rr = return_create(
            order=order, actor=customer_actor, lines=[LineRequest(order.lines.get().id, 1, "too_small")]
        )
        rr = return_approve(return_request=rr, actor=staff_actor)
        owed.append(rr)
    return_receive(
        return_request=owed[0], actor=staff_actor, lines=[{"id": owed[0].lines.get().id, "quantity": 1}]
    )
    staff_add(store=store, username="agent", role="agent")
    client = Client()
    client.force_login(get_user_model().objects.get(username="agent"))
    page = client.get("/admin/returns/returnrequest/", {"to_refund": "yes"}).content.decode()
    assert owed[0].number in page
    assert owed[1].number not in page
