"""The shopper's pages in German, Spanish, Italian and Dutch: words, dates and amounts of the locale."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.utils import formats, translation
from django.utils.translation.template import templatize

from retour.core.money import format_money
from retour.portal.tests.conftest import url
from retour.returns.returnability import order_returnability

pytestmark = pytest.mark.django_db

SHOPPER_LANGUAGES = ("de", "es", "it", "nl")

# A phrase of each page, as the shopper reads it in each language.
FIND_MY_ORDER = {
    "de": "Meine Bestellung finden",
    "es": "Buscar mi pedido",
    "it": "Trova il mio ordine",
    "nl": "Mijn bestelling zoeken",
}
RETURNABLE_UNTIL = {
    "de": "Rücksendbar bis",
    "es": "Se puede devolver hasta el",
    "it": "Rendibile fino al",
    "nl": "Retourneren kan tot",
}
RETURN_POLICY = {
    "de": "Rückgaberichtlinie",
    "es": "Política de devoluciones",
    "it": "Politica di reso",
    "nl": "Retourbeleid",
}
RETURN_AN_ITEM = {
    "de": "Artikel zurücksenden",
    "es": "Devolver un artículo",
    "it": "Rendi un articolo",
    "nl": "Artikel retourneren",
}


def test_the_shopper_languages_are_offered():
    codes = [code for code, _name in settings.LANGUAGES]
    assert {"en", "fr", *SHOPPER_LANGUAGES} <= set(codes)


@pytest.mark.parametrize("lang", SHOPPER_LANGUAGES)
def test_the_order_lookup_page_is_in_the_language_with_a_switcher(store, lang):
    response = Client().get(url("start", lang, store="shop"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert FIND_MY_ORDER[lang] in html
    assert "Find my order" not in html
    for other in ("en", "fr", *SHOPPER_LANGUAGES):
        if other != lang:
            assert f'href="/{other}/portal/shop/"' in html  # the switcher offers every language


@pytest.mark.parametrize("lang", SHOPPER_LANGUAGES)
def test_the_order_page_gives_the_deadline_as_a_local_date(shopper, order, lang):
    deadline = order_returnability(order=order)[0].deadline
    with translation.override(lang):
        local = formats.date_format(deadline, "DATE_FORMAT")
    assert local != formats.date_format(deadline, "DATE_FORMAT")  # not the English spelling

    html = shopper.get(url("order", lang, store="shop")).content.decode()

    assert f"{RETURNABLE_UNTIL[lang]} <strong>{local}</strong>" in html


@pytest.mark.parametrize("lang", SHOPPER_LANGUAGES)
def test_the_policy_page_is_framed_in_the_language(store, lang):
    html = Client().get(url("policy", lang, store="shop")).content.decode()

    assert f'<html lang="{lang}">' in html
    assert RETURN_POLICY[lang] in html and RETURN_AN_ITEM[lang] in html
    assert (
        "Maison Test" in html
    )  # the store's policy itself, in the same language (policies/tests/test_policy_page_languages.py)


@pytest.mark.parametrize(
    ("lang", "expected"), [("de", "4,90\xa0€"), ("es", "4,90\xa0€"), ("it", "4,90\xa0€"), ("nl", "€\xa04,90")]
)
def test_money_is_written_the_local_way(lang, expected):
    assert format_money(Decimal("4.90"), "EUR", lang) == expected


@pytest.mark.parametrize("lang", SHOPPER_LANGUAGES)
def test_plural_messages_have_their_plural_form(store, lang):
    with translation.override(lang):
        one = translation.ngettext("%(n)s photo attached", "%(n)s photos attached", 1) % {"n": 1}
        many = translation.ngettext("%(n)s photo attached", "%(n)s photos attached", 3) % {"n": 3}
    # The numbers differ anyway: the words must differ too ('1 photo(s) jointe(s)' is not a plural form).
    assert one.replace("1", "") != many.replace("3", "") and "photo attached" not in one
    assert "(s)" not in one + many


def test_french_plural_messages_are_real_plural_forms():
    """Every plural message of the French catalogue has a singular and a plural that differ and
    no '(s)' stand-in, staff pages included."""
    with open(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po", "rb") as fh:
        catalog = read_po(fh, locale="fr")
    plurals = [m for m in catalog if m.id and not isinstance(m.id, str)]
    assert plurals
    for message in plurals:
        assert message.string[0] != message.string[1] and "(s)" not in "".join(message.string), message.id


@pytest.mark.parametrize("lang", ["fr", "de", "es", "it", "nl"])
def test_every_catalogue_states_its_plural_rule(lang):
    """A merge that takes a .po file without its header leaves gettext's default (n != 1) and
    mismatched plural counts: the header must say the language's own rule."""
    with open(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po", "rb") as fh:
        catalog = read_po(fh, locale=lang)
    header = dict(catalog.mime_headers)
    assert header.get("Plural-Forms", "").startswith(f"nplurals={catalog.num_plurals};"), lang
    head = (ROOT / "locale" / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")[:2000]
    assert '"Plural-Forms: nplurals=' in head, f"{lang}: run scripts/i18n_merge.py"


def test_each_language_counts_zero_its_own_way():
    """French says '0 photo jointe' (zero takes the singular), English and German '0 photos': the
    catalogue must carry the language's plural rule, not gettext's default (n != 1)."""
    with translation.override("fr"):
        french = translation.ngettext("%(n)s photo attached", "%(n)s photos attached", 0) % {"n": 0}
        french_one = translation.ngettext("%(n)s photo attached", "%(n)s photos attached", 1) % {"n": 1}
    with translation.override("de"):
        german = translation.ngettext("%(n)s photo attached", "%(n)s photos attached", 0) % {"n": 0}
        german_many = translation.ngettext("%(n)s photo attached", "%(n)s photos attached", 2) % {"n": 2}
    assert french.replace("0", "") == french_one.replace("1", "")
    assert german.replace("0", "") == german_many.replace("2", "")


# --- every shopper-facing msgid has a translation ----------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
SHOPPER_SOURCES = [
    *sorted((ROOT / "portal" / "templates").rglob("*.html")),
    *(ROOT / "portal" / name for name in ("forms.py", "views.py", "selectors.py", "services.py")),
    ROOT / "policies" / "eligibility.py",
]
KEYWORDS = ["_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"]


def shopper_msgids() -> set[str]:
    """The msgids of the portal's templates and code and of the shopper refusals."""
    found: set[str] = set()
    for path in SHOPPER_SOURCES:
        source = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            source = templatize(source, origin=str(path))
        for _line, func, message, _comments in extract_python(io.BytesIO(source.encode()), KEYWORDS, [], {}):
            if isinstance(message, str):
                found.add(message)
            elif func.startswith("pgettext"):
                found.add(message[1])
            else:
                found.add(message[0])
    return found


def test_the_shopper_msgids_are_found():
    msgids = shopper_msgids()
    assert "Find my order" in msgids and "%(n)s photo attached" in msgids and len(msgids) > 100


@pytest.mark.parametrize("lang", SHOPPER_LANGUAGES)
def test_no_shopper_msgid_lacks_a_translation(lang):
    with (ROOT / "locale" / lang / "LC_MESSAGES" / "django.po").open("rb") as fh:
        catalogue = read_po(fh, locale=lang)
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id
        and "fuzzy" not in message.flags
        and (all(message.string) if isinstance(message.string, tuple) else message.string)
    }

    missing = sorted(shopper_msgids() - translated)

    assert missing == [], f"{lang}: add these to i18n/shopper.{lang}.tsv and run scripts/i18n_merge.py"
