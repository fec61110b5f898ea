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
