"""The customer page's reads: orders, returns, refunds, store credit, messages, return rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retour.backoffice.customers import customer_overview, customer_search
from retour.core.actors import Actor
from retour.core.errors import NotFound
from retour.helpdesk.services import message_post
from retour.policies.services import policy_update
from retour.resolutions.services import refund_issue
from retour.returns.services import LineRequest, return_approve, return_cancel, return_create

STAFF = Actor(type="user", name="claire", role="agent")
LINES = [
    {"ref": "L1", "sku": "TSHIRT-M", "title": "T-shirt M", "quantity": 2, "unit_price": "20.00"},
    {"ref": "L2", "sku": "CAP", "title": "Cap", "quantity": 2, "unit_price": "10.00"},
]


def _return(order, sku: str, quantity: int, resolution: str = "refund"):
    line = order.lines.get(sku=sku)
    return return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        lines=[LineRequest(line_id=line.id, quantity=quantity, reason="too_small")],
        resolution=resolution,
    )


@pytest.fixture
def history(store, make_order):
    """Alice: two orders of 4 units each; a refunded return of 2, a credited one of 1, a cancelled one."""
    policy_update(store=store, changes={"refund_trigger": "manual"})
    # No delivery cost: a partial withdrawal would refund its share of it (policies tests).
    free = {"amount": "0", "standard_amount": "0"}
    first, second = (
        make_order("C-1", lines=LINES, shipping=free),
        make_order("C-2", lines=LINES, shipping=free),
    )
    refunded = return_approve(return_request=_return(first, "TSHIRT-M", 2), actor=STAFF)
    refund_issue(return_request=refunded, actor=STAFF, method="manual")
    credited = return_approve(return_request=_return(second, "CAP", 1, "store_credit"), actor=STAFF)
    refund_issue(return_request=credited, actor=STAFF, method="store_credit")
    return_cancel(return_request=_return(second, "TSHIRT-M", 1), actor=STAFF)
    message_post(return_request=refunded, author_type="customer", author_name="Alice", body="Thanks!")
    return first.customer


def test_the_overview_gathers_everything_about_the_customer(store, history):
    view = customer_overview(store=store, customer_id=history.pk)
    assert [o.number for o in view.orders] == ["C-2", "C-1"]
    assert {o.number: o.returns_count for o in view.orders} == {"C-1": 1, "C-2": 2}
    assert len(view.returns) == 3 and sorted(r.units for r in view.returns) == [1, 1, 2]
    assert sorted((r.method, r.amount) for r in view.refunds) == [
        ("manual", Decimal("40.000")),
        ("store_credit", Decimal("10.000")),
    ]
    assert [(a.currency, a.balance) for a in view.credit_balances] == [("EUR", Decimal("10.000"))]
    assert [m.body for m in view.messages] == ["Thanks!"]
    # 3 units returned (the cancelled unit does not count) out of 8 bought
    assert (view.units_returned, view.units_bought, view.return_rate) == (3, 8, Decimal("37.5"))


def test_a_customer_without_orders_has_no_return_rate(store, history):
    from retour.orders.models import Customer

    lonely = Customer.objects.create(store=store, email="bob@example.com")
    assert customer_overview(store=store, customer_id=lonely.pk).return_rate is None


def test_another_stores_customer_is_not_found(other_store, history):
    with pytest.raises(NotFound):
        customer_overview(store=other_store, customer_id=history.pk)


def test_the_overview_costs_the_same_queries_for_a_short_and_a_long_history(store, make_order):
    def cost(customer_id: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            view = customer_overview(store=store, customer_id=customer_id)
            seen = [line.sku for order in view.orders for line in order.lines.all()]
            seen += [(rr.order.number, rr.assignee, rr.units) for rr in view.returns]
            seen += [refund.return_request.number for refund in view.refunds]
            seen += [message.return_request.number for message in view.messages]
            assert seen
        return len(ctx.captured_queries)

    order = make_order("N-0", lines=LINES)
    message_post(return_request=_return(order, "CAP", 1), author_type="customer", author_name="A", body="?")
    short = cost(order.customer_id)
    for i in range(1, 5):
        more = make_order(f"N-{i}", lines=LINES)
        message_post(
            return_request=_return(more, "CAP", 2), author_type="customer", author_name="A", body="?"
        )
    assert cost(order.customer_id) == short


def test_search_finds_customers_by_email_name_or_order_number_with_their_counts(store, other_store, history):
    from retour.orders.models import Customer

    Customer.objects.create(store=store, email="bob@example.com", name="Bob Durand")
    Customer.objects.create(store=other_store, email="alice@example.com", name="Alice Martin")
    assert [c.email for c in customer_search(store=store, query="ALICE@")] == ["alice@example.com"]
    assert [c.email for c in customer_search(store=store, query="durand")] == ["bob@example.com"]
    found = list(customer_search(store=store, query="#c-2"))
    assert [(c.email, c.orders_count, c.returns_count) for c in found] == [("alice@example.com", 2, 3)]
    assert len(customer_search(store=store)) == 2
