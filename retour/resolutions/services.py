"""Money back: refunds, and the store-credit ledger.

``original_payment`` refunds are recorded ``pending`` with their own idempotency key and sent to
the order's payment provider after commit (``payments.services``); the customer is told only
once the provider says it succeeded. ``manual`` refunds are done by a
person outside Retour and recorded as succeeded. ``store_credit`` is written to the ledger at
once, with the policy's bonus.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import Forbidden, RefundExceedsRefundable, ValidationFailed, line_error
from retour.core.money import ZERO, money_str, percent_of, quantize
from retour.orders.models import Customer
from retour.policies.models import RefundTrigger, Resolution
from retour.resolutions.credit import credit_code_issue, credit_expiry, credit_ledger_add
from retour.resolutions.models import (
    ProviderState,
    Refund,
    RefundMethod,
    RefundStatus,
    StoreCreditAccount,
    StoreCreditEntry,
)
from retour.returns import transitions
from retour.returns.models import ReturnRequest, Right
from retour.stores.models import Store


def _parse_amount(amount: Decimal | str | None, currency: str) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            _("The amount is not a number."),
            errors=[line_error(["amount"], "invalid_value", _("Not a number."))],
        ) from None
    if not value.is_finite() or value <= 0 or value != quantize(value, currency):
        raise ValidationFailed(
            _("The amount must be positive, with the currency's decimals."),
            errors=[line_error(["amount"], "invalid_value", _("Invalid amount."))],
        )
    return value


@transaction.atomic
def refund_issue(
    *,
    return_request: ReturnRequest,
    actor: Actor,
    method: str,
    amount: Decimal | str | None = None,
    note: str = "",
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Refund:
    """Record a refund of ``amount`` (default: all that is still refundable).

    Never more than refundable (M2), and so never more than the customer paid. A statutory
    withdrawal is refunded to the original payment unless the customer chose store credit.
    """
    from retour.returns.selectors import return_money
    from retour.returns.services import (
        return_event_add,
        return_lock,
        return_maybe_complete,
        return_notify,
        transition_check,
    )

    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("refund", rr)
    if method not in RefundMethod.values:
        raise ValidationFailed(
            _("Unknown refund method."),
            errors=[
                line_error(["method"], "invalid_value", _("Use original_payment, store_credit or manual."))
            ],
        )
    if (
        method == RefundMethod.STORE_CREDIT
        and rr.right == Right.WITHDRAWAL
        and rr.resolution != Resolution.STORE_CREDIT
    ):
        raise ValidationFailed(
            _(
                "A statutory withdrawal is refunded to the original payment unless the customer chose store credit."
            ),
            errors=[
                line_error(
                    ["method"], "store_credit_not_chosen", _("The customer did not choose store credit.")
                )
            ],
        )
    currency = rr.order.currency
    provider, payment_reference = "", ""
    if method == RefundMethod.ORIGINAL_PAYMENT:
        from retour.resolutions.payments.services import refund_route

        provider, payment_reference = refund_route(order=rr.order, store=rr.store)
    requested = _parse_amount(amount, currency)
    money = return_money(ReturnRequest.objects.select_related("store", "order").get(pk=rr.pk))
    value = money.refundable if requested is None else requested
    if value <= 0 or value > money.refundable:
        raise RefundExceedsRefundable(
            _("At most %(amount)s %(currency)s can still be refunded.")
            % {"amount": money_str(money.refundable, currency), "currency": currency},
            errors=[
                line_error(
                    ["amount"],
                    "refund_exceeds_refundable",
                    _("At most %(amount)s %(currency)s can still be refunded.")
                    % {"amount": money_str(money.refundable, currency), "currency": currency},
                )
            ],
        )
    refund_check_limit(store=rr.store, actor=actor, amount=value, currency=currency)
    refund = Refund.objects.create(
        store_id=rr.store_id,
        return_request=rr,
        amount=value,
        currency=currency,
        method=method,
        status=RefundStatus.PENDING if method == RefundMethod.ORIGINAL_PAYMENT else RefundStatus.SUCCEEDED,
        idempotency_key=idempotency_key or uuid.uuid4().hex,
        provider=provider,
        payment_reference=payment_reference,
        provider_state=ProviderState.QUEUED
        if method == RefundMethod.ORIGINAL_PAYMENT
        else ProviderState.NONE,
        note=note[:2000],
        created_at=now,
        succeeded_at=None if method == RefundMethod.ORIGINAL_PAYMENT else now,
    )
    bonus = ZERO
    if method == RefundMethod.STORE_CREDIT:
        bonus = _credit_refund(rr, refund, now)
    return_event_add(
        rr,
        action="refund_issued",
        from_status=rr.status,
        actor=actor,
        now=now,
        data={
            "refund_id": refund.id,
            "amount": money_str(value, currency),
            "method": method,
            **({"provider": provider} if provider else {}),
            **({"bonus": money_str(bonus, currency)} if bonus else {}),
            **({"note": note} if note else {}),
        },
    )
    if method == RefundMethod.ORIGINAL_PAYMENT:
        from retour.resolutions.payments.services import refund_enqueue

        refund_enqueue(refund)  # the customer hears of it once the provider says it succeeded
    elif method == RefundMethod.STORE_CREDIT:
        return_notify(rr, "credit_issued")  # credit, told as credit: with its code
    else:
        return_notify(rr, "refund_issued")
    return_maybe_complete(rr, actor, now)
    return refund


def refund_check_limit(*, store: Store, actor: Actor, amount: Decimal, currency: str) -> None:
    """A support agent (person or API key) refunds up to the store's agent limit; above it
    an admin must (403 ``refund_needs_admin``). Other actors are not limited here."""
    limit = Store.objects.filter(pk=store.pk).values_list("agent_refund_limit", flat=True).first()
    if actor.role != "agent" or limit is None or amount <= limit:
        return
    raise Forbidden(
        _("Refunds above %(limit)s %(currency)s need an admin.")
        % {"limit": money_str(limit, currency), "currency": currency},
        code="refund_needs_admin",
        errors=[line_error(["amount"], "refund_needs_admin", _("Above the agents' refund limit."))],
    )


def _credit_refund(rr: ReturnRequest, refund: Refund, now: datetime) -> Decimal:
    """Write the refund (and the policy's bonus when the customer chose credit) to the ledger."""
    bonus = ZERO
    if rr.resolution == Resolution.STORE_CREDIT:
        bonus = percent_of(refund.amount, rr.store.policy.store_credit_bonus_percent, refund.currency)
    account = store_credit_account(store=rr.store, customer=rr.customer, currency=refund.currency)
    credit_code_issue(
        account=account,
        refund=refund,
        amount=refund.amount,
        bonus=bonus,
        expires_at=credit_expiry(months=rr.store.policy.store_credit_expiry_months, right=rr.right, now=now),
        note=rr.number,
        now=now,
    )
    return bonus


def store_credit_account(*, store: Store, customer: Customer, currency: str) -> StoreCreditAccount:
    account, _created = StoreCreditAccount.objects.get_or_create(
        store=store, customer=customer, currency=currency
    )
    return StoreCreditAccount.objects.select_for_update().get(pk=account.pk)


@transaction.atomic
def store_credit_spend(
    *,
    store: Store,
    customer: Customer,
    currency: str,
    amount: Decimal,
    note: str = "",
    now: datetime | None = None,
) -> StoreCreditEntry:
    """Use credit (for an exchange or an order); never below zero."""
    now = now or clock.now()
    account = store_credit_account(store=store, customer=customer, currency=currency)
    if amount <= 0 or amount > account.balance:
        raise ValidationFailed(
            _("Not enough store credit."),
            errors=[
                line_error(
                    ["amount"],
                    "insufficient_credit",
                    _("The balance is %(balance)s.") % {"balance": money_str(account.balance, currency)},
                )
            ],
        )
    return credit_ledger_add(account, -amount, "spend", now, note=note)


def refund_auto_credit(*, return_request: ReturnRequest, now: datetime | None = None) -> Refund | None:
    """With any trigger but ``manual``, a store-credit resolution is credited as soon as money
    becomes refundable (bonus included). Called inside the action that reached the trigger."""
    from retour.returns.selectors import return_money

    rr = return_request
    if rr.resolution != Resolution.STORE_CREDIT or not transitions.can("refund", rr.status):
        return None
    if rr.store.policy.refund_trigger == RefundTrigger.MANUAL:
        return None
    money = return_money(ReturnRequest.objects.select_related("store", "order").get(pk=rr.pk))
    if money.refundable <= 0:
        return None
    return refund_issue(
        return_request=rr, actor=Actor.system("refund trigger"), method=RefundMethod.STORE_CREDIT, now=now
    )
