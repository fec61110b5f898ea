"""Dates: input checks, month arithmetic and the roll-forward of consumer-facing deadlines.

Reg. 1182/71 art. 3(4): a period whose last day is a Saturday, Sunday or public holiday ends at
the end of the next working day. The holidays are those of the consumer's country and region,
plus the extra categories ``rules.csv`` lists for the country (legal-returns.md §3).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from retour.legal import data
from retour.legal.data import CountryRule
from retour.legal.subdivisions import LegalInputError, Region
from retour.legal.text import TextBuilder, en_day, fr_day, weekday_names

# Outside this range the calendars are not meaningful for consumer law (the CRD dates from 2011).
MIN_DAY = date(1990, 1, 1)
MAX_DAY = date(2099, 12, 31)


def check_day(value: object, field: str) -> date:
    """``value`` when it is a date in range; a datetime is refused (the legal day is a local date)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise LegalInputError(
            field, f"{field} must be a date (the consumer's local day), got {value!r}", "invalid_date"
        )
    if not MIN_DAY <= value <= MAX_DAY:
        raise LegalInputError(field, f"{field} must be between {MIN_DAY} and {MAX_DAY}", "date_out_of_range")
    return value


def add_months(start: date, months: int) -> date:
    """The same day number ``months`` later, or the last day of a shorter month (1182/71 art. 3(2)(c))."""
    years, month0 = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month0 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Calendar:
    """Working days of one country and region."""

    country: str
    subdivision: str | None
    categories: tuple[str, ...]

    @classmethod
    def of(cls, rule: CountryRule, region: Region) -> Calendar:
        return cls(rule.country, region.subdivision, rule.extra_holiday_categories)

    def is_holiday(self, day: date) -> bool:
        return day in data.holiday_dates(self.country, self.subdivision, day.year, self.categories)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def why_not_working(self, day: date) -> tuple[str, str]:
        """``(fr, en)`` reason: 'samedi' / 'Saturday', or 'jour férié : …' / 'public holiday: …'."""
        if not self.is_holiday(day):
            return weekday_names(day)
        name_fr = data.holiday_name(self.country, self.subdivision, day, "fr", self.categories)
        name_en = data.holiday_name(self.country, self.subdivision, day, "en", self.categories)
        return (
            f"jour férié : {name_fr}" if name_fr else "jour férié",
            f"public holiday: {name_en}" if name_en else "public holiday",
        )


def deadline(rule: CountryRule, cal: Calendar, raw: date, text: TextBuilder) -> date:
    """The end of a consumer-facing period whose last day is ``raw``, explaining any roll-forward."""
    if not rule.roll_forward:
        return raw
    end = cal.next_working_day(raw)
    if end != raw:
        why_fr, why_en = cal.why_not_working(raw)
        text.add(
            f"Le {fr_day(raw)} n'étant pas un jour ouvrable ({why_fr}), le délai est prorogé jusqu'à la fin "
            f"du premier jour ouvrable suivant, le {fr_day(end)}.",
            f"{en_day(raw)} is not a working day ({why_en}), so the period runs until the end of the next "
            f"working day, {en_day(end)}.",
        )
    return end


def region_note(rule: CountryRule, region: Region, text: TextBuilder) -> None:
    """Say which calendar was used, so that a missing region is visible in the explanation."""
    cc = rule.country
    if region.unknown:
        text.add(
            f"Région « {region.unknown} » inconnue : elle est ignorée.",
            f"Region '{region.unknown}' is not known: it is ignored.",
        )
    if not rule.roll_forward:
        text.add(
            "La loi ne reporte pas la fin du délai en cas de week-end ou de jour férié.",
            "The law does not move the end of the period for weekends or public holidays.",
        )
    elif region.subdivision:
        how_fr = " (déduite du code postal)" if region.origin == "postal_code" else ""
        how_en = " (derived from the postal code)" if region.origin == "postal_code" else ""
        text.add(
            f"Jours fériés pris en compte : ceux de {cc} et de la région {region.subdivision}{how_fr}.",
            f"Public holidays used: those of {cc} and of region {region.subdivision}{how_en}.",
        )
    elif region.without_calendar:
        text.add(
            f"La région {region.without_calendar} n'a pas de jours fériés propres : seuls les jours fériés "
            f"nationaux de {cc} sont pris en compte.",
            f"Region {region.without_calendar} has no public holidays of its own: only the nationwide "
            f"public holidays of {cc} are used.",
        )
    elif data.calendar_subdivisions(cc):
        text.add(
            f"Aucune région connue : seuls les jours fériés nationaux de {cc} sont pris en compte.",
            f"No region known: only the nationwide public holidays of {cc} are used.",
        )
