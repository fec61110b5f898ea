"""Properties that must hold for any input, checked against the holiday calendars directly."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from retour.legal.engine import add_months, guarantee, l242_4_rate, late_refund, refund_due, withdrawal

EU_EEA = ("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO").split()
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def consumer(draw):
    country = draw(st.sampled_from(EU_EEA))
    regions = sorted(holidays.country_holidays(country).subdivisions)
    return country, draw(st.one_of(st.none(), st.sampled_from(regions))) if regions else None


def is_public_holiday(country: str, region: str | None, day: date) -> bool:
    return day in holidays.country_holidays(country, subdiv=region, years=day.year)


@settings(max_examples=300, deadline=None)
@given(consumer(), days)
def test_eu_withdrawal_end_is_a_working_day_at_least_14_days_after_delivery(where, delivered):
    country, region = where
    result = withdrawal(country=country, delivered_on=delivered, subdivision=region)
    assert result.applies and result.days == 14
    assert result.ends_on >= delivered + timedelta(days=14)
    assert result.ends_on.weekday() < 5
    assert not is_public_holiday(country, region, result.ends_on)
    assert result.rolled_forward == (result.ends_on != delivered + timedelta(days=14))
    # Never further than needed: every skipped day was a weekend or a holiday (of some category).
    skipped = delivered + timedelta(days=14)
    while skipped < result.ends_on:
        assert skipped.weekday() >= 5 or skipped in holidays.country_holidays(
            country,
            subdiv=region,
            years=skipped.year,
            categories=holidays.country_holidays(country).supported_categories,
        )
        skipped += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(consumer(), days)
def test_not_informed_ends_on_a_working_day_at_least_12_months_after_day_14(where, delivered):
    country, region = where
    result = withdrawal(country=country, delivered_on=delivered, subdivision=region, informed=False)
    assert result.ends_on >= add_months(delivered + timedelta(days=14), 12)
    assert result.ends_on.weekday() < 5
    assert not is_public_holiday(country, region, result.ends_on)
    normal = withdrawal(country=country, delivered_on=delivered, subdivision=region)
    assert result.ends_on > normal.ends_on


@settings(max_examples=200, deadline=None)
@given(consumer(), days, st.integers(min_value=1, max_value=400))
def test_late_information_never_shortens_the_period(where, delivered, later):
    country, region = where
    informed_on = delivered + timedelta(days=later)
    result = withdrawal(
        country=country, delivered_on=delivered, subdivision=region, informed=False, informed_on=informed_on
    )
    normal = withdrawal(country=country, delivered_on=delivered, subdivision=region)
    assert result.ends_on >= normal.ends_on
    assert result.ends_on.weekday() < 5


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(EU_EEA),
    days,
    st.one_of(st.none(), st.integers(-5, 60)),
    st.one_of(st.none(), st.integers(-5, 60)),
)
def test_eu_refund_due_is_exactly_the_computed_day_never_rolled(country, notice, proof_in, received_in):
    proof = notice + timedelta(days=proof_in) if proof_in is not None else None
    received = notice + timedelta(days=received_in) if received_in is not None else None
    result = refund_due(
        country=country, notice_received_on=notice, proof_of_dispatch_on=proof, goods_received_on=received
    )
    base = notice + timedelta(days=14)
    events = [d for d in (proof, received) if d is not None]
    assert result.due_on == (max(base, min(events)) if events else base)
    assert result.waiting_for_goods == (not events)


@settings(max_examples=200, deadline=None)
@given(days, st.one_of(st.none(), st.integers(0, 60)), st.one_of(st.none(), st.integers(0, 60)))
def test_uk_refund_due_is_exactly_14_days_after_the_first_event(notice, proof_in, received_in):
    proof = notice + timedelta(days=proof_in) if proof_in is not None else None
    received = notice + timedelta(days=received_in) if received_in is not None else None
    result = refund_due(
        country="GB", notice_received_on=notice, proof_of_dispatch_on=proof, goods_received_on=received
    )
    events = [d for d in (proof, received) if d is not None]
    assert result.due_on == (min(events) + timedelta(days=14) if events else None)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([*EU_EEA, "GB", "CH"]), days, st.booleans())
def test_guarantee_periods_are_month_arithmetic(country, delivered, used):
    result = guarantee(country=country, delivered_on=delivered, used=used)
    for end in (result.guarantee_ends_on, result.presumption_ends_on):
        if end is not None:
            assert end > delivered
            assert end.day == delivered.day or (
                end.day < delivered.day and (end + timedelta(days=1)).day == 1
            )
    if result.guarantee_ends_on and result.presumption_ends_on:
        assert result.presumption_ends_on <= result.guarantee_ends_on


@given(st.integers(0, 2000), st.integers(0, 2000))
def test_l242_4_rate_never_decreases_and_is_capped(a, b):
    low, high = sorted((a, b))
    assert l242_4_rate(low) <= l242_4_rate(high) <= Decimal("1")


@given(days, st.integers(-30, 500), st.decimals(min_value=0, max_value=100000, places=2))
def test_late_refund_amount_is_the_rate_times_the_amount(due, delta, amount):
    result = late_refund(country="FR", due_on=due, paid_on=due + timedelta(days=delta), amount=amount)
    assert result.days_late == max(0, delta)
    assert abs(result.surcharge_amount - amount * result.surcharge_rate) <= Decimal("0.005")
    assert 0 <= result.surcharge_amount <= amount
