"""Money is ``Decimal`` quantized to the currency's exponent; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from babel.numbers import format_percent as babel_format_percent

ZERO = Decimal("0")


def currency_exponent(currency: str) -> int:
    return int(get_currency_precision(currency.upper()))


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half up to the currency's number of decimals (JPY 0, EUR 2, KWD 3)."""
    exp = Decimal(1).scaleb(-currency_exponent(currency))
    return Decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal, currency: str) -> str:
    """The API's money representation: a decimal string with the currency's decimals."""
    return format(quantize(amount, currency), "f")


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return quantize(amount * Decimal(percent) / Decimal(100), currency)


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """'12,50 €' in French, '€12.50' in English."""
    return format_currency(quantize(amount, currency), currency.upper(), locale=_locale(language))


def format_percent(percent: Decimal, language: str | None = None) -> str:
    """A percentage as people read it: '66,7 %' in French, '66.7%' in English, with the
    decimals ``percent`` has."""
    return babel_format_percent(Decimal(percent) / 100, locale=_locale(language), decimal_quantization=False)


def _locale(language: str | None) -> str:
    from django.utils.translation import get_language

    lang = (language or get_language() or "en").split("-")[0]
    return {"fr": "fr_FR", "en": "en_GB"}.get(lang, lang)
