"""Reads for refunds and store credit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from retour.core.errors import NotFound
from retour.orders.models import Customer
from retour.resolutions.models import StoreCreditAccount, StoreCreditCode
from retour.stores.models import Store


def return_credit_codes(*, return_request: Any) -> list[StoreCreditCode]:
    """The store credit codes issued for a return (for its status page: shown as credit, with the code)."""
    return list(
        StoreCreditCode.objects.filter(refund__return_request=return_request)
        .select_related("refund")
        .order_by("created_at", "id")
    )


def store_credit_balances(*, store: Store, email: str) -> tuple[Customer, dict[str, Decimal]]:
    """The customer and their balance per currency; NotFound for an unknown customer."""
    customer = Customer.objects.filter(store=store, email=email.strip().lower()).first()
    if customer is None:
        raise NotFound(_("No customer with this email."))
    accounts = StoreCreditAccount.objects.filter(store=store, customer=customer).order_by("currency")
    return customer, {account.currency: account.balance for account in accounts}
