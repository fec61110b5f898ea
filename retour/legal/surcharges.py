"""Late-refund surcharge: France's Code de la consommation L242-4 (legal-returns.md §5.1).

Other countries have no surcharge table here; their statutory interest is not computed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from retour.legal import data
from retour.legal.calendars import check_day
from retour.legal.subdivisions import LegalInputError, law_country
from retour.legal.text import Explanation, TextBuilder, en_day, fr_day


@dataclass(frozen=True)
class LateRefundResult:
    days_late: int
    surcharge_rate: Decimal  # a fraction: 0.05 is 5 %
    surcharge_amount: Decimal
    explanation: Explanation


# Days late (inclusive upper bound) → surcharge. The statutory bands overlap at their bounds, so
# each band includes its upper bound (§5.1 [I]). Up to 10 days: the legal interest rate instead.
_L242_4_BANDS: tuple[tuple[int, Decimal], ...] = (
    (10, Decimal("0")),
    (20, Decimal("0.05")),
    (30, Decimal("0.10")),
    (60, Decimal("0.20")),
    (90, Decimal("0.50")),
)
_L242_4_PER_MONTH = Decimal("0.05")  # "5 points par nouveau mois de retard", per started 30 days
_L242_4_CAP = Decimal("1")  # "jusqu'à concurrence du prix du produit"
_RATE_PLACES = Decimal("0.01")
_ZERO_RATE = Decimal("0.00")


def l242_4_rate(days_late: int) -> Decimal:
    """The L242-4 surcharge as a fraction of the sums due, for a refund ``days_late`` days late.

    ≤10 → 0 (legal interest rate instead); 11-20 → 0.05; 21-30 → 0.10; 31-60 → 0.20;
    61-90 → 0.50; then +0.05 per started 30-day month, capped at 1 (the product price).
    """
    if days_late < 0:
        raise ValueError("days_late cannot be negative")
    for bound, rate in _L242_4_BANDS:
        if days_late <= bound:
            return rate.quantize(_RATE_PLACES)
    months = math.ceil((days_late - 90) / 30)
    return min(Decimal("0.50") + _L242_4_PER_MONTH * months, _L242_4_CAP).quantize(_RATE_PLACES)


def _check_amount(amount: object) -> Decimal:
    if isinstance(amount, (bool, float)) or not isinstance(amount, (Decimal, int, str)):
        raise LegalInputError(
            "amount", f"amount must be a Decimal (never a float), got {amount!r}", "invalid_amount"
        )
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise LegalInputError(
            "amount", f"amount {amount!r} is not a decimal number", "invalid_amount"
        ) from None
    if not value.is_finite():
        raise LegalInputError("amount", "amount must be a finite number", "invalid_amount")
    if value < 0:
        raise LegalInputError("amount", f"amount cannot be negative, got {value}", "negative_amount")
    return value


def _money(value: Decimal, like: Decimal) -> Decimal:
    # The amount's own decimals, at least cents (no currency is known here); commercial rounding.
    places = max(2, -int(like.as_tuple().exponent))
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def late_refund(*, country: str, due_on: date, paid_on: date, amount: Decimal) -> LateRefundResult:
    """Days late and the statutory surcharge for a withdrawal refund paid on ``paid_on``.

    France applies the L242-4 bands to ``amount`` (the sums due). Other countries have no surcharge
    table here: the rate is 0 and the explanation says that statutory interest is not computed.
    A refund paid on or before ``due_on`` is 0 days late.
    """
    cc = law_country(country)
    check_day(due_on, "due_on")
    check_day(paid_on, "paid_on")
    value = _check_amount(amount)
    rule = data.rule_for(cc)
    days_late = max(0, (paid_on - due_on).days)
    text = TextBuilder()
    rate = _ZERO_RATE
    if days_late == 0:
        text.add(
            f"Remboursé le {fr_day(paid_on)}, au plus tard à l'échéance du {fr_day(due_on)} : aucune majoration.",
            f"Refunded on {en_day(paid_on)}, on or before the due date {en_day(due_on)}: no surcharge.",
        )
    elif rule is not None and rule.late_refund_rule == "fr_l242_4":
        rate = l242_4_rate(days_late)
        _explain_l242_4(days_late, rate, _money(value * rate, value), text)
    else:
        text.add(
            f"Remboursé avec {days_late} jour(s) de retard. {cc} n'a pas de barème légal de majoration dans "
            "les données de Retour ; des intérêts légaux peuvent être dus selon le droit national et ne sont "
            "pas calculés ici.",
            f"Refunded {days_late} day(s) late. {cc} has no statutory surcharge table in Retour's data; "
            "statutory interest may be owed under national law and is not computed here.",
        )
    return LateRefundResult(days_late, rate, _money(value * rate, value), text.build())


def _explain_l242_4(days_late: int, rate: Decimal, surcharge: Decimal, text: TextBuilder) -> None:
    law_fr, law_en = "article L242-4 du Code de la consommation", "art. L242-4 of the Code de la consommation"
    if rate == 0:
        text.add(
            f"Remboursé avec {days_late} jour(s) de retard : jusqu'à 10 jours de retard, les sommes dues "
            f"sont majorées du taux d'intérêt légal ({law_fr}), qui n'est pas calculé ici.",
            f"Refunded {days_late} day(s) late: up to 10 days late, the sums due bear interest at the "
            f"legal interest rate ({law_en}), which is not computed here.",
        )
        return
    percent = format((rate * 100).normalize(), "f")
    text.add(
        f"Remboursé avec {days_late} jours de retard : selon l'{law_fr}, les sommes dues sont majorées de "
        f"{percent} %, soit {str(surcharge).replace('.', ',')}.",
        f"Refunded {days_late} days late: under {law_en}, the sums due are increased by {percent}%, i.e. "
        f"{surcharge}.",
    )
    if days_late > 90:
        text.add(
            "Au-delà de 90 jours : 50 % plus 5 points par nouveau mois (de 30 jours) de retard commencé, "
            "jusqu'à concurrence du prix du produit (ici plafonné à 100 % du montant), puis intérêts au "
            "taux légal (non calculés).",
            "Beyond 90 days: 50% plus 5 points per started 30-day month of delay, up to the product price "
            "(capped here at 100% of the amount), then interest at the legal rate (not computed).",
        )
