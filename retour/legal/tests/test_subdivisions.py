"""Postal code → holiday-calendar subdivision."""

from __future__ import annotations

import holidays
import pytest

from retour.legal.engine import derive_subdivision


@pytest.mark.parametrize(
    ("postal", "expected"),
    [
        ("57000", "57"),
        ("57100", "57"),
        (" 57 070 ", "57"),
        ("67000", "6AE"),
        ("67100", "6AE"),
        ("68100", "6AE"),
        ("68000", "6AE"),
        ("75001", None),
        ("13001", None),
        ("20000", None),
        ("69001", None),
        ("97110", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97600", "976"),
        ("97133", "BL"),
        ("97150", "MF"),
        ("97500", "PM"),
        ("5700", None),
        ("F-57000", None),
        ("", None),
        (None, None),
    ],
)
def test_france(postal, expected):
    assert derive_subdivision("FR", postal) == expected


@pytest.mark.parametrize(
    ("postal", "expected"),
    [
        ("28001", "MD"),
        ("28850", "MD"),
        ("08001", "CT"),
        ("17001", "CT"),
        ("25001", "CT"),
        ("43001", "CT"),
        ("01001", "PV"),
        ("20001", "PV"),
        ("48001", "PV"),
        ("41001", "AN"),
        ("29001", "AN"),
        ("46001", "VC"),
        ("03001", "VC"),
        ("07001", "IB"),
        ("35001", "CN"),
        ("38001", "CN"),
        ("15001", "GA"),
        ("33001", "AS"),
        ("39001", "CB"),
        ("26001", "RI"),
        ("30001", "MC"),
        ("31001", "NC"),
        ("50001", "AR"),
        ("06001", "EX"),
        ("45001", "CM"),
        ("47001", "CL"),
        ("51001", "CE"),
        ("52001", "ML"),
        ("53001", None),
        ("00001", None),
        ("2800", None),
        ("ABCDE", None),
    ],
)
def test_spain(postal, expected):
    assert derive_subdivision("ES", postal) == expected


@pytest.mark.parametrize(
    ("postal", "expected"),
    [
        ("9000-001", "30"),
        ("9400-001", "30"),
        ("9500-001", "20"),
        ("9900-001", "20"),
        ("1000-001", None),
        ("4000", None),
    ],
)
def test_portugal_islands(postal, expected):
    assert derive_subdivision("PT", postal) == expected


@pytest.mark.parametrize(
    ("country", "postal"),
    [("DE", "80331"), ("AT", "1010"), ("IT", "00100"), ("GB", "SW1A 1AA"), ("CH", "8001"), ("US", "10001")],
)
def test_ambiguous_postal_areas_give_nothing(country, postal):
    assert derive_subdivision(country, postal) is None


def test_territory_codes():
    assert derive_subdivision("RE", None) == "974"
    assert derive_subdivision("GP", "97110") == "971"


def test_every_derived_code_is_known_to_the_holiday_calendar():
    from retour.legal import subdivisions

    codes = {("ES", c) for c in subdivisions._ES_PROVINCE_TO_COMMUNITY.values()}
    codes |= {("ES", c) for c in subdivisions._ES_ISO_PROVINCE_TO_COMMUNITY.values()}
    codes |= {("FR", c) for c in ("57", "6AE", "971", "972", "973", "974", "976", "BL", "MF", "PM")}
    codes |= {("PT", c) for c in ("20", "30")} | {(cc, sub) for cc, sub in subdivisions.TERRITORIES.values()}
    for country, code in codes:
        assert code in holidays.country_holidays(country).subdivisions, (country, code)


def test_bad_country_is_refused():
    with pytest.raises(ValueError):
        derive_subdivision("ESP", "28001")
