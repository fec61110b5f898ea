"""Reads for orders, always scoped by store."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from retour.core.errors import NotFound
from retour.orders.models import Order
from retour.stores.models import Store


def order_list(*, store: Store) -> QuerySet[Order]:
    """The store's orders with their customer and lines (two queries per page)."""
    return Order.objects.filter(store=store).select_related("customer").prefetch_related("lines")


def order_get(*, store: Store, number: str) -> Order:
    """The store's order with this number, lines prefetched; NotFound otherwise."""
    order = order_list(store=store).filter(number=number).first()
    if order is None:
        raise NotFound(_("No order %(number)s.") % {"number": number})
    order.store = store  # the caller's store: saves reading it again
    return order


def order_search(*, store: Store, query: str, limit: int = 20) -> list[Order]:
    """The store's orders for a customer on the phone or at the counter: by order number
    (exact first, then starting with it), customer email, customer or shipping name; newest
    first, with their customer (one query). Fewer than two characters find nothing."""
    from django.db.models import Case, IntegerField, Q, Value, When

    text = (query or "").strip().lstrip("#").strip()
    if len(text) < 2:
        return []
    matches = (
        Q(number__istartswith=text)
        | Q(customer__email__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(ship_name__icontains=text)
    )
    exact_first = Case(
        When(number__iexact=text, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    qs = Order.objects.filter(store=store).filter(matches).select_related("customer")
    return list(qs.annotate(exact=exact_first).order_by("exact", "-placed_at", "-id")[:limit])
