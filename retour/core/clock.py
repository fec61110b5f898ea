"""One place for 'now' and for the consumer's calendar day."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

# The legal day is the consumer's local calendar day. One zone per country is enough for
# the countries Retour has rules for; countries spanning zones use their most populous one.
COUNTRY_TIME_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "HR": "Europe/Zagreb",
    "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "GR": "Europe/Athens",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IT": "Europe/Rome",
    "LV": "Europe/Riga",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "SK": "Europe/Bratislava",
    "SI": "Europe/Ljubljana",
    "ES": "Europe/Madrid",
    "SE": "Europe/Stockholm",
    "IS": "Atlantic/Reykjavik",
    "LI": "Europe/Vaduz",
    "NO": "Europe/Oslo",
    "GB": "Europe/London",
    "CH": "Europe/Zurich",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "JP": "Asia/Tokyo",
}


def now() -> datetime:
    return timezone.now()


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar day of ``moment`` in the given time zone."""
    return moment.astimezone(ZoneInfo(tz_name)).date()


def consumer_date(moment: datetime, country: str, fallback_tz: str = "UTC") -> date:
    """The consumer's calendar day of ``moment`` (their country's zone)."""
    return local_date(moment, COUNTRY_TIME_ZONES.get((country or "").upper(), fallback_tz))
