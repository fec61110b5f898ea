"""The return lifecycle through its services: scenarios Q, E, L of scenarios.md."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from retour.core.errors import (
    InvalidTransition,
    NotReturnable,
    QuantityExceedsApproved,
    QuantityExceedsReceived,
    ValidationFailed,
)
from retour.policies.services import policy_update
from retour.returns.models import ReturnEvent, ReturnRequest, Status
from retour.returns.returnability import order_returnability
from retour.returns.services import (
    LineRequest,
    return_approve,
    return_cancel,
    return_close,
    return_create,
    return_expire_due,
    return_inspect,
    return_receive,
    return_reject,
    return_ship,
)

pytestmark = pytest.mark.django_db


def _line(order, ref="L1"):
    return order.lines.get(ref=ref)


def _create(order, actor, qty=1, ref="L1", reason="too_small", **kw):
    return return_create(
        order=order, actor=actor, lines=[LineRequest(_line(order, ref).id, qty, reason)], **kw
    )


def _codes(exc):
    return [e["code"] for e in exc.value.errors]


def _returnable(order, ref="L1"):
    return {e.line.ref: e for e in order_returnability(order=order)}[ref].returnable_quantity


def _lines(ref="L1", quantity=1, delivered=None, **kw):
    line = {"ref": ref, "sku": f"SKU-{ref}", "title": ref, "quantity": quantity, "unit_price": "20.00", **kw}
    if delivered is not None:
        line["delivered_quantity"] = delivered
    return line


# Quantities ----------------------------------------------------------------------------------


def test_q1_more_units_than_delivered_is_refused(make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=1)])
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, qty=2)
    assert _codes(exc) == ["quantity_exceeds_returnable"]
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize("qty", [0, -1])
def test_q1_zero_or_negative_quantity_is_refused(make_order, customer_actor, qty):
    order = make_order(lines=[_lines(quantity=1)])
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, qty=qty)
    assert _codes(exc) == ["invalid_quantity"]


def test_q1_no_lines_or_unknown_line_is_refused(make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=1)])
    with pytest.raises(ValidationFailed):
        return_create(order=order, actor=customer_actor, lines=[])
    with pytest.raises(NotReturnable) as exc:
        return_create(order=order, actor=customer_actor, lines=[LineRequest(999999, 1, "too_small")])
    assert _codes(exc) == ["unknown_line"]
    assert not ReturnRequest.objects.exists()


def test_q2_returnable_quantity_shrinks_with_each_return(make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=3)])
    _create(order, customer_actor, qty=2)
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, qty=2)
    assert _codes(exc) == ["quantity_exceeds_returnable"]
    _create(order, customer_actor, qty=1)
    assert _returnable(order) == 0


def test_q3_returnable_counts_delivered_units_not_ordered(make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=2, delivered=1)])
    with pytest.raises(NotReturnable):
        _create(order, customer_actor, qty=2)
    _create(order, customer_actor, qty=1)


def test_q3_nothing_delivered_means_nothing_returnable(make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=2)], delivered_days_ago=None)
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, qty=1)
    assert "not_delivered" in _codes(exc)
    assert order_returnability(order=order)[0].reasons[0].code == "not_delivered"


@pytest.mark.parametrize("end", ["reject", "cancel", "expire"])
def test_q4_rejected_cancelled_or_expired_returns_give_units_back(
    make_order, customer_actor, staff_actor, end
):
    order = make_order(lines=[_lines(quantity=1)])
    rr = _create(order, customer_actor)
    assert _returnable(order) == 0
    if end == "reject":
        return_reject(return_request=rr, actor=staff_actor, reason="no")
    elif end == "cancel":
        return_cancel(return_request=rr, actor=customer_actor)
    else:
        return_approve(return_request=rr, actor=staff_actor)
        assert return_expire_due(now=timezone.now() + timedelta(days=31)) == 1
    assert _returnable(order) == 1
    _create(order, customer_actor)  # the same unit may be requested again


def test_q5_all_refusals_are_reported_together_per_line(make_order, customer_actor):
    order = make_order(
        lines=[_lines("A", 1), _lines("B", 1, final_sale=True), _lines("C", 1)], delivered_days_ago=20
    )
    with pytest.raises(NotReturnable) as exc:
        return_create(
            order=order,
            actor=customer_actor,
            lines=[
                LineRequest(_line(order, "A").id, 1, "too_small"),
                LineRequest(_line(order, "B").id, 1, "too_small"),
                LineRequest(_line(order, "C").id, 5, "too_small"),
            ],
        )
    by_line = {e["loc"][1]: e["code"] for e in exc.value.errors}
    assert by_line == {1: "final_sale", 2: "quantity_exceeds_returnable"}
    assert not ReturnRequest.objects.exists()


def test_q5_one_return_covers_several_lines(make_order, customer_actor):
    order = make_order(lines=[_lines("A", 1), _lines("B", 2)])
    rr = return_create(
        order=order,
        actor=customer_actor,
        lines=[
            LineRequest(_line(order, "A").id, 1, "too_small"),
            LineRequest(_line(order, "B").id, 2, "changed_mind"),
        ],
    )
    assert sorted(rr.lines.values_list("quantity", flat=True)) == [1, 2]


# Eligibility ---------------------------------------------------------------------------------


def test_e1_outside_the_policy_window_is_refused_and_staff_override_is_audited(
    store, make_order, customer_actor, staff_actor
):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=31)
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor)
    assert _codes(exc) == ["outside_return_window"]
    rr = _create(order, staff_actor, override=True, channel="staff")
    event = rr.events.get(action="created")
    assert event.data["override"] is True
    assert event.actor_name == "agent@shop"
    assert "outside_return_window" in next(iter(event.data["overridden"].values()))


def test_e1_customer_cannot_override(store, make_order, customer_actor):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=31)
    with pytest.raises(NotReturnable):
        _create(order, customer_actor, override=True)


def test_e1_last_day_of_the_window_is_still_open(store, make_order, customer_actor):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=30)
    _create(order, customer_actor)


def test_e2_final_sale_and_not_returnable_lines_are_refused_others_stay_returnable(
    make_order, customer_actor
):
    # Day 20: the statutory withdrawal period is over, the 30-day policy still runs (scenario E2).
    order = make_order(
        lines=[_lines("A", 1, final_sale=True), _lines("B", 1, returnable=False), _lines("C", 1)],
        delivered_days_ago=20,
    )
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, ref="A")
    assert _codes(exc) == ["final_sale"]
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, ref="B")
    assert _codes(exc) == ["not_returnable_item"]
    _create(order, customer_actor, ref="C")


def test_e2_inside_the_withdrawal_period_final_sale_and_not_returnable_lines_are_withdrawn(
    make_order, customer_actor
):
    order = make_order(lines=[_lines("A", 1, final_sale=True), _lines("B", 1, returnable=False)])
    rr = return_create(
        order=order,
        actor=customer_actor,
        lines=[
            LineRequest(_line(order, "A").id, 1, "too_small"),
            LineRequest(_line(order, "B").id, 1, "too_small"),
        ],
    )
    assert rr.right == "withdrawal"
    assert {ln.right for ln in rr.lines.all()} == {"withdrawal"}


def test_e3_returnability_explains_itself(store, make_order):
    policy_update(store=store, changes={"apply_statutory_rights": False})
    order = make_order(lines=[_lines("A", 1, final_sale=True), _lines("B", 1)], delivered_days_ago=10)
    rows = {e.line.ref: e for e in order_returnability(order=order)}
    assert rows["A"].eligible is False
    assert [r.code for r in rows["A"].reasons] == ["final_sale"]
    assert str(rows["A"].reasons[0].message)
    assert rows["B"].eligible is True
    delivered_local = timezone.localtime(
        order.delivered_at, timezone=__import__("zoneinfo").ZoneInfo("Europe/Paris")
    )
    assert rows["B"].deadline == delivered_local.date() + timedelta(days=30)


def test_e4_unknown_reason_is_refused(make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=1)])
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, reason="because")
    assert _codes(exc) == ["unknown_reason"]


def test_resolution_the_policy_does_not_offer_is_refused(store, make_order, customer_actor):
    policy_update(store=store, changes={"allowed_resolutions": ["refund"]})
    order = make_order(lines=[_lines(quantity=1)])
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, resolution="store_credit")
    assert _codes(exc) == ["resolution_not_allowed"]


def test_auto_approve_policy_approves_at_once_by_the_system(store, make_order, customer_actor):
    policy_update(store=store, changes={"auto_approve": True})
    rr = _create(make_order(lines=[_lines(quantity=1)]), customer_actor)
    assert rr.status == Status.APPROVED
    assert rr.events.get(action="approved").actor_type == "system"


# Lifecycle -----------------------------------------------------------------------------------


def _approved(order, customer_actor, staff_actor, qty=1):
    rr = _create(order, customer_actor, qty=qty)
    return return_approve(return_request=rr, actor=staff_actor)


def _grade(line, quantity, condition, disposition, *, accepted):
    """One inspection entry of ``return_inspect``."""
    return {
        "id": line.id,
        "quantity": quantity,
        "condition": condition,
        "disposition": disposition,
        "accepted": accepted,
    }


def _ids(rr, qty):
    return [{"id": ln.id, "quantity": qty} for ln in rr.lines.all()]


def test_l1_out_of_order_actions_are_refused_and_change_nothing(make_order, customer_actor, staff_actor):
    rr = _create(make_order(lines=[_lines(quantity=1)]), customer_actor)
    for action in (
        lambda: return_ship(return_request=rr, actor=staff_actor),
        lambda: return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1)),
        lambda: return_inspect(return_request=rr, actor=staff_actor, entries=[]),
        lambda: return_close(return_request=rr, actor=staff_actor),
    ):
        with pytest.raises(InvalidTransition):
            action()
    rr.refresh_from_db()
    assert rr.status == Status.REQUESTED
    assert rr.events.count() == 1
    return_approve(return_request=rr, actor=staff_actor)
    with pytest.raises(InvalidTransition):
        return_approve(return_request=rr, actor=staff_actor)
    return_ship(return_request=rr, actor=staff_actor)
    with pytest.raises(InvalidTransition):
        return_ship(return_request=rr, actor=staff_actor)


def test_l1_receive_from_approved_in_transit_and_again_from_received(make_order, customer_actor, staff_actor):
    rr = _approved(make_order(lines=[_lines(quantity=2)]), customer_actor, staff_actor, qty=2)
    rr = return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    assert rr.status == Status.RECEIVED
    rr = return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    assert rr.lines.get().received_quantity == 2


def test_l2_cancel_is_refused_once_something_was_received(make_order, customer_actor, staff_actor):
    rr = _approved(make_order(lines=[_lines(quantity=1)]), customer_actor, staff_actor)
    return_ship(return_request=rr, actor=staff_actor)
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    with pytest.raises(InvalidTransition):
        return_cancel(return_request=rr, actor=staff_actor)
    rr.refresh_from_db()
    assert rr.status == Status.RECEIVED


def test_l3_partial_approval_gives_the_unapproved_unit_back(make_order, customer_actor, staff_actor):
    order = make_order(lines=[_lines(quantity=3)])
    rr = _create(order, customer_actor, qty=3)
    return_approve(return_request=rr, actor=staff_actor, lines=_ids(rr, 2))
    assert rr.lines.get().approved_quantity == 2
    assert _returnable(order) == 1


def test_approving_more_than_requested_is_refused(make_order, customer_actor, staff_actor):
    rr = _create(make_order(lines=[_lines(quantity=3)]), customer_actor, qty=1)
    with pytest.raises(ValidationFailed):
        return_approve(return_request=rr, actor=staff_actor, lines=_ids(rr, 2))
    rr.refresh_from_db()
    assert rr.status == Status.REQUESTED


def test_l4_receiving_more_than_approved_is_refused_across_receipts(make_order, customer_actor, staff_actor):
    rr = _approved(make_order(lines=[_lines(quantity=2)]), customer_actor, staff_actor, qty=2)
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    with pytest.raises(QuantityExceedsApproved):
        return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 2))
    assert rr.lines.get().received_quantity == 1


def test_l5_inspection_restocks_only_restocked_units(make_order, customer_actor, staff_actor):
    from retour.catalog.models import StockMovement

    rr = _approved(make_order(lines=[_lines(quantity=2)]), customer_actor, staff_actor, qty=2)
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 2))
    line = rr.lines.get()
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        entries=[
            _grade(line, 1, "like_new", "restock", accepted=True),
            _grade(line, 1, "damaged", "recycle", accepted=False),
        ],
    )
    stock = StockMovement.objects.filter(sku=line.order_line.sku, location__code="main")
    assert sum(stock.values_list("quantity", flat=True)) == 1
    line.refresh_from_db()
    assert line.accepted_quantity == 1
    assert line.inspections.count() == 2


def test_grading_more_than_received_is_refused(make_order, customer_actor, staff_actor):
    rr = _approved(make_order(lines=[_lines(quantity=2)]), customer_actor, staff_actor, qty=2)
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    line = rr.lines.get()
    with pytest.raises(QuantityExceedsReceived):
        return_inspect(
            return_request=rr,
            actor=staff_actor,
            entries=[
                {"id": line.id, "quantity": 2, "condition": "new", "disposition": "restock", "accepted": True}
            ],
        )
    assert line.inspections.count() == 0


def test_l6_every_action_writes_one_event_in_order(make_order, customer_actor, staff_actor):
    from retour.resolutions.services import refund_issue

    rr = _approved(make_order(lines=[_lines(quantity=1)]), customer_actor, staff_actor)
    return_ship(return_request=rr, actor=customer_actor, carrier="La Poste", tracking_number="6A123")
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    line = rr.lines.get()
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        entries=[
            {"id": line.id, "quantity": 1, "condition": "new", "disposition": "restock", "accepted": True}
        ],
    )
    refund_issue(return_request=rr, actor=staff_actor, method="manual")
    events = list(ReturnEvent.objects.filter(return_request=rr).order_by("at", "id"))
    assert [e.action for e in events] == [
        "created",
        "approved",
        "shipped",
        "received",
        "inspected",
        "refund_issued",
        "completed",
    ]
    assert [(e.from_status, e.to_status) for e in events][:4] == [
        ("", "requested"),
        ("requested", "approved"),
        ("approved", "in_transit"),
        ("in_transit", "received"),
    ]
    assert events[2].actor_type == "customer" and events[2].data["tracking_number"] == "6A123"


def test_close_waits_until_every_received_unit_is_graded(make_order, customer_actor, staff_actor):
    rr = _approved(make_order(lines=[_lines(quantity=1)]), customer_actor, staff_actor)
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    with pytest.raises(InvalidTransition):
        return_close(return_request=rr, actor=staff_actor)
    line = rr.lines.get()
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        entries=[_grade(line, 1, "damaged", "dispose", accepted=False)],
    )
    rr.refresh_from_db()
    # nothing accepted, nothing to refund: resolved, and completed by itself
    assert rr.status == Status.COMPLETED


def test_expiry_only_touches_approved_returns_past_their_date(make_order, customer_actor, staff_actor):
    rr = _approved(make_order(lines=[_lines(quantity=1)]), customer_actor, staff_actor)
    assert return_expire_due(now=timezone.now() + timedelta(days=5)) == 0
    assert return_expire_due(now=timezone.now() + timedelta(days=31)) == 1
    rr.refresh_from_db()
    assert rr.status == Status.EXPIRED
    assert rr.events.last().actor_type == "system"


def test_a_withdrawal_statement_in_the_period_is_approved_at_once_with_one_email(
    make_order, customer_actor, django_capture_on_commit_callbacks
):
    from retour.notifications.models import Notification

    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=3)
    with django_capture_on_commit_callbacks():
        rr = _create(order, customer_actor, withdrawal_statement=True, channel="portal")
    assert (rr.status, rr.right) == (Status.APPROVED, "withdrawal")
    assert rr.events.get(action="approved").actor_type == "system"
    assert list(Notification.objects.filter(return_request=rr).values_list("kind", flat=True)) == [
        "withdrawal_acknowledged"
    ]


def test_a_withdrawal_statement_after_the_period_waits_for_review(store, make_order, customer_actor):
    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=20)  # policy window only
    rr = _create(order, customer_actor, withdrawal_statement=True, channel="portal")
    assert (rr.status, rr.right) == (Status.REQUESTED, "policy")


def test_a_guarantee_claim_may_ask_for_repair_and_pays_no_money(
    store, make_order, customer_actor, staff_actor
):
    from retour.returns.selectors import return_get, return_money

    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=200)  # after every window, FR: 2 years
    rr = _create(order, customer_actor, reason="defective", resolution="repair")
    assert (rr.right, rr.resolution) == ("guarantee", "repair")
    rr = return_approve(return_request=rr, actor=staff_actor)
    return_receive(return_request=rr, actor=staff_actor, lines=_ids(rr, 1))
    line = rr.lines.get()
    return_inspect(
        return_request=rr,
        actor=staff_actor,
        entries=[_grade(line, 1, "defective", "repair", accepted=True)],
    )
    money = return_money(return_get(store=store, number=rr.number))
    assert (money.estimated_refund, money.refundable, money.fees) == (0, 0, [])
    rr.refresh_from_db()
    assert rr.status == Status.COMPLETED  # repaired, nothing to pay: resolved


@pytest.mark.parametrize("resolution", ["repair", "replacement"])
def test_repair_and_replacement_are_only_for_guarantee_claims(make_order, customer_actor, resolution):
    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=3)  # withdrawal, not a guarantee claim
    with pytest.raises(NotReturnable) as exc:
        _create(order, customer_actor, reason="defective", resolution=resolution)
    assert _codes(exc) == ["resolution_not_allowed"]


def test_a_policy_cannot_offer_the_guarantee_remedies(store):
    with pytest.raises(ValidationFailed):
        policy_update(store=store, changes={"allowed_resolutions": ["refund", "repair"]})


def test_expiry_can_be_limited_to_one_store(store, other_store, make_order, customer_actor, staff_actor):
    mine = _approved(make_order(lines=[_lines(quantity=1)]), customer_actor, staff_actor)
    theirs = _approved(
        make_order("9", target_store=other_store, lines=[_lines(quantity=1)]), customer_actor, staff_actor
    )
    assert return_expire_due(now=timezone.now() + timedelta(days=31), store=other_store) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (Status.APPROVED, Status.EXPIRED)


def test_a_withdrawal_is_sent_back_within_14_days_of_the_statement_rolled_forward(
    store, make_order, customer_actor
):
    """Art. 14(1): 14 days from the statement; a consumer-facing end rolls over Christmas Day and
    the weekend, not the 30-day validity of an ordinary approval."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from retour.returns.selectors import return_send_back_by

    statement = datetime(2026, 12, 11, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Friday
    order = make_order(lines=[_lines(quantity=1)], delivered_days_ago=3, now=statement)
    rr = _create(order, customer_actor, withdrawal_statement=True, channel="portal", now=statement)
    assert rr.status == Status.APPROVED
    # 11 Dec + 14 = Friday 25 Dec (Christmas) → Saturday, Sunday → Monday 28 Dec
    assert return_send_back_by(rr) == date(2026, 12, 28)


def test_a_refused_action_is_named_in_the_readers_language(make_order, customer_actor):
    from django.utils import translation

    rr = _create(make_order(lines=[_lines(quantity=1)]), customer_actor)
    messages = {}
    for language in ("fr", "en"):
        with translation.override(language), pytest.raises(InvalidTransition) as exc:
            return_ship(return_request=rr, actor=customer_actor)
        messages[language] = str(exc.value.detail)
    assert messages == {
        "fr": "Cette action (marquer comme expédié) n'est pas possible tant que le retour est « Demandé ».",
        "en": "This action (mark as shipped) is not allowed while the return is Requested.",
    }
