"""Refund due dates: trader-facing, never rolled forward. Expected dates worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from retour.legal.engine import refund_due

D = date.fromisoformat


def test_eu_20_notice_plus_14_not_rolled_and_provisional_while_goods_are_out():
    result = refund_due(country="FR", notice_received_on=D("2026-07-10"))
    assert (result.due_on, result.waiting_for_goods) == (D("2026-07-24"), True)
    assert "provisional" in result.explanation.en
    assert "provisoire" in result.explanation.fr


def test_eu_22_proof_of_dispatch_after_the_14_days_moves_the_date():
    result = refund_due(
        country="FR",
        notice_received_on=D("2026-07-10"),
        proof_of_dispatch_on=D("2026-07-29"),
        goods_received_on=D("2026-08-03"),
    )
    assert (result.due_on, result.waiting_for_goods) == (D("2026-07-29"), False)


def test_eu_goods_received_before_the_proof():
    result = refund_due(
        country="DE",
        notice_received_on=D("2026-07-10"),
        proof_of_dispatch_on=D("2026-08-05"),
        goods_received_on=D("2026-08-01"),
    )
    assert result.due_on == D("2026-08-01")


def test_eu_goods_back_early_keeps_notice_plus_14():
    result = refund_due(country="IT", notice_received_on=D("2026-07-10"), goods_received_on=D("2026-07-15"))
    assert (result.due_on, result.waiting_for_goods) == (D("2026-07-24"), False)


def test_eu_proof_sent_with_the_notice():
    result = refund_due(
        country="ES", notice_received_on=D("2026-07-10"), proof_of_dispatch_on=D("2026-07-08")
    )
    assert result.due_on == D("2026-07-24")


def test_eu_nothing_to_return_means_no_withholding():
    result = refund_due(
        country="FR",
        notice_received_on=D("2026-07-10"),
        goods_to_return=False,
        proof_of_dispatch_on=D("2026-08-20"),
    )
    assert (result.due_on, result.waiting_for_goods) == (D("2026-07-24"), False)


@pytest.mark.parametrize(
    ("notice", "due"),
    [
        ("2026-07-04", "2026-07-18"),  # Saturday → Saturday
        ("2026-07-05", "2026-07-19"),  # Sunday → Sunday
        ("2026-04-17", "2026-05-01"),  # Labour Day is not skipped
        ("2026-12-11", "2026-12-25"),  # nor is Christmas
    ],
)
def test_eu_due_date_is_never_rolled_forward(notice, due):
    assert refund_due(country="FR", notice_received_on=D(notice)).due_on == D(due)


def test_eu_due_date_follows_a_weekend_proof_exactly():
    result = refund_due(
        country="FR", notice_received_on=D("2026-07-01"), proof_of_dispatch_on=D("2026-07-25")
    )
    assert result.due_on == D("2026-07-25")  # a Saturday


@pytest.mark.parametrize(
    "country",
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split(),
)
def test_every_eu_eea_country_uses_the_eu_rule(country):
    assert refund_due(country=country, notice_received_on=D("2026-07-10")).due_on == D("2026-07-24")
    result = refund_due(
        country=country, notice_received_on=D("2026-07-10"), proof_of_dispatch_on=D("2026-07-29")
    )
    assert result.due_on == D("2026-07-29")


def test_uk_14_days_after_the_earlier_of_goods_and_proof():
    # Same facts as EU-22: the UK counts 14 days from the proof (29 Jul) → 12 Aug.
    result = refund_due(
        country="GB",
        notice_received_on=D("2026-07-10"),
        proof_of_dispatch_on=D("2026-07-29"),
        goods_received_on=D("2026-08-03"),
    )
    assert (result.due_on, result.waiting_for_goods) == (D("2026-08-12"), False)


def test_uk_goods_received_first():
    result = refund_due(country="GB", notice_received_on=D("2026-07-10"), goods_received_on=D("2026-07-20"))
    assert result.due_on == D("2026-08-03")


def test_uk_nothing_to_return_counts_from_the_notice():
    result = refund_due(country="GB", notice_received_on=D("2026-07-10"), goods_to_return=False)
    assert (result.due_on, result.waiting_for_goods) == (D("2026-07-24"), False)


def test_uk_no_due_date_while_waiting_for_the_goods():
    result = refund_due(country="GB", notice_received_on=D("2026-07-10"))
    assert (result.due_on, result.waiting_for_goods) == (None, True)


def test_uk_is_not_rolled_forward_either():
    result = refund_due(country="GB", notice_received_on=D("2026-12-01"), goods_received_on=D("2026-12-11"))
    assert result.due_on == D("2026-12-25")


@pytest.mark.parametrize("country", ["CH", "US", "CA", "AU", "JP", "BR"])
def test_no_statutory_refund_deadline(country):
    result = refund_due(country=country, notice_received_on=D("2026-07-10"))
    assert (result.due_on, result.waiting_for_goods) == (None, False)


def test_explanations_say_it_is_not_rolled_forward():
    result = refund_due(country="FR", notice_received_on=D("2026-07-10"))
    assert "never moved" in result.explanation.en
    assert "jamais reporté" in result.explanation.fr
    assert "L221-24" in result.explanation.fr


def test_bad_input():
    with pytest.raises(ValueError, match="country"):
        refund_due(country="France", notice_received_on=D("2026-07-10"))
    with pytest.raises(ValueError, match="proof_of_dispatch_on"):
        refund_due(country="FR", notice_received_on=D("2026-07-10"), proof_of_dispatch_on="2026-07-29")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="goods_to_return"):
        refund_due(country="FR", notice_received_on=D("2026-07-10"), goods_to_return=None)  # type: ignore[arg-type]
