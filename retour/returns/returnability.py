"""What an order allows to return, read from the database: the order's lines with the units
that live returns hold, then ``retour.policies.eligibility`` decides line by line.

The held units are the returns app's knowledge (its tables and statuses), so they are read
here and handed to the policy layer, which never imports returns (docs/architecture.md).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, F, IntegerField, Sum, When
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.errors import NotFound
from retour.core.prefetch import cache_related
from retour.orders.models import Order, OrderLine
from retour.policies.eligibility import LineEligibility, lines_eligibility
from retour.policies.models import Policy
from retour.returns.models import DEAD_STATUSES, ReturnLine, ReturnRequest, Status
from retour.stores.models import Store


def _held_units() -> Case:
    return Case(
        When(return_request__status=Status.REQUESTED, then=F("quantity")),
        default=F("approved_quantity"),
        output_field=IntegerField(),
    )


def in_returns_by_line(order: Order, exclude_return_id: int | None = None) -> dict[int, int]:
    """Units of each order line held by live returns, in one aggregate query."""
    qs = ReturnLine.objects.filter(order_line__order=order).exclude(return_request__status__in=DEAD_STATUSES)
    if exclude_return_id:
        qs = qs.exclude(return_request_id=exclude_return_id)
    rows = qs.values("order_line_id").annotate(units=Sum(_held_units()))
    return {row["order_line_id"]: row["units"] or 0 for row in rows}


def order_lines_load(order: Order) -> list[OrderLine]:
    """Read the order's lines with ``units_held`` (units in live returns) in one query, and
    cache them on ``order.lines``; ``order.returns_count`` is set on the way.

    Raw SQL on purpose: this runs on every returnability read and return creation, and building
    and compiling the equivalent ORM subquery cost more than the query itself (measured with
    ``make bench``). The SQL is plain and runs on SQLite and PostgreSQL alike.
    """
    line_t, rl_t, rr_t = OrderLine._meta.db_table, ReturnLine._meta.db_table, ReturnRequest._meta.db_table
    dead = ", ".join(["%s"] * len(DEAD_STATUSES))
    sql = (
        f"SELECT ol.*, COALESCE(held.units, 0) AS units_held, "
        f"(SELECT COUNT(*) FROM {rr_t} c WHERE c.order_id = %s) AS order_returns FROM {line_t} ol "
        f"LEFT JOIN (SELECT rl.order_line_id AS line_id, SUM(CASE WHEN rr.status = %s THEN rl.quantity "
        f"ELSE rl.approved_quantity END) AS units FROM {rl_t} rl JOIN {rr_t} rr ON rr.id = rl.return_request_id "
        f"WHERE rr.order_id = %s AND rr.status NOT IN ({dead}) GROUP BY rl.order_line_id) held "
        f"ON held.line_id = ol.id WHERE ol.order_id = %s ORDER BY ol.position, ol.id"
    )
    params = [order.pk, Status.REQUESTED.value, order.pk, *[str(s) for s in DEAD_STATUSES], order.pk]
    lines = list(OrderLine.objects.raw(sql, params))
    # every row carries the order's count of returns: the next return's number needs it
    order.returns_count = lines[0].order_returns if lines else 0  # type: ignore[attr-defined]
    for line in lines:
        line.order = order  # the reverse cache a prefetch would set
    cache_related(order, "lines", lines)
    return lines


def _units_held(order: Order, exclude_return_id: int | None) -> dict[int, int]:
    lines = order.lines.all()
    if exclude_return_id is None and all(hasattr(line, "units_held") for line in lines):
        return {line.id: line.units_held for line in lines}  # type: ignore[attr-defined]
    return in_returns_by_line(order, exclude_return_id)


def order_returnability(
    *,
    order: Order,
    now: datetime | None = None,
    override: bool = False,
    exclude_return_id: int | None = None,
    policy: Policy | None = None,
    lines_loaded: bool = False,
) -> list[LineEligibility]:
    """Eligibility of every line of ``order``. Callers that have just read the policy, or the
    lines with ``order_lines_load()``, pass ``policy`` / ``lines_loaded=True`` to save
    the queries; otherwise both are read here, fresh."""
    now = now or clock.now()
    if policy is None:
        policy = Policy.objects.get(store_id=order.store_id)
    if not lines_loaded:  # a cached copy may predate another return: read lines and units afresh
        order_lines_load(order)
    held = _units_held(order, exclude_return_id)
    return lines_eligibility(order=order, policy=policy, held=held, now=now, override=override)


def order_for_returnability(*, store: Store, number: str) -> Order:
    """The store's order with its lines and the units they have in returns (two queries)."""
    try:
        order = Order.objects.get(store=store, number=number)  # unique: no ORDER BY, no LIMIT
    except Order.DoesNotExist:
        raise NotFound(_("No order %(number)s.") % {"number": number}) from None
    order.store = store
    order_lines_load(order)
    return order
