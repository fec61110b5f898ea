"""Explanations in French and English, and the date wording they use. No Django: the engine's
texts are built in both languages at once and the caller picks one (``Explanation.get``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FR_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")  # fmt: skip
_FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
              "octobre", "novembre", "décembre")  # fmt: skip


@dataclass(frozen=True)
class Explanation:
    """The same explanation in French and English."""

    fr: str
    en: str

    def get(self, lang: str | None) -> str:
        """French for any ``fr…`` language code (``fr``, ``fr-be``), English otherwise."""
        return self.fr if (lang or "").lower().startswith("fr") else self.en


class TextBuilder:
    """Builds an Explanation sentence by sentence, in both languages at once."""

    def __init__(self) -> None:
        self.fr: list[str] = []
        self.en: list[str] = []

    def add(self, fr: str, en: str) -> None:
        self.fr.append(fr)
        self.en.append(en)

    def build(self) -> Explanation:
        return Explanation(fr=" ".join(self.fr), en=" ".join(self.en))


def en_day(day: date) -> str:
    """'Friday 17 July 2026'."""
    return f"{_EN_DAYS[day.weekday()]} {day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def fr_day(day: date) -> str:
    """'vendredi 17 juillet 2026', 'vendredi 1er mai 2026'."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{_FR_DAYS[day.weekday()]} {number} {_FR_MONTHS[day.month - 1]} {day.year}"


def weekday_names(day: date) -> tuple[str, str]:
    """``(fr, en)`` name of the day of the week."""
    return _FR_DAYS[day.weekday()], _EN_DAYS[day.weekday()]


def duration(months: int) -> tuple[str, str]:
    """``(fr, en)`` wording of a period in months: '2 ans' / '2 years', '6 mois' / '6 months'."""
    if months % 12:
        return f"{months} mois", f"{months} month{'s' if months > 1 else ''}"
    years = months // 12
    return f"{years} an{'s' if years > 1 else ''}", f"{years} year{'s' if years > 1 else ''}"


def cite(law: str) -> str:
    """' (Code de la consommation, art. L221-24)', or nothing when no law is recorded."""
    return f" ({law})" if law else ""
