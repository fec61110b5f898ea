"""Dates as French readers write them: "1er décembre", not "1 décembre".

Installed as a template builtin (settings.TEMPLATES): its ``date`` filter wraps Django's and
every template, portal and email alike, gets the ordinal without changing a line.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.template.defaultfilters import date as django_date
from django.utils.translation import get_language

register = template.Library()

_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_FIRST = re.compile(rf"(?<![\d])1 ({_MONTHS})\b")


def first_of_month(text: str, language: str | None = None) -> str:
    """'1 décembre 2026' → '1er décembre 2026' in French; any other language unchanged."""
    lang = (language or get_language() or "")[:2].lower()
    return _FIRST.sub(r"1er \1", text) if lang == "fr" and text else text


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    return first_of_month(django_date(value, arg))
