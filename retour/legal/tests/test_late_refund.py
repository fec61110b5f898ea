"""France's late-refund surcharge (L242-4); other countries add nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from retour.legal.engine import l242_4_rate, late_refund

D = date.fromisoformat
DUE = D("2026-07-24")


def late(days: int, amount: str = "100.00", country: str = "FR"):
    return late_refund(
        country=country, due_on=DUE, paid_on=DUE + timedelta(days=days), amount=Decimal(amount)
    )


def test_fr_l3_eleven_days_late_is_five_percent():
    result = late_refund(
        country="FR", due_on=D("2026-07-24"), paid_on=D("2026-08-04"), amount=Decimal("104.90")
    )
    assert result.days_late == 11
    assert result.surcharge_rate == Decimal("0.05")
    assert result.surcharge_amount == Decimal("5.25")  # 5.245 rounded half up
    assert "L242-4" in result.explanation.fr and "5 %" in result.explanation.fr


@pytest.mark.parametrize(
    ("days", "rate"),
    [
        (1, "0"),
        (10, "0"),  # legal interest rate only
        (11, "0.05"),
        (20, "0.05"),
        (21, "0.10"),
        (30, "0.10"),
        (31, "0.20"),
        (60, "0.20"),
        (61, "0.50"),
        (90, "0.50"),
        (91, "0.55"),
        (120, "0.55"),
        (121, "0.60"),
        (150, "0.60"),
        (151, "0.65"),
        (360, "0.95"),
        (361, "1.00"),
        (1000, "1.00"),
    ],
)
def test_fr_bands_include_their_upper_bound(days, rate):
    result = late(days)
    assert result.days_late == days
    assert result.surcharge_rate == Decimal(rate)
    assert result.surcharge_amount == (Decimal("100.00") * Decimal(rate)).quantize(Decimal("0.01"))


def test_fr_up_to_ten_days_mentions_the_legal_interest_rate():
    result = late(5)
    assert result.surcharge_amount == Decimal("0.00")
    assert "legal interest rate" in result.explanation.en
    assert "taux d'intérêt légal" in result.explanation.fr


def test_fr_cap_is_explained_beyond_90_days():
    assert "up to the product price" in late(200).explanation.en


@pytest.mark.parametrize("paid", ["2026-07-24", "2026-07-01"])
def test_paid_on_or_before_the_due_date_is_not_late(paid):
    result = late_refund(country="FR", due_on=DUE, paid_on=D(paid), amount=Decimal("50.00"))
    assert (result.days_late, result.surcharge_rate, result.surcharge_amount) == (
        0,
        Decimal("0"),
        Decimal("0.00"),
    )


@pytest.mark.parametrize("country", ["DE", "GB", "ES", "US", "JP"])
def test_other_countries_have_no_surcharge(country):
    result = late(45, country=country)
    assert (result.days_late, result.surcharge_rate, result.surcharge_amount) == (
        45,
        Decimal("0"),
        Decimal("0.00"),
    )
    assert "not computed" in result.explanation.en


def test_amount_keeps_its_decimals():
    assert late(15, "19.999").surcharge_amount == Decimal("1.000")
    assert late(15, "100").surcharge_amount == Decimal("5.00")
    assert late(15, "0").surcharge_amount == Decimal("0.00")


def test_rate_function_directly():
    assert l242_4_rate(0) == Decimal("0")
    with pytest.raises(ValueError):
        l242_4_rate(-1)


@pytest.mark.parametrize(
    "amount", [Decimal("-0.01"), -5, 10.5, "abc", Decimal("NaN"), Decimal("Infinity"), None, True]
)
def test_bad_amounts_are_refused(amount):
    with pytest.raises(ValueError, match="amount"):
        late_refund(country="FR", due_on=DUE, paid_on=DUE, amount=amount)


def test_bad_dates_are_refused():
    with pytest.raises(ValueError, match="paid_on"):
        late_refund(country="FR", due_on=DUE, paid_on="2026-08-04", amount=Decimal("1"))  # type: ignore[arg-type]
