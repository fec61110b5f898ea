"""``{{ amount|money:currency }}`` and ``{{ rate|percent }}``: numbers in the active language, on every page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from retour.core.money import format_money, format_percent

register = template.Library()


@register.filter
def money(amount: Any, currency: str) -> str:
    """'12,50 €' in French, '€12.50' in English."""
    if amount in (None, ""):
        return ""
    return format_money(Decimal(amount), currency)


@register.filter
def percent(value: Any) -> str:
    """'66,7 %' in French, '66.7%' in English."""
    if value in (None, ""):
        return ""
    return format_percent(Decimal(value))
