"""/api/v1/customers/{email}/store-credit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from retour.core.api import api_store, require_role
from retour.core.money import money_str
from retour.resolutions.selectors import store_credit_balances
from retour.stores.models import Role

router = Router(tags=["store credit"])


class CreditBalanceOut(Schema):
    currency: str
    balance: str


class StoreCreditOut(Schema):
    email: str
    currency: str = Field(..., description="The store's currency")
    balance: str = Field(..., description="The balance in the store's currency")
    accounts: list[CreditBalanceOut] = Field(..., description="Every currency the customer holds credit in")


@router.get("/customers/{email}/store-credit", response=StoreCreditOut, summary="A customer's store credit")
def store_credit_endpoint(request: HttpRequest, email: str) -> dict[str, Any]:
    require_role(request, Role.ADMIN, Role.AGENT)  # personal data: not for warehouse keys
    store = api_store(request)
    customer, balances = store_credit_balances(store=store, email=email)
    currency = store.currency
    return {
        "email": customer.email,
        "currency": currency,
        "balance": money_str(balances.get(currency, Decimal("0")), currency),
        "accounts": [{"currency": c, "balance": money_str(b, c)} for c, b in balances.items()],
    }
