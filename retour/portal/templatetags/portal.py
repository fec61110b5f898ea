"""Template filters of the portal: money in the active language."""

from __future__ import annotations

from django import template

from retour.core.templatetags.money import money

register = template.Library()


register.filter("money", money)  # the shared filter, under the name portal templates know
