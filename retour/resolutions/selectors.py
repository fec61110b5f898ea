"""Reads for refunds and store credit."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from retour.core.errors import NotFound
from retour.orders.models import Customer
from retour.resolutions.models import StoreCreditAccount
from retour.stores.models import Store


def store_credit_balances(*, store: Store, email: str) -> tuple[Customer, dict[str, Decimal]]:
    """The customer and their balance per currency; NotFound for an unknown customer."""
    customer = Customer.objects.filter(store=store, email=email.strip().lower()).first()
    if customer is None:
        raise NotFound(_("No customer with this email."))
    accounts = StoreCreditAccount.objects.filter(store=store, customer=customer).order_by("currency")
    return customer, {account.currency: account.balance for account in accounts}
