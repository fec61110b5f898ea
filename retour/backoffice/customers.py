"""Reads about one customer of a store: everything staff need on the customer page.

Orders, returns, refunds, store-credit balance, messages and the return rate, each read in one
query (two for orders with their lines), so the page costs the same whatever the customer's
history. Customers of another store are "not found".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from retour.core.errors import NotFound
from retour.orders.models import Customer, Order, OrderLine
from retour.returns.models import DEAD_STATUSES, ReturnLine, ReturnRequest
from retour.stores.models import Store


def _count(qs: QuerySet, key: str) -> Subquery:
    return Subquery(
        qs.order_by().values(key).annotate(n=Count("id")).values("n"), output_field=IntegerField()
    )


def customer_search(*, store: Store, query: str = "", limit: int = 50) -> QuerySet[Customer]:
    """The store's customers matching ``query`` (email, name, phone, or one of their order
    numbers), newest first, each with ``orders_count`` and ``returns_count`` (one query)."""
    qs = Customer.objects.filter(store=store)
    text = (query or "").strip().lstrip("#").strip()
    if text:
        by_order = Order.objects.filter(store=store, number__iexact=text).values("customer_id")
        qs = qs.filter(
            Q(email__icontains=text) | Q(name__icontains=text) | Q(phone__icontains=text) | Q(pk__in=by_order)
        )
    qs = qs.annotate(
        orders_count=Coalesce(_count(Order.objects.filter(customer=OuterRef("pk")), "customer"), Value(0)),
        returns_count=Coalesce(
            _count(ReturnRequest.objects.filter(customer=OuterRef("pk")), "customer"), Value(0)
        ),
    )
    return qs.order_by("-created_at", "-id")[:limit]


@dataclass
class CustomerOverview:
    customer: Customer
    orders: list[Any] = field(default_factory=list)  # Order, with returns_count
    returns: list[Any] = field(default_factory=list)  # ReturnRequest, with units
    refunds: list[Any] = field(default_factory=list)
    credit_balances: list[Any] = field(default_factory=list)  # StoreCreditAccount, one per currency
    messages: list[Any] = field(default_factory=list)
    units_bought: int = 0
    units_returned: int = 0

    @property
    def return_rate(self) -> Decimal | None:
        """Units returned (in returns that are not rejected, cancelled or expired) per unit
        bought, as a percentage with one decimal; None before the first purchase."""
        if not self.units_bought:
            return None
        rate = Decimal(self.units_returned * 100) / Decimal(self.units_bought)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def customer_get(*, store: Store, customer_id: int) -> Customer:
    customer = Customer.objects.filter(store=store, pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


def customer_overview(*, store: Store, customer_id: int) -> CustomerOverview:
    """Everything about one customer of ``store`` (NotFound for another store's)."""
    from retour.helpdesk.models import Message
    from retour.resolutions.models import Refund, StoreCreditAccount

    customer = customer_get(store=store, customer_id=customer_id)
    orders = list(
        Order.objects.filter(store=store, customer=customer)
        .prefetch_related("lines")
        .annotate(returns_count=_count(ReturnRequest.objects.filter(order=OuterRef("pk")), "order"))
        .order_by("-placed_at", "-id")
    )
    returns = list(
        ReturnRequest.objects.filter(store=store, customer=customer)
        .select_related("order", "assignee")
        .annotate(
            units=Coalesce(
                Subquery(
                    ReturnLine.objects.filter(return_request=OuterRef("pk"))
                    .order_by()
                    .values("return_request")
                    .annotate(n=Sum("quantity"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            )
        )
        .order_by("-created_at", "-id")
    )
    refunds = list(
        Refund.objects.filter(store=store, return_request__customer=customer)
        .select_related("return_request")
        .order_by("-created_at", "-id")
    )
    balances = list(StoreCreditAccount.objects.filter(store=store, customer=customer).order_by("currency"))
    messages = list(
        Message.objects.filter(store=store, return_request__customer=customer)
        .select_related("return_request")
        .order_by("-created_at", "-id")
    )
    bought = OrderLine.objects.filter(order__store=store, order__customer=customer).aggregate(
        n=Coalesce(Sum("quantity"), 0)
    )["n"]
    returned = (
        ReturnLine.objects.filter(return_request__store=store, return_request__customer=customer)
        .exclude(return_request__status__in=DEAD_STATUSES)
        .aggregate(n=Coalesce(Sum("quantity"), 0))["n"]
    )
    return CustomerOverview(
        customer=customer,
        orders=orders,
        returns=returns,
        refunds=refunds,
        credit_balances=balances,
        messages=messages,
        units_bought=bought,
        units_returned=returned,
    )
