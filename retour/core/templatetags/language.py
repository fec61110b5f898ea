"""``{{ code|language_label }}``: 'French' / 'Français' for 'fr', in the reader's language.

Unlike Django's ``language_name_translated``, an unknown code does not fail the page."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language_info

register = template.Library()


@register.filter
def language_label(code: str | None) -> str:
    """The language's name in the active language; an unknown code (free text from an import)
    is shown as it was given rather than failing the page."""
    if not code:
        return ""
    base = code.lower().replace("_", "-")
    for candidate in (base, base.split("-")[0]):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return code
