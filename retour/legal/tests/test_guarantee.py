"""Legal guarantee and presumption: month arithmetic worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from retour.legal.engine import add_months, guarantee

D = date.fromisoformat


def test_es_42_three_years_and_two_year_presumption():
    result = guarantee(country="ES", delivered_on=D("2026-03-15"))
    assert (result.guarantee_ends_on, result.presumption_ends_on) == (D("2029-03-15"), D("2028-03-15"))
    assert result.needs_legal_review is False


def test_france_new_and_used():
    new = guarantee(country="FR", delivered_on=D("2026-03-15"))
    used = guarantee(country="FR", delivered_on=D("2026-03-15"), used=True)
    assert (new.guarantee_ends_on, new.presumption_ends_on) == (D("2028-03-15"), D("2028-03-15"))
    # France: 2 years for used goods too, presumption 12 months.
    assert (used.guarantee_ends_on, used.presumption_ends_on) == (D("2028-03-15"), D("2027-03-15"))
    assert "occasion" in used.explanation.fr


# Expected (guarantee end, presumption end for new goods) for goods delivered on 2026-03-15.
EXPECTED = {
    "AT": ("2028-03-15", "2027-03-15"), "BE": ("2028-03-15", "2028-03-15"), "BG": ("2028-03-15", "2027-03-15"),
    "HR": ("2028-03-15", "2027-03-15"), "CY": ("2028-03-15", "2027-03-15"), "CZ": ("2028-03-15", "2027-03-15"),
    "DK": ("2028-03-15", "2027-03-15"), "EE": ("2028-03-15", "2027-03-15"), "FI": (None, "2027-03-15"),
    "FR": ("2028-03-15", "2028-03-15"), "DE": ("2028-03-15", "2027-03-15"), "GR": ("2028-03-15", "2027-03-15"),
    "HU": ("2028-03-15", "2027-03-15"), "IE": ("2032-03-15", "2027-03-15"), "IT": ("2028-03-15", "2027-03-15"),
    "LV": ("2028-03-15", "2027-03-15"), "LT": ("2028-03-15", "2027-03-15"), "LU": ("2028-03-15", "2027-03-15"),
    "MT": ("2028-03-15", "2027-03-15"), "NL": (None, "2027-03-15"), "PL": ("2028-03-15", "2028-03-15"),
    "PT": ("2029-03-15", "2028-03-15"), "RO": ("2028-03-15", "2027-03-15"), "SK": ("2028-03-15", "2027-03-15"),
    "SI": ("2028-03-15", "2027-03-15"), "ES": ("2029-03-15", "2028-03-15"), "SE": ("2029-03-15", "2028-03-15"),
    "IS": ("2028-03-15", "2027-03-15"), "LI": ("2028-03-15", "2027-03-15"), "NO": ("2028-03-15", "2027-03-15"),
    "GB": (None, "2026-09-15"), "CH": ("2028-03-15", None), "US": (None, None), "CA": (None, None),
    "AU": (None, None), "JP": (None, None),
}  # fmt: skip


@pytest.mark.parametrize("country", sorted(EXPECTED))
def test_every_country(country):
    result = guarantee(country=country, delivered_on=D("2026-03-15"))
    expected = tuple(D(v) if v else None for v in EXPECTED[country])
    assert (result.guarantee_ends_on, result.presumption_ends_on) == expected


def test_every_covered_country_is_in_the_table():
    from retour.legal.data import load_rules

    assert set(load_rules()) == set(EXPECTED)


@pytest.mark.parametrize(
    "country",
    [
        "BG",
        "HR",
        "CY",
        "CZ",
        "EE",
        "GR",
        "HU",
        "LV",
        "LT",
        "LU",
        "MT",
        "RO",
        "SK",
        "SI",
        "FI",
        "IS",
        "LI",
        "NO",
    ],
)
def test_unverified_presumption_defaults_to_12_months_and_is_flagged(country):
    result = guarantee(country=country, delivered_on=D("2026-03-15"))
    assert result.presumption_ends_on == D("2027-03-15")  # never the obsolete 6 months
    assert result.needs_legal_review is True
    assert "legal review" in result.explanation.en


@pytest.mark.parametrize("country", ["BE", "PL", "ES", "SE"])
def test_unverified_used_goods_presumption_defaults_to_12_months(country):
    new = guarantee(country=country, delivered_on=D("2026-03-15"))
    used = guarantee(country=country, delivered_on=D("2026-03-15"), used=True)
    assert (new.presumption_ends_on, new.needs_legal_review) == (D("2028-03-15"), False)
    assert (used.presumption_ends_on, used.needs_legal_review) == (D("2027-03-15"), True)


def test_verified_values_are_not_flagged():
    for country in ("FR", "DE", "PT", "IT", "NL", "GB"):
        assert guarantee(country=country, delivered_on=D("2026-03-15"), used=True).needs_legal_review is False


def test_portugal_used_goods():
    result = guarantee(country="PT", delivered_on=D("2026-03-15"), used=True)
    assert (result.guarantee_ends_on, result.presumption_ends_on) == (D("2029-03-15"), D("2027-03-15"))


def test_uk_six_months_from_a_month_end():
    # 31 Aug + 6 months: 31 Feb does not exist → 28 Feb 2027; in a leap year 29 Feb 2028.
    assert guarantee(country="GB", delivered_on=D("2026-08-31")).presumption_ends_on == D("2027-02-28")
    assert guarantee(country="GB", delivered_on=D("2027-08-31")).presumption_ends_on == D("2028-02-29")
    assert guarantee(country="GB", delivered_on=D("2026-03-31")).presumption_ends_on == D("2026-09-30")
    assert guarantee(country="GB", delivered_on=D("2026-12-31")).presumption_ends_on == D("2027-06-30")


def test_leap_day_deliveries():
    # Delivered 29 Feb 2028: the anniversaries fall on 28 Feb.
    fr = guarantee(country="FR", delivered_on=D("2028-02-29"), used=True)
    assert (fr.guarantee_ends_on, fr.presumption_ends_on) == (D("2030-02-28"), D("2029-02-28"))
    pt = guarantee(country="PT", delivered_on=D("2028-02-29"))
    assert (pt.guarantee_ends_on, pt.presumption_ends_on) == (D("2031-02-28"), D("2030-02-28"))
    ie = guarantee(country="IE", delivered_on=D("2028-02-29"))
    assert ie.guarantee_ends_on == D("2034-02-28")
    # Four years on is a leap year again.
    assert add_months(D("2028-02-29"), 48) == D("2032-02-29")


def test_28_february_stays_28_february():
    # The same date number exists in the leap year: 28 Feb, not 29 Feb.
    assert guarantee(country="DE", delivered_on=D("2027-02-28")).presumption_ends_on == D("2028-02-28")


def test_month_end_into_a_shorter_month():
    assert add_months(D("2026-01-31"), 1) == D("2026-02-28")
    assert add_months(D("2028-01-31"), 1) == D("2028-02-29")
    assert add_months(D("2026-05-31"), 1) == D("2026-06-30")
    assert add_months(D("2026-12-15"), 1) == D("2027-01-15")
    assert add_months(D("2026-11-30"), 3) == D("2027-02-28")
    assert add_months(D("2026-03-15"), 0) == D("2026-03-15")


def test_no_fixed_period_is_explained():
    result = guarantee(country="NL", delivered_on=D("2026-03-15"))
    assert result.guarantee_ends_on is None
    assert "no fixed" in result.explanation.en
    assert "7:17" in result.explanation.en


def test_switzerland_has_no_presumption():
    result = guarantee(country="CH", delivered_on=D("2026-03-15"))
    assert "no statutory presumption" in result.explanation.en


def test_unknown_country():
    result = guarantee(country="BR", delivered_on=D("2026-03-15"))
    assert (result.guarantee_ends_on, result.presumption_ends_on) == (None, None)


def test_bad_input():
    with pytest.raises(ValueError):
        guarantee(country="ESP", delivered_on=D("2026-03-15"))
    with pytest.raises(ValueError, match="used"):
        guarantee(country="ES", delivered_on=D("2026-03-15"), used="yes")  # type: ignore[arg-type]
