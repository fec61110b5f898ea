"""Withdrawal period: every expected date below was worked out by hand from a calendar and the
public-holiday lists of each country, not read back from the engine."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from retour.legal.engine import statutory_right_applies, withdrawal

D = date.fromisoformat

EU_EEA = ("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO").split()
NO_RIGHT = ("CH", "US", "CA", "AU")


def ends(country: str, delivered: str, **kwargs) -> date | None:
    return withdrawal(country=country, delivered_on=D(delivered), **kwargs).ends_on


# --- legal-returns.md §13 ------------------------------------------------------------------------


def test_fr_01_day_14_is_a_working_day():
    result = withdrawal(country="FR", delivered_on=D("2026-07-03"))
    assert (result.applies, result.days, result.ends_on, result.rolled_forward) == (
        True,
        14,
        D("2026-07-17"),
        False,
    )


def test_fr_03_labour_day_then_weekend_are_skipped():
    result = withdrawal(country="FR", delivered_on=D("2026-04-17"))
    assert result.ends_on == D("2026-05-04")
    assert result.rolled_forward is True
    assert "Labor Day" in result.explanation.en or "public holiday" in result.explanation.en
    assert "Fête du Travail" in result.explanation.fr


def test_fr_06_saturday_moves_to_monday():
    result = withdrawal(country="FR", delivered_on=D("2026-07-04"))
    assert (result.ends_on, result.rolled_forward) == (D("2026-07-20"), True)


def test_eu_14_the_last_parcel_starts_the_period():
    # The caller passes the last delivery (2026-07-08) of the two parcels.
    assert ends("FR", "2026-07-08") == D("2026-07-22")


def test_eu_17_never_informed_extends_by_twelve_months():
    result = withdrawal(country="FR", delivered_on=D("2026-03-02"), informed=False)
    assert result.ends_on == D("2027-03-16")
    assert result.days == 14
    assert "12 months" in result.explanation.en and "16 March 2026" in result.explanation.en


# --- every country ------------------------------------------------------------------------------


@pytest.mark.parametrize("country", EU_EEA)
def test_every_eu_eea_country_gives_14_days_rolled_over_christmas(country):
    # Day 14 is Friday 25 December 2026, a holiday everywhere in the EU/EEA; then a weekend.
    # Bulgaria moves a holiday that falls on a weekend to the next working day (26 Dec → Mon 28).
    expected = D("2026-12-29") if country == "BG" else D("2026-12-28")
    result = withdrawal(country=country, delivered_on=D("2026-12-11"))
    assert (result.applies, result.days, result.ends_on, result.rolled_forward) == (True, 14, expected, True)


@pytest.mark.parametrize("country", EU_EEA)
def test_every_eu_eea_country_rolls_new_year_to_the_monday(country):
    # Day 14 is Friday 1 January 2027; Saturday 2 and Sunday 3 follow.
    assert ends(country, "2026-12-18") == D("2027-01-04")


@pytest.mark.parametrize("country", EU_EEA)
def test_every_eu_eea_country_ends_on_day_14_when_it_is_a_working_day(country):
    result = withdrawal(country=country, delivered_on=D("2026-07-03"))
    assert (result.ends_on, result.rolled_forward) == (D("2026-07-17"), False)


@pytest.mark.parametrize(
    ("country", "delivered", "expected"),
    [
        ("AT", "2026-10-12", "2026-10-27"),  # Mon 26 Oct National Day
        ("BE", "2026-07-07", "2026-07-22"),  # Tue 21 Jul National Day
        ("DE", "2025-09-19", "2025-10-06"),  # Fri 3 Oct German Unity Day + weekend
        ("FR", "2026-06-30", "2026-07-15"),  # Tue 14 Jul
        ("IT", "2026-05-19", "2026-06-03"),  # Tue 2 Jun Festa della Repubblica
        ("ES", "2026-09-28", "2026-10-13"),  # Mon 12 Oct Fiesta Nacional
        ("PT", "2026-05-27", "2026-06-11"),  # Wed 10 Jun Dia de Portugal
        ("PL", "2026-10-28", "2026-11-12"),  # Wed 11 Nov Independence Day
        ("NL", "2026-04-13", "2026-04-28"),  # Mon 27 Apr King's Day
        ("IE", "2026-03-03", "2026-03-18"),  # Tue 17 Mar St Patrick's Day
        ("FI", "2026-06-05", "2026-06-22"),  # Fri 19 Jun Midsummer Eve, Sat Midsummer Day, Sun
        ("SE", "2026-06-05", "2026-06-22"),  # Midsummer Eve counts like a holiday (Lag 1930:173)
        ("DK", "2026-05-22", "2026-06-08"),  # Fri 5 Jun Constitution Day + weekend
        ("NO", "2027-05-03", "2027-05-18"),  # Mon 17 May Constitution Day (and Whit Monday)
        ("GR", "2026-03-11", "2026-03-26"),  # Wed 25 Mar Independence Day
        ("CZ", "2026-09-14", "2026-09-29"),  # Mon 28 Sep St Wenceslas
        ("CZ", "2027-06-21", "2027-07-07"),  # Mon 5 Jul Cyril & Methodius, Tue 6 Jul Jan Hus
        ("SK", "2027-06-21", "2027-07-06"),  # Mon 5 Jul Cyril & Methodius only
        ("HU", "2026-10-09", "2026-10-26"),  # Fri 23 Oct National Day + weekend
        ("RO", "2026-11-17", "2026-12-02"),  # Tue 1 Dec National Day
        ("SI", "2026-06-11", "2026-06-26"),  # Thu 25 Jun Statehood Day
        ("HR", "2026-06-08", "2026-06-23"),  # Mon 22 Jun Anti-Fascist Struggle Day
        ("BG", "2026-02-17", "2026-03-04"),  # Tue 3 Mar Liberation Day
        ("CY", "2026-09-17", "2026-10-02"),  # Thu 1 Oct Independence Day
        ("EE", "2026-02-10", "2026-02-25"),  # Tue 24 Feb Independence Day
        ("LV", "2026-11-04", "2026-11-19"),  # Wed 18 Nov Proclamation Day
        ("LT", "2026-02-02", "2026-02-17"),  # Mon 16 Feb Restoration of the State
        ("LU", "2026-06-09", "2026-06-24"),  # Tue 23 Jun National Day
        ("MT", "2026-08-25", "2026-09-09"),  # Tue 8 Sep Victory Day
        ("IS", "2026-06-03", "2026-06-18"),  # Wed 17 Jun National Day
        ("LI", "2026-11-24", "2026-12-09"),  # Tue 8 Dec Immaculate Conception
    ],
)
def test_each_country_rolls_over_its_own_national_holiday(country, delivered, expected):
    result = withdrawal(country=country, delivered_on=D(delivered))
    assert (result.ends_on, result.rolled_forward) == (D(expected), True)


def test_the_same_national_holidays_do_not_move_other_countries():
    # 14 July is French only; 3 October German only.
    assert ends("DE", "2026-06-30") == D("2026-07-14")
    assert ends("FR", "2025-09-19") == D("2025-10-03")


def test_uk_has_no_roll_forward():
    result = withdrawal(country="GB", delivered_on=D("2026-12-11"))
    assert (result.applies, result.days, result.ends_on, result.rolled_forward) == (
        True,
        14,
        D("2026-12-25"),
        False,
    )
    assert ends("GB", "2026-07-04") == D("2026-07-18")  # a Saturday stays a Saturday


def test_uk_code_alias_is_accepted():
    assert ends("UK", "2026-07-04") == D("2026-07-18")


@pytest.mark.parametrize("country", NO_RIGHT)
def test_countries_without_a_statutory_right(country):
    result = withdrawal(country=country, delivered_on=D("2026-07-03"))
    assert (result.applies, result.days, result.ends_on, result.rolled_forward) == (False, None, None, False)
    assert statutory_right_applies(country) is False
    assert "policy" in result.explanation.en


def test_a_country_without_data_has_no_right():
    result = withdrawal(country="BR", delivered_on=D("2026-07-03"))
    assert result.applies is False
    assert "no consumer-law data" in result.explanation.en


@pytest.mark.parametrize("country", [*EU_EEA, "GB", "JP"])
def test_statutory_right_applies(country):
    assert statutory_right_applies(country) is True


def test_japan_default_rule_counts_the_day_of_receipt_and_never_rolls():
    # Friday 3 July + 7 = Friday 10 July; Saturday 4 July + 7 = Saturday 11 July (not moved).
    result = withdrawal(country="JP", delivered_on=D("2026-07-03"))
    assert (result.applies, result.days, result.ends_on, result.rolled_forward) == (
        True,
        8,
        D("2026-07-10"),
        False,
    )
    assert ends("JP", "2026-07-04") == D("2026-07-11")
    assert ends("JP", "2026-12-11") == D("2026-12-18")
    assert "return policy" in result.explanation.en


def test_japan_ignores_the_information_flag():
    assert ends("JP", "2026-07-03", informed=False) == D("2026-07-10")


# --- regions ------------------------------------------------------------------------------------


def test_corpus_christi_counts_in_bavaria_not_in_berlin():
    # Day 14 is Thursday 4 June 2026, Corpus Christi.
    assert ends("DE", "2026-05-21", subdivision="BY") == D("2026-06-05")
    assert ends("DE", "2026-05-21", subdivision="BE") == D("2026-06-04")
    assert ends("DE", "2026-05-21") == D("2026-06-04")


def test_bavarian_assumption_day_counts():
    # Saturday 15 August 2026 would be a weekend anyway; Tuesday 15 August 2028 is not.
    assert ends("DE", "2028-08-01", subdivision="BY") == D("2028-08-16")
    assert ends("DE", "2028-08-01", subdivision="BE") == D("2028-08-15")


def test_moselle_good_friday():
    # Day 14 is Good Friday 3 April 2026; in Moselle the weekend then Easter Monday follow.
    assert ends("FR", "2026-03-20", subdivision="57") == D("2026-04-07")
    assert ends("FR", "2026-03-20") == D("2026-04-03")


def test_alsace_moselle_26_december():
    # Friday 26 December 2025: a working day in Paris, a holiday in Alsace-Moselle.
    assert ends("FR", "2025-12-12") == D("2025-12-26")
    assert ends("FR", "2025-12-12", subdivision="57") == D("2025-12-29")
    # Tuesday 26 December 2028.
    assert ends("FR", "2028-12-12", subdivision="6AE") == D("2028-12-27")
    assert ends("FR", "2028-12-12") == D("2028-12-26")


def test_region_derived_from_french_postal_codes():
    result = withdrawal(country="FR", delivered_on=D("2026-03-20"), postal_code="57000")
    assert (result.ends_on, result.subdivision) == (D("2026-04-07"), "57")
    assert ends("FR", "2025-12-12", postal_code="67000") == D("2025-12-29")
    assert ends("FR", "2025-12-12", postal_code="68100") == D("2025-12-29")
    assert ends("FR", "2025-12-12", postal_code="75001") == D("2025-12-26")


def test_department_codes_67_68_mean_alsace():
    result = withdrawal(country="FR", delivered_on=D("2025-12-12"), subdivision="67")
    assert (result.ends_on, result.subdivision) == (D("2025-12-29"), "6AE")
    assert ends("FR", "2025-12-12", subdivision="FR-68") == D("2025-12-29")


def test_explicit_subdivision_wins_over_postal_code():
    assert ends("FR", "2025-12-12", subdivision="75", postal_code="57000") == D("2025-12-26")
    assert ends("FR", "2025-12-12", subdivision="13", postal_code="67000") == D("2025-12-26")
    assert ends("FR", "2025-12-12", subdivision="57", postal_code="75001") == D("2025-12-29")


def test_spanish_regions():
    # Wed 24 Jun 2026 Sant Joan (Catalonia only).
    assert ends("ES", "2026-06-10", subdivision="CT") == D("2026-06-25")
    assert ends("ES", "2026-06-10", subdivision="MD") == D("2026-06-24")
    # Fri 11 Sep 2026 Diada (Catalonia) + weekend.
    assert ends("ES", "2026-08-28", subdivision="CT") == D("2026-09-14")
    assert ends("ES", "2026-08-28", subdivision="MD") == D("2026-09-11")
    # Thu 2 Apr 2026 Maundy Thursday (Madrid, not Catalonia), Fri 3 Apr Good Friday everywhere.
    assert ends("ES", "2026-03-19", subdivision="MD") == D("2026-04-06")
    assert ends("ES", "2026-03-19", subdivision="CT") == D("2026-04-02")
    # Mon 6 Apr 2026 Easter Monday (Catalonia, not Madrid).
    assert ends("ES", "2026-03-23", subdivision="CT") == D("2026-04-07")
    assert ends("ES", "2026-03-23", subdivision="MD") == D("2026-04-06")


def test_spanish_region_from_postal_code_or_province_code():
    assert withdrawal(country="ES", delivered_on=D("2026-06-10"), postal_code="08001").ends_on == D(
        "2026-06-25"
    )
    assert withdrawal(country="ES", delivered_on=D("2026-06-10"), postal_code="28013").ends_on == D(
        "2026-06-24"
    )
    result = withdrawal(country="ES", delivered_on=D("2026-06-10"), subdivision="B")  # ISO province Barcelona
    assert (result.ends_on, result.subdivision) == (D("2026-06-25"), "CT")


def test_french_overseas_codes_use_french_law_and_local_holidays():
    # Réunion: 20 December, Abolition of Slavery Day; Sunday in 2026, Monday in 2027.
    result = withdrawal(country="RE", delivered_on=D("2027-12-06"))
    assert (result.applies, result.subdivision, result.ends_on) == (True, "974", D("2027-12-21"))
    assert ends("FR", "2027-12-06") == D("2027-12-20")


def test_iso_region_without_own_holidays_is_accepted():
    result = withdrawal(country="NL", delivered_on=D("2026-04-13"), subdivision="NH")
    assert (result.ends_on, result.subdivision) == (D("2026-04-28"), None)
    assert "NH" in result.explanation.en


def test_unknown_region_in_stored_data_is_ignored_not_fatal():
    result = withdrawal(country="DE", delivered_on=D("2026-05-21"), subdivision="XX")
    assert (result.ends_on, result.subdivision) == (D("2026-06-04"), None)
    assert "XX" in result.explanation.en


def test_subdivision_aliases_and_case():
    assert ends("DE", "2026-05-21", subdivision="by") == D("2026-06-05")
    assert ends("DE", "2026-05-21", subdivision="DE-BY") == D("2026-06-05")
    assert ends("DE", "2026-05-21", subdivision="Bayern") == D("2026-06-05")


# --- not informed, informed late ----------------------------------------------------------------


def test_extension_end_is_rolled_forward():
    # Day 14 = Fri 1 May 2026; 12 months later Sat 1 May 2027 (Labour Day), Sunday → Mon 3 May 2027.
    result = withdrawal(country="FR", delivered_on=D("2026-04-17"), informed=False)
    assert (result.ends_on, result.rolled_forward) == (D("2027-05-03"), True)


def test_extension_from_a_month_end():
    # Day 14 = Sat 31 Jan 2026; + 12 months = Sun 31 Jan 2027 → Mon 1 Feb 2027.
    assert ends("FR", "2026-01-17", informed=False) == D("2027-02-01")


def test_extension_from_29_february_ends_on_28_february():
    # Day 14 = Tue 29 Feb 2028; 29 Feb 2029 does not exist → Wed 28 Feb 2029.
    assert ends("FR", "2028-02-15", informed=False) == D("2029-02-28")


def test_germany_uses_the_later_of_the_eu_and_bgb_methods():
    # EU: 29 Feb 2028 + 12 months = 28 Feb 2029. BGB: 15 Feb 2029 + 14 days = Thu 1 Mar 2029.
    result = withdrawal(country="DE", delivered_on=D("2028-02-15"), informed=False)
    assert result.ends_on == D("2029-03-01")
    assert "356" in result.explanation.en
    # EU: 1 Mar 2027 + 12 months = Wed 1 Mar 2028. BGB: 15 Feb 2028 + 14 days = Tue 29 Feb 2028.
    assert ends("DE", "2027-02-15", informed=False) == D("2028-03-01")
    # Both methods agree away from February.
    assert ends("DE", "2026-03-02", informed=False) == D("2027-03-16")


def test_uk_extension_is_not_rolled_forward():
    # Day 14 = Fri 1 May 2026; + 12 months = Sat 1 May 2027, left as it is.
    result = withdrawal(country="GB", delivered_on=D("2026-04-17"), informed=False)
    assert (result.ends_on, result.rolled_forward) == (D("2027-05-01"), False)


def test_informed_late_gives_14_days_from_the_information():
    # Information received Mon 10 Aug 2026 → Mon 24 Aug 2026.
    assert ends("FR", "2026-07-03", informed=False, informed_on=D("2026-08-10")) == D("2026-08-24")
    # informed=True with a date after delivery is also late information.
    assert ends("FR", "2026-07-03", informed_on=D("2026-08-10")) == D("2026-08-24")


def test_informed_late_end_is_rolled_forward():
    # Sat 1 Aug 2026 + 14 = Sat 15 Aug (Assumption) → Mon 17 Aug.
    result = withdrawal(
        country="FR", delivered_on=D("2026-07-03"), informed=False, informed_on=D("2026-08-01")
    )
    assert (result.ends_on, result.rolled_forward) == (D("2026-08-17"), True)


def test_informed_a_few_days_after_delivery():
    # Delivered Fri 3 Jul, informed Tue 7 Jul → Tue 21 Jul instead of Fri 17 Jul.
    assert ends("FR", "2026-07-03", informed_on=D("2026-07-07")) == D("2026-07-21")


def test_informed_on_the_last_day_of_the_extension():
    # Extension ends Tue 16 Mar 2027; informed that day → Tue 30 Mar 2027 (Easter Monday is 29 Mar).
    assert ends("FR", "2026-03-02", informed=False, informed_on=D("2027-03-16")) == D("2027-03-30")


def test_information_after_the_extension_changes_nothing():
    result = withdrawal(
        country="FR", delivered_on=D("2026-03-02"), informed=False, informed_on=D("2027-04-01")
    )
    assert result.ends_on == D("2027-03-16")
    assert "expired" in result.explanation.en


def test_information_before_delivery_means_the_normal_period():
    assert ends("FR", "2026-07-03", informed=False, informed_on=D("2026-06-30")) == D("2026-07-17")
    assert ends("FR", "2026-07-03", informed=False, informed_on=D("2026-07-03")) == D("2026-07-17")


def test_germany_informed_late():
    # Bavaria, informed Thu 21 May 2026 → Thu 4 Jun (Corpus Christi) → Fri 5 Jun.
    assert ends("DE", "2026-05-01", subdivision="BY", informed_on=D("2026-05-21")) == D("2026-06-05")


# --- explanations and input -----------------------------------------------------------------------


def test_explanation_language():
    result = withdrawal(country="FR", delivered_on=D("2026-07-03"))
    assert result.explanation.get("fr") == result.explanation.fr
    assert result.explanation.get("fr-be") == result.explanation.fr
    assert result.explanation.get("en") == result.explanation.en
    assert result.explanation.get("de") == result.explanation.en
    assert "vendredi 17 juillet 2026" in result.explanation.fr
    assert "Friday 17 July 2026" in result.explanation.en
    assert "L221-18" in result.explanation.fr


@pytest.mark.parametrize("bad", ["FRA", "F", "", "12", "XX", None, 33])
def test_bad_country_is_refused(bad):
    with pytest.raises(ValueError, match="country|ISO"):
        withdrawal(country=bad, delivered_on=D("2026-07-03"))


def test_lower_case_country_is_accepted():
    assert ends("fr", "2026-07-03") == D("2026-07-17")


def test_datetime_is_refused_the_legal_day_is_a_date():
    with pytest.raises(ValueError, match="delivered_on"):
        withdrawal(country="FR", delivered_on=datetime(2026, 7, 3, 12, 0))


def test_dates_out_of_range_are_refused():
    with pytest.raises(ValueError, match="delivered_on"):
        withdrawal(country="FR", delivered_on=date(1900, 1, 1))
    with pytest.raises(ValueError, match="informed_on"):
        withdrawal(country="FR", delivered_on=D("2026-07-03"), informed_on=date(9999, 1, 1))


def test_informed_must_be_a_boolean():
    with pytest.raises(ValueError, match="informed"):
        withdrawal(country="FR", delivered_on=D("2026-07-03"), informed="no")  # type: ignore[arg-type]
