"""Store credit that is worth something: a gift-card style code per credit issued.

Each store-credit refund issues a ``StoreCreditCode`` carrying the refund and the policy's
bonus; the shop redeems it (in part or whole) or voids it through the API, and the periodic
sweep lapses what is left at its expiry. Every move is a ledger entry on the customer's account
(``StoreCreditEntry``) linked to the code, and the account's balance stays the sum of its entries.

Expiry: the policy's ``store_credit_expiry_months`` (0: never). Credit that stands in for money
the law owes the customer (a statutory withdrawal or a guarantee claim refunded as credit at
their request) never lapses: the customer agreed to the form of the refund, not to lose it.
"""

from __future__ import annotations

import calendar
import secrets
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.errors import DomainError, NotFound, ValidationFailed, line_error
from retour.core.money import money_str, quantize
from retour.resolutions.models import (
    CreditCodeStatus,
    Refund,
    StoreCreditAccount,
    StoreCreditCode,
    StoreCreditEntry,
)
from retour.stores.models import Store

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed at a till


class CreditNotUsable(DomainError):
    code = "credit_not_usable"
    title = _("This store credit cannot be used")


def credit_code_new() -> str:
    """``RC-XXXX-XXXX-XXXX``: 60 random bits, grouped to be read and typed."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"RC-{body[:4]}-{body[4:8]}-{body[8:]}"


def normalize_code(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw[2:] if raw.startswith("RC") else raw
    return f"RC-{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else code.strip().upper()


def add_months(moment: datetime, months: int) -> datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def credit_expiry(*, months: int, right: str, now: datetime) -> datetime | None:
    if months <= 0 or right in ("withdrawal", "guarantee"):
        return None
    return add_months(now, months)


def credit_ledger_add(
    account: StoreCreditAccount,
    amount: Decimal,
    kind: str,
    now: datetime,
    *,
    code: StoreCreditCode | None = None,
    refund: Refund | None = None,
    note: str = "",
) -> StoreCreditEntry:
    """One ledger entry; the account's balance moves with it (it stays the sum of its entries)."""
    entry = StoreCreditEntry.objects.create(
        account=account, amount=amount, kind=kind, refund=refund, code=code, note=note[:300], created_at=now
    )
    StoreCreditAccount.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    return entry


def credit_code_issue(
    *,
    account: StoreCreditAccount,
    refund: Refund,
    amount: Decimal,
    bonus: Decimal,
    expires_at: datetime | None,
    note: str,
    now: datetime,
) -> StoreCreditCode:
    """The code for a store-credit refund, and its ledger entries (refund, then bonus)."""
    while True:
        candidate = credit_code_new()
        if not StoreCreditCode.objects.filter(code=candidate).exists():
            break
    code = StoreCreditCode.objects.create(
        store_id=account.store_id,
        account=account,
        refund=refund,
        code=candidate,
        currency=account.currency,
        amount=amount + bonus,
        balance=amount + bonus,
        expires_at=expires_at,
        created_at=now,
    )
    credit_ledger_add(account, amount, "refund", now, code=code, refund=refund, note=note)
    if bonus > 0:
        credit_ledger_add(account, bonus, "bonus", now, code=code, refund=refund, note=note)
    return code


def credit_code_get(*, store: Store, code: str) -> StoreCreditCode:
    found = (
        StoreCreditCode.objects.filter(store=store, code=normalize_code(code))
        .select_related("account__customer", "refund__return_request")
        .first()
    )
    if found is None:
        raise NotFound(_("No store credit with this code."))
    return found


def _usable(code: StoreCreditCode, now: datetime) -> None:
    if code.status == CreditCodeStatus.VOID:
        raise CreditNotUsable(_("This store credit was voided."), code="credit_void")
    if code.status == CreditCodeStatus.EXPIRED or (code.expires_at and code.expires_at <= now):
        raise CreditNotUsable(_("This store credit has expired."), code="credit_expired")


def _locked(store: Store, code: str) -> StoreCreditCode:
    found = credit_code_get(store=store, code=code)
    StoreCreditAccount.objects.select_for_update().filter(pk=found.account_id).first()  # account, then code
    return StoreCreditCode.objects.select_for_update().select_related("account__customer").get(pk=found.pk)


@transaction.atomic
def credit_code_redeem(
    *, store: Store, code: str, amount: Decimal | str, reference: str = "", now: datetime | None = None
) -> StoreCreditEntry:
    """Spend ``amount`` of the code (the shop's checkout); never more than its balance."""
    now = now or clock.now()
    locked = _locked(store, code)
    _usable(locked, now)
    value = Decimal(str(amount))
    if not value.is_finite() or value <= 0 or value != quantize(value, locked.currency):
        raise ValidationFailed(
            _("The amount must be positive, with the currency's decimals."),
            errors=[line_error(["amount"], "invalid_value", _("Invalid amount."))],
        )
    if value > locked.balance:
        raise CreditNotUsable(
            _("Not enough store credit."),
            code="insufficient_credit",
            errors=[
                line_error(
                    ["amount"],
                    "insufficient_credit",
                    _("The balance is %(balance)s.")
                    % {"balance": money_str(locked.balance, locked.currency)},
                )
            ],
        )
    StoreCreditCode.objects.filter(pk=locked.pk).update(
        balance=F("balance") - value,
        status=CreditCodeStatus.SPENT if value == locked.balance else CreditCodeStatus.ACTIVE,
    )
    return credit_ledger_add(locked.account, -value, "spend", now, code=locked, note=reference)


@transaction.atomic
def credit_code_void(
    *, store: Store, code: str, reason: str = "", now: datetime | None = None
) -> StoreCreditCode:
    """Cancel what is left of a code (e.g. the shop refunded it another way)."""
    now = now or clock.now()
    locked = _locked(store, code)
    if locked.status == CreditCodeStatus.VOID:
        return locked
    if locked.balance > 0:
        credit_ledger_add(locked.account, -locked.balance, "void", now, code=locked, note=reason)
    StoreCreditCode.objects.filter(pk=locked.pk).update(balance=0, status=CreditCodeStatus.VOID)
    locked.refresh_from_db()
    return locked


def credit_codes_expire_due(*, now: datetime | None = None) -> int:
    """The sweep: lapse what is left of codes past their expiry, each in its own transaction."""
    now = now or clock.now()
    due = StoreCreditCode.objects.filter(status=CreditCodeStatus.ACTIVE, expires_at__lte=now)
    count = 0
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            StoreCreditAccount.objects.select_for_update().filter(codes__pk=pk).first()
            code = StoreCreditCode.objects.select_for_update().select_related("account").get(pk=pk)
            if code.status != CreditCodeStatus.ACTIVE:
                continue
            if code.balance > 0:
                credit_ledger_add(code.account, -code.balance, "expiry", now, code=code)
            StoreCreditCode.objects.filter(pk=pk).update(balance=0, status=CreditCodeStatus.EXPIRED)
            count += 1
    return count
