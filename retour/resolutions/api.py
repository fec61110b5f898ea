"""/api/v1/returns/{number}/refunds, /api/v1/customers/{email}/store-credit and
/api/v1/payment-provider."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from retour.core.api import api_store, idempotent, require_role
from retour.core.limits import MAX_AMOUNT
from retour.core.money import money_str
from retour.resolutions.credit import credit_code_get, credit_code_redeem, credit_code_void
from retour.resolutions.models import PaymentProviderConfig, StoreCreditCode
from retour.resolutions.payments.services import payment_provider_get, payment_provider_set
from retour.resolutions.schemas import RefundIn
from retour.resolutions.selectors import store_credit_balances
from retour.resolutions.services import refund_issue
from retour.returns.api import REFUND, return_act
from retour.returns.schemas import ReturnOut
from retour.stores.models import Role, Store

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


# --- payment provider --------------------------------------------------------------------------


class PaymentProviderIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    provider: Literal["stripe", "mollie", "manual"]
    secret_key: str | None = Field(
        None, max_length=500, description="Stripe sk_…/rk_…, Mollie test_…/live_…; kept when omitted"
    )
    webhook_secret: str | None = Field(
        None, max_length=500, description="Stripe whsec_…, Mollie's webhook signing secret; kept when omitted"
    )


class PaymentProviderOut(Schema):
    provider: str
    secret_key_set: bool = Field(..., description="Secrets are never shown back")
    secret_key_hint: str = Field(..., description="Kind and last four characters, e.g. sk_test_…4242")
    webhook_secret_set: bool
    webhook_url: str | None = Field(..., description="Where the provider should send its notifications")
    updated_at: datetime | None


def _provider_out(store: Store, config: PaymentProviderConfig | None) -> dict[str, Any]:
    provider = config.provider if config else "manual"
    return {
        "provider": provider,
        "secret_key_set": bool(config and config.secret_key_encrypted),
        "secret_key_hint": config.secret_key_hint if config else "",
        "webhook_secret_set": bool(config and config.webhook_secret_encrypted),
        "webhook_url": None
        if provider == "manual"
        else f"{settings.BASE_URL}/hooks/payments/{provider}/{store.slug}",
        "updated_at": config.updated_at if config else None,
    }


@router.get(
    "/payment-provider",
    response=PaymentProviderOut,
    summary="The store's payment provider",
    tags=["payments"],
)
def payment_provider_endpoint(request: HttpRequest) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    store = api_store(request)
    return _provider_out(store, payment_provider_get(store=store))


@router.put(
    "/payment-provider",
    response=PaymentProviderOut,
    summary="Set the store's payment provider (secrets are stored encrypted and never shown back)",
    tags=["payments"],
)
def payment_provider_put_endpoint(request: HttpRequest, payload: PaymentProviderIn) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    store = api_store(request)
    config = payment_provider_set(
        store=store,
        provider=payload.provider,
        secret_key=payload.secret_key or None,
        webhook_secret=payload.webhook_secret,
    )
    return _provider_out(store, config)


# --- store credit codes (the shop redeems and voids them) ------------------------------------


class CreditCodeOut(Schema):
    code: str
    currency: str
    amount: str = Field(..., description="What was issued (credit and bonus)")
    balance: str = Field(..., description="What is left to spend")
    status: str = Field(..., description="active | spent | expired | void")
    expires_at: datetime | None
    customer_email: str
    return_number: str | None
    created_at: datetime


class CreditRedeemIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount: Decimal = Field(..., gt=0, le=MAX_AMOUNT, description='Decimal string, e.g. "19.90"')
    reference: str = Field("", max_length=200, description="The shop's order or checkout reference")


class CreditVoidIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field("", max_length=300)


def credit_code_out(code: StoreCreditCode) -> dict[str, Any]:
    refund = code.refund
    return {
        "code": code.code,
        "currency": code.currency,
        "amount": money_str(code.amount, code.currency),
        "balance": money_str(code.balance, code.currency),
        "status": code.status,
        "expires_at": code.expires_at,
        "customer_email": code.account.customer.email,
        "return_number": refund.return_request.number if refund else None,
        "created_at": code.created_at,
    }


@router.get("/store-credit/{code}", response=CreditCodeOut, summary="A store credit code and its balance")
def credit_code_endpoint(request: HttpRequest, code: str) -> dict[str, Any]:
    require_role(request, Role.ADMIN, Role.AGENT)
    return credit_code_out(credit_code_get(store=api_store(request), code=code))


@router.post(
    "/store-credit/{code}/redeem",
    response=CreditCodeOut,
    summary="Spend an amount of a store credit code (the shop's checkout)",
)
def credit_redeem_endpoint(request: HttpRequest, code: str, payload: CreditRedeemIn) -> Any:
    require_role(request, Role.ADMIN, Role.AGENT)
    store = api_store(request)

    def handler() -> tuple[int, Any]:
        credit_code_redeem(store=store, code=code, amount=payload.amount, reference=payload.reference)
        return 200, credit_code_out(credit_code_get(store=store, code=code))

    return idempotent(request, handler)


@router.post("/store-credit/{code}/void", response=CreditCodeOut, summary="Cancel what is left of a code")
def credit_void_endpoint(request: HttpRequest, code: str, payload: CreditVoidIn) -> Any:
    require_role(request, Role.ADMIN, Role.AGENT)
    store = api_store(request)

    def handler() -> tuple[int, Any]:
        credit_code_void(store=store, code=code, reason=payload.reason)
        return 200, credit_code_out(credit_code_get(store=store, code=code))

    return idempotent(request, handler)


# Refunds live in resolutions, which builds on returns (returns never import resolutions).
@router.post(
    "/returns/{number}/refunds", response={201: ReturnOut}, tags=["returns"], summary="Record a refund"
)
def return_refund_endpoint(request: HttpRequest, number: str, payload: RefundIn) -> Any:
    """201 with the return; the default amount is all that is still refundable."""
    require_role(request, *REFUND)
    return return_act(
        request,
        number,
        refund_issue,
        status=201,
        method=payload.method.value,
        amount=payload.amount,
        note=payload.note,
    )
