"""Which resolutions the shopper is offered for the items they picked."""

from __future__ import annotations

import pytest

from retour.portal.selectors import resolutions_for_draft
from retour.portal.services import DraftLine

pytestmark = pytest.mark.django_db


def test_a_defect_after_the_windows_may_ask_for_repair_or_replacement(make_order):
    order = make_order(delivered_days_ago=200)
    line = order.lines.get()
    offered = resolutions_for_draft(order=order, draft=[DraftLine(line.id, 1, "defective")])
    assert offered == ["refund", "store_credit", "exchange", "repair", "replacement"]


def test_a_return_inside_the_windows_gets_the_policy_options_only(make_order):
    order = make_order(delivered_days_ago=3)
    line = order.lines.get()
    assert resolutions_for_draft(order=order, draft=[DraftLine(line.id, 1, "defective")]) == [
        "refund",
        "store_credit",
        "exchange",
    ]
