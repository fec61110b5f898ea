"""The number and language filters every page shares."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from retour.core.templatetags.language import language_label
from retour.core.templatetags.money import money, percent


def test_money_and_percent_read_the_readers_way():
    with translation.override("fr"):
        assert (money(Decimal("1234.5"), "EUR"), percent(Decimal("66.7"))) == (
            "1\u202f234,50\xa0€",
            "66,7\xa0%",
        )
    with translation.override("en"):
        assert (money(Decimal("1234.5"), "EUR"), percent(Decimal("66.7"))) == ("€1,234.50", "66.7%")
    assert money(None, "EUR") == "" and percent("") == ""


def test_a_language_is_named_in_the_readers_language_and_an_unknown_code_is_kept():
    with translation.override("fr"):
        assert language_label("de") == "Allemand" and language_label("pt_BR") == "Portugais brésilien"
    with translation.override("en"):
        assert language_label("de-AT") == "German" and language_label("xx") == "xx"
    assert language_label("") == ""
