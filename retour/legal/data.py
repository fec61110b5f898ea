"""The per-country rules (``rules.csv``) and the public-holiday calendars, loaded once and cached.

Cell conventions in ``rules.csv``:

* a number: the value, with its evidence marker in the ``confidence`` column
  (``S`` source, ``S2`` secondary source, ``M`` memory, ``I`` interpretation; see legal-returns.md §0);
* ``none``: the law sets no such period (e.g. no fixed guarantee term in NL);
* ``unknown``: not verified. The engine uses the default of legal-returns.md §14 and lists the field
  in ``CountryRule.defaulted`` so that it can be flagged for legal review;
* empty: not applicable (no withdrawal right, so no withdrawal period).

Nothing here imports Django: the engine must run without settings.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

import holidays

WithdrawalRight = Literal["mandatory", "default", "none"]
RefundRule = Literal["eu", "uk", "none"]
ExtensionRule = Literal["after_initial_end", "later_of_eu_and_bgb", ""]

# legal-returns.md §14.7: an unverified presumption defaults to the SGD floor of 12 months (never 6).
# An unverified guarantee term (LI only) defaults to the SGD floor of 2 years, by the same reasoning.
DEFAULTS: MappingProxyType[str, int] = MappingProxyType(
    {"guarantee_months": 24, "presumption_months_new": 12, "presumption_months_used": 12}
)

_DEFAULTABLE = tuple(DEFAULTS)
_BLOCS = {"EU", "EEA", "UK", "other"}
_RIGHTS = {"mandatory", "default", "none"}
_REFUND_RULES = {"eu", "uk", "none"}
_EXTENSION_RULES = {"after_initial_end", "later_of_eu_and_bgb", ""}
_LATE_RULES = {"fr_l242_4", "none"}


@dataclass(frozen=True)
class CountryRule:
    """One country's statutory rules, as shipped in ``rules.csv`` (defaults already applied)."""

    country: str
    bloc: str
    withdrawal_right: WithdrawalRight
    withdrawal_days: int | None
    withdrawal_start: str
    start_day_counted: bool
    roll_forward: bool
    extra_holiday_categories: tuple[str, ...]
    extension_months_if_not_informed: int | None
    extension_rule: ExtensionRule
    refund_rule: RefundRule
    refund_deadline_days: int | None
    may_withhold_until_return: bool
    # When part of an order is withdrawn: 'pro_rata' refunds the standard delivery in proportion
    # to the value of the goods withdrawn (the whole order withdrawn gets all of it); '' = n/a.
    partial_withdrawal_delivery: str
    guarantee_months: int | None
    presumption_months_new: int | None
    presumption_months_used: int | None
    late_refund_rule: str
    withdrawal_law: str
    refund_law: str
    guarantee_law: str
    confidence: str
    notes: str
    source: str
    defaulted: frozenset[str] = frozenset()

    @property
    def statutory_right(self) -> bool:
        """True when the law gives the consumer a withdrawal (or default return) right."""
        return self.withdrawal_right != "none"

    @property
    def needs_legal_review(self) -> bool:
        """True when a value was not verified and a §14 default is used instead."""
        return bool(self.defaulted)

    def confidence_of(self, key: str) -> str | None:
        """The evidence marker recorded for ``key`` (``withdrawal``, ``guarantee``…), if any."""
        for item in self.confidence.split():
            name, _, marker = item.partition("=")
            if name == key:
                return marker
        return None


def _int_or_none(raw: str, field: str, cc: str) -> int | None:
    if raw in ("", "none"):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"rules.csv {cc}.{field}: {raw!r} is not a number, 'none' or 'unknown'") from None
    if value < 0:
        raise ValueError(f"rules.csv {cc}.{field}: negative value {value}")
    return value


def _flag(raw: str, field: str, cc: str) -> bool:
    if raw not in ("yes", "no", ""):
        raise ValueError(f"rules.csv {cc}.{field}: expected yes/no, got {raw!r}")
    return raw == "yes"


def _choice(raw: str, allowed: set[str], field: str, cc: str) -> str:
    if raw not in allowed:
        raise ValueError(f"rules.csv {cc}.{field}: {raw!r} is not one of {sorted(allowed)}")
    return raw


def _parse_row(row: dict[str, str]) -> CountryRule:
    cc = row["country"].strip()
    if len(cc) != 2 or not cc.isalpha() or not cc.isupper():
        raise ValueError(f"rules.csv: bad country code {cc!r}")
    defaulted = set()
    numbers: dict[str, int | None] = {}
    for field in _DEFAULTABLE:
        raw = row[field].strip()
        if raw == "unknown":
            defaulted.add(field)
            numbers[field] = DEFAULTS[field]
        else:
            numbers[field] = _int_or_none(raw, field, cc)
    return CountryRule(
        country=cc,
        bloc=_choice(row["bloc"], _BLOCS, "bloc", cc),
        withdrawal_right=_choice(row["withdrawal_right"], _RIGHTS, "withdrawal_right", cc),  # type: ignore[arg-type]
        withdrawal_days=_int_or_none(row["withdrawal_days"], "withdrawal_days", cc),
        withdrawal_start=row["withdrawal_start"],
        start_day_counted=_flag(row["start_day_counted"], "start_day_counted", cc),
        roll_forward=_flag(row["roll_forward"], "roll_forward", cc),
        extra_holiday_categories=tuple(row["extra_holiday_categories"].split()),
        extension_months_if_not_informed=_int_or_none(
            row["extension_months_if_not_informed"], "extension_months_if_not_informed", cc
        ),
        extension_rule=_choice(row["extension_rule"], _EXTENSION_RULES, "extension_rule", cc),  # type: ignore[arg-type]
        refund_rule=_choice(row["refund_rule"], _REFUND_RULES, "refund_rule", cc),  # type: ignore[arg-type]
        refund_deadline_days=_int_or_none(row["refund_deadline_days"], "refund_deadline_days", cc),
        may_withhold_until_return=_flag(row["may_withhold_until_return"], "may_withhold_until_return", cc),
        partial_withdrawal_delivery=_choice(
            row["partial_withdrawal_delivery"], {"", "pro_rata", "none"}, "partial_withdrawal_delivery", cc
        ),
        guarantee_months=numbers["guarantee_months"],
        presumption_months_new=numbers["presumption_months_new"],
        presumption_months_used=numbers["presumption_months_used"],
        late_refund_rule=_choice(row["late_refund_rule"], _LATE_RULES, "late_refund_rule", cc),
        withdrawal_law=row["withdrawal_law"],
        refund_law=row["refund_law"],
        guarantee_law=row["guarantee_law"],
        confidence=row["confidence"],
        notes=row["notes"],
        source=row["source"],
        defaulted=frozenset(defaulted),
    )


def _check_consistency(rule: CountryRule) -> None:
    """Refuse a data file whose rows contradict themselves (caught by the tests, not at runtime)."""
    cc = rule.country
    if rule.statutory_right and not rule.withdrawal_days:
        raise ValueError(f"rules.csv {cc}: a withdrawal right needs withdrawal_days")
    if rule.refund_rule != "none" and not rule.refund_deadline_days:
        raise ValueError(f"rules.csv {cc}: refund_rule {rule.refund_rule} needs refund_deadline_days")
    if rule.extension_months_if_not_informed and not rule.extension_rule:
        raise ValueError(f"rules.csv {cc}: an extension needs an extension_rule")


@cache
def load_rules() -> MappingProxyType[str, CountryRule]:
    """Every country of ``rules.csv``, keyed by ISO 3166-1 alpha-2 code. Read once per process."""
    text = resources.files("retour.legal").joinpath("rules.csv").read_text(encoding="utf-8")
    rules: dict[str, CountryRule] = {}
    for row in csv.DictReader(io.StringIO(text)):
        rule = _parse_row(row)
        _check_consistency(rule)
        if rule.country in rules:
            raise ValueError(f"rules.csv: {rule.country} appears twice")
        rules[rule.country] = rule
    return MappingProxyType(rules)


def rule_for(country: str) -> CountryRule | None:
    """The rule of an upper-case ISO code, or None when the country is not covered."""
    return load_rules().get(country)


# --- public-holiday calendars --------------------------------------------------------------------


@lru_cache(maxsize=4096)
def holiday_dates(
    country: str, subdivision: str | None, year: int, categories: tuple[str, ...] = ()
) -> frozenset[date]:
    """The public holidays of ``country`` (and ``subdivision``) in ``year``, plus extra categories.

    Cached per year as an immutable set: the ``holidays`` objects grow lazily when queried and
    are not safe to share between threads.
    """
    cats = ("public", *categories)
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year, categories=cats))


@lru_cache(maxsize=1024)
def holiday_name(
    country: str, subdivision: str | None, day: date, lang: str, categories: tuple[str, ...] = ()
) -> str | None:
    """The holiday's name in French (``lang='fr'``) or English, or None when not in that language."""
    cls = holidays.country_holidays(country, subdiv=subdivision, years=day.year)
    supported = getattr(cls, "supported_languages", ())
    language = {"fr": "fr", "en": "en_US"}[lang]
    if language not in supported:
        return None
    cats = ("public", *categories)
    named = holidays.country_holidays(
        country, subdiv=subdivision, years=day.year, categories=cats, language=language
    )
    return named.get(day)


@cache
def calendar_subdivisions(country: str) -> MappingProxyType[str, str]:
    """Upper-cased subdivision codes and aliases the holiday calendar knows, mapped to its own code."""
    try:
        cal = holidays.country_holidays(country)
    except NotImplementedError:
        return MappingProxyType({})
    known: dict[str, str] = {code.upper(): code for code in getattr(cal, "subdivisions", ())}
    for alias, code in getattr(cal, "subdivisions_aliases", {}).items():
        known.setdefault(alias.upper(), code)
    return MappingProxyType(known)
