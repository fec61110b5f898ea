"""The shipped rules file: complete, consistent with the reference, unknowns explicit and defaulted."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from retour.legal.data import DEFAULTS, load_rules, rule_for
from retour.legal.engine import country_rule

RULES_CSV = Path(__file__).resolve().parents[1] / "rules.csv"
EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
EEA = ["IS", "LI", "NO"]


def raw_rows() -> list[dict[str, str]]:
    with RULES_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_36_countries_are_covered():
    rules = load_rules()
    assert len(rules) == 36
    assert set(rules) == {*EU, *EEA, "GB", "CH", "US", "CA", "AU", "JP"}


def test_loaded_once():
    assert load_rules() is load_rules()


@pytest.mark.parametrize("country", EU + EEA)
def test_eu_eea_rows(country):
    rule = rule_for(country)
    assert rule is not None
    assert (rule.withdrawal_right, rule.withdrawal_days, rule.start_day_counted, rule.roll_forward) == (
        "mandatory",
        14,
        False,
        True,
    )
    assert (rule.extension_months_if_not_informed, rule.refund_rule, rule.refund_deadline_days) == (
        12,
        "eu",
        14,
    )
    assert rule.may_withhold_until_return is True
    assert rule.bloc == ("EU" if country in EU else "EEA")


def test_specific_values_match_the_reference():
    fr, de, es, pt, ie, gb = (rule_for(c) for c in ("FR", "DE", "ES", "PT", "IE", "GB"))
    assert (fr.guarantee_months, fr.presumption_months_new, fr.presumption_months_used) == (24, 24, 12)
    assert fr.late_refund_rule == "fr_l242_4"
    assert (de.presumption_months_new, de.extension_rule) == (12, "later_of_eu_and_bgb")
    assert (es.guarantee_months, es.presumption_months_new) == (36, 24)
    assert (pt.guarantee_months, pt.presumption_months_new, pt.presumption_months_used) == (36, 24, 12)
    assert ie.guarantee_months == 72
    assert (gb.roll_forward, gb.refund_rule, gb.guarantee_months, gb.presumption_months_new) == (
        False,
        "uk",
        None,
        6,
    )


def test_countries_without_a_right():
    for country in ("CH", "US", "CA", "AU"):
        rule = rule_for(country)
        assert (rule.withdrawal_right, rule.withdrawal_days, rule.refund_rule) == ("none", None, "none")
        assert rule.statutory_right is False


def test_canada_quebec_15_days_is_not_a_withdrawal_refund_deadline():
    rule = rule_for("CA")
    assert rule.refund_deadline_days is None
    assert "54.13" in rule.notes


def test_japan_default_rule():
    rule = rule_for("JP")
    assert (rule.withdrawal_right, rule.withdrawal_days, rule.start_day_counted, rule.roll_forward) == (
        "default",
        8,
        True,
        False,
    )


def test_unknown_cells_are_explicit():
    """Empty means 'not applicable'; an unverified value says 'unknown'; 'none' means no such period."""
    for row in raw_rows():
        for field in ("guarantee_months", "presumption_months_new", "presumption_months_used"):
            assert row[field] != "", f"{row['country']}.{field} must be a number, none or unknown"


def test_unknowns_use_the_section_14_defaults_and_are_flagged():
    assert DEFAULTS["presumption_months_new"] == 12 and DEFAULTS["presumption_months_used"] == 12
    for row in raw_rows():
        rule = rule_for(row["country"])
        for field, default in DEFAULTS.items():
            if row[field] == "unknown":
                assert getattr(rule, field) == default
                assert field in rule.defaulted
                assert rule.needs_legal_review
            else:
                assert field not in rule.defaulted


def test_no_presumption_is_ever_6_months_except_the_uk():
    for country, rule in load_rules().items():
        if country != "GB":
            assert rule.presumption_months_new != 6 and rule.presumption_months_used != 6


def test_every_row_has_source_and_confidence():
    for row in raw_rows():
        assert row["source"].strip(), row["country"]
        assert row["confidence"].strip(), row["country"]
        assert "withdrawal=" in row["confidence"], row["country"]


def test_confidence_markers_are_known():
    for rule in load_rules().values():
        for item in rule.confidence.split():
            name, _, marker = item.partition("=")
            assert marker in {"S", "S2", "M", "I", "default"}, (rule.country, item)


def test_defaulted_fields_are_marked_default_in_the_confidence():
    keys = {
        "guarantee_months": "guarantee",
        "presumption_months_new": "presumption_new",
        "presumption_months_used": "presumption_used",
    }
    for rule in load_rules().values():
        for field in rule.defaulted:
            assert rule.confidence_of(keys[field]) == "default", (rule.country, field)


def test_every_eu_row_cites_a_law():
    for country in EU + EEA + ["GB", "JP"]:
        rule = rule_for(country)
        assert rule.withdrawal_law and rule.guarantee_law, country


def test_reference_csv_countries_are_the_same():
    reference = Path(__file__).resolve().parents[4] / "shared" / "reference" / "legal-rules.csv"
    if not reference.exists():
        pytest.skip("shared/reference is not next to the project")
    with reference.open(encoding="utf-8") as fh:
        assert {row["country"] for row in csv.DictReader(fh)} == set(load_rules())


def test_country_rule_accepts_lower_case_and_territories():
    assert country_rule("fr") is rule_for("FR")
    assert country_rule("RE") is rule_for("FR")
    assert country_rule("UK") is rule_for("GB")
    assert country_rule("BR") is None
    with pytest.raises(ValueError):
        country_rule("FRA")
