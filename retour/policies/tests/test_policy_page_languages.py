"""The public policy page in the six shopper languages: each one its own text, the statutory parts
in the words of the Directive's annex in that language, numbers and durations written its way."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from retour.policies.models import ReturnReason
from retour.policies.policy_page import (
    LANGUAGES,
    duration_text,
    lang_of,
    policy_context,
    policy_html,
    policy_text,
    refund_trigger_text,
)
from retour.policies.services import policy_update
from retour.policies.tests.test_policy_page import _plain, _store

OTHER_LANGUAGES = ("de", "es", "it", "nl")
COUNTRIES = ("FR", "DE", "ES", "IT", "NL", "GB")

# The first sentence of Annex I(A) of Directive 2011/83/EU in each language.
RIGHT = {
    "en": "you have the right to withdraw from this contract within 14 days without giving any reason",
    "fr": "vous avez le droit de vous rétracter du présent contrat sans donner de motif dans un délai de quatorze jours",
    "de": "Sie haben das Recht, binnen vierzehn Tagen ohne Angabe von Gründen diesen Vertrag zu widerrufen.",
    "es": "Tiene usted derecho a desistir del presente contrato en un plazo de 14 días sin necesidad de justificación.",
    "it": "Ha il diritto di recedere dal presente contratto, senza indicarne le ragioni, entro 14 giorni.",
    "nl": "U hebt het recht binnen een termijn van 14 dagen zonder opgave van redenen deze overeenkomst te herroepen.",
}
UK_RIGHT_EN = "you have the right to cancel this contract within 14 days without giving any reason"

# The title and the last line of the model withdrawal form of Annex I(B).
FORM = {
    "en": ("Model withdrawal form", "(*) Delete as appropriate."),
    "fr": ("Modèle de formulaire de rétractation", "(*) Rayez la mention inutile."),
    "de": ("Muster-Widerrufsformular", "(*) Unzutreffendes streichen."),
    "es": ("Modelo de formulario de desistimiento", "(*) Táchese lo que no proceda."),
    "it": ("Modulo di recesso tipo", "(*) Cancellare la dicitura inutile."),
    "nl": ("Modelformulier voor herroeping", "(*) Doorhalen wat niet van toepassing is."),
}

# The refund may wait for the goods or the proof of dispatch: EU wording, not the UK's.
WITHHOLD = {
    "de": "Wir können die Rückzahlung verweigern, bis wir die Waren wieder zurückerhalten haben",
    "es": "Podremos retener el reembolso hasta haber recibido los bienes",
    "it": "Il rimborso può essere sospeso fino al ricevimento dei beni",
    "nl": "Wij mogen wachten met terugbetalen tot wij de goederen hebben teruggekregen",
}

# Sentences and words of the English page that must not survive in another language.
ENGLISH = (
    "return policy",
    "How long you have",
    "Right of withdrawal",
    "Right to cancel",
    "without giving any reason",
    "Effects of withdrawal",
    "Model withdrawal form",
    "Delete as appropriate",
    "We refund you",
    "Legal guarantee",
    "legal guarantee of conformity",
    "Your statutory rights",
    "returns centre",
    "defective or not working",
    "as transposed",
    "Withdraw from contract here",
)


def _shop(country: str, **extra):
    currency = {"GB": "GBP"}.get(country, "EUR")
    store = _store(
        f"shop-{country.lower()}",
        country,
        currency=currency,
        legal_name=f"Handel {country} GmbH",
        address="Hauptstraße 1\n10115 Berlin",
        support_email="service@handel.test",
        **extra,
    )
    policy_update(
        store=store,
        changes={
            "window_days": 30,
            "restocking_fee_percent": Decimal("12.5"),
            "return_shipping_fee": Decimal("5.90"),
            "store_credit_bonus_percent": Decimal("10"),
        },
    )
    store.refresh_from_db()
    return store


def _blocks(markup: str) -> list[str]:
    """The visible text of each paragraph, list item and heading of a page."""
    found = re.findall(r"<(p|li|h[1-6])\b[^>]*>(.*?)</\1>", str(markup), flags=re.S)
    return [_plain(inner).strip() for _, inner in found]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("fr", "fr"),
        ("fr-BE", "fr"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("nl-BE", "nl"),
        ("es-MX", "es"),
        ("IT", "it"),
        ("en-GB", "en"),
        ("pt-BR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_language_code_gives_one_of_the_six_page_languages(code, expected):
    assert lang_of(code) == expected


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_renders_the_statutory_texts_for_every_store(db, country, language):
    store = _shop(country)
    page = policy_html(store=store, language=language)
    text = _plain(page)

    assert f'<article class="return-policy" lang="{language}">' in page
    assert store.name in text
    assert 'id="withdrawal"' in page and 'id="withdrawal-form"' in page
    right = UK_RIGHT_EN if (language, country) == ("en", "GB") else RIGHT[language]
    assert right in text
    title, delete = FORM[language]
    if (language, country) == ("en", "GB"):
        title = "Model cancellation form"
    assert title in text and delete in text
    assert "Handel" in text and "Hauptstraße 1, 10115 Berlin, service@handel.test" in text  # Annex I(B) "To"


@pytest.mark.parametrize("country", COUNTRIES)
@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_other_languages_have_no_english_left(db, country, language):
    store = _shop(country)
    page = policy_html(store=store, language=language)
    text = _plain(page)

    for english in ENGLISH:
        assert english.lower() not in text.lower(), english
    english_blocks = {b for b in _blocks(policy_html(store=store, language="en")) if len(b) > 12}
    assert english_blocks, "the English page has paragraphs"
    assert not english_blocks & set(_blocks(page))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_names_the_portal_buttons_as_the_portal_shows_them(db, language):
    store = _shop("DE")
    text = _plain(policy_html(store=store, language=language))
    with translation.override(language):
        withdraw = translation.gettext("Withdraw from contract here")
        confirm = translation.gettext("Confirm withdrawal")
    assert withdraw in text and confirm in text


@pytest.mark.parametrize(
    ("language", "restocking", "shipping", "bonus"),
    [
        ("de", "12,5 %", "5,90 €", "10 %"),
        ("es", "12,5 %", "5,90 €", "10 %"),
        ("it", "12,5%", "5,90 €", "10%"),
        ("nl", "12,5%", "€ 5,90", "10%"),
    ],
)
def test_amounts_and_percentages_are_written_the_languages_way(db, language, restocking, shipping, bonus):
    text = _plain(policy_html(store=_shop("DE"), language=language))
    assert restocking in text
    assert shipping in text
    assert bonus in text
    assert "5.90" not in text and "12.5" not in text


@pytest.mark.parametrize(
    ("country", "language", "expected"),
    [
        (
            "DE",
            "de",
            [
                "diese Frist beträgt 2 Jahre ab der Lieferung",
                "diese Frist beträgt 12 Monate ab der Lieferung",
            ],
        ),
        ("ES", "es", ["en un plazo de 3 años desde la entrega", "en un plazo de 2 años desde la entrega"]),
        (
            "IT",
            "it",
            [
                "entro 2 anni dalla consegna",
                "entro 12 mesi dalla consegna",
                "(Codice del consumo, artt. 133 e 135)",
            ],
        ),
        ("NL", "nl", ["de wet legt geen vaste termijn vast", "binnen 12 maanden na de levering"]),
        ("GB", "de", ["Consumer Rights Act 2015", "diese Frist beträgt 6 Monate ab der Lieferung"]),
    ],
)
def test_the_guarantee_notice_gives_the_countrys_periods_in_the_language(db, country, language, expected):
    text = _plain(policy_html(store=_shop(country), language=language))
    for words in expected:
        assert words in text


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_a_french_stores_guarantee_box_stays_french_with_a_notice_in_the_language(db, language):
    page = policy_html(store=_shop("FR"), language=language)
    text = _plain(page)
    assert '<div class="legal-notice" lang="fr">' in page
    assert "Le consommateur dispose d'un délai de deux ans à compter de la délivrance du bien" in text
    assert "articles 1641 à 1649 du code civil" in text
    assert "Code de la consommation" in _plain(
        re.search(r'class="translation-note">(.*?)</p>', page).group(1)
    )
    general = {
        "de": "diese Frist beträgt 2 Jahre ab der Lieferung",
        "es": "en un plazo de 2 años desde la entrega",
        "it": "entro 2 anni dalla consegna",
        "nl": "binnen 2 jaar na de levering",
    }
    assert general[language] in text


def test_the_french_page_keeps_the_box_without_a_language_attribute(db):
    page = policy_html(store=_shop("FR"), language="fr")
    assert '<div class="legal-notice">' in page


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_an_eu_store_may_withhold_the_refund_and_rolls_the_deadline_forward(db, language):
    text = _plain(policy_html(store=_shop("DE"), language=language))
    assert WITHHOLD[language] in text
    assert 'class="translation-note"' not in str(policy_html(store=_shop("IT"), language=language))


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_a_uk_store_refunds_on_the_goods_and_says_the_english_text_prevails(db, language):
    page = policy_html(store=_shop("GB"), language=language)
    text = _plain(page)
    assert "Consumer Contracts Regulations 2013" in text
    assert WITHHOLD[language] not in text
    weekend = {"de": "Samstag", "es": "sábado", "it": "sabato", "nl": "zaterdag"}[language]
    assert weekend not in text  # no roll-forward over weekends in the UK regime
    assert "£5.90" not in text  # GBP written the language's way too


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_without_statutory_rights_there_is_no_withdrawal_section(db, language):
    store = _shop("DE")
    policy_update(
        store=store, changes={"apply_statutory_rights": False, "return_costs_borne_by_customer": False}
    )
    store.refresh_from_db()
    page = policy_html(store=store, language=language)
    assert 'id="withdrawal"' not in page
    assert RIGHT[language] not in _plain(page)


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_trader_bearing_return_costs_is_stated_in_the_language(db, language):
    store = _shop("DE")
    policy_update(store=store, changes={"return_costs_borne_by_customer": False})
    store.refresh_from_db()
    expected = {
        "de": "Wir tragen die Kosten der Rücksendung der Waren.",
        "es": "Nosotros asumiremos el coste de la devolución de los bienes.",
        "it": "I costi della restituzione dei beni saranno a nostro carico.",
        "nl": "Wij dragen de kosten van terugzending van de goederen.",
    }
    assert expected[language] in _plain(policy_html(store=store, language=language))


@pytest.mark.parametrize("country", ["CH", "US"])
@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_stores_outside_the_eu_and_uk_get_their_notice_in_the_language(db, country, language):
    store = _store(f"o-{country.lower()}-{language}", country, currency="USD")
    page = policy_html(store=store, language=language)
    text = _plain(page)
    assert 'id="withdrawal"' not in page
    if country == "CH":
        assert {"de": "2 Jahre", "es": "2 años", "it": "2 anni", "nl": "2 jaar"}[language] in text
    for english in ENGLISH:
        assert english.lower() not in text.lower(), english


def test_default_reason_labels_are_translated_and_staff_labels_kept(db):
    store = _shop("DE")
    ReturnReason.objects.filter(store=store, code="wrong_item").update(label_en="Parcel mixed up")
    text = _plain(policy_html(store=store, language="de"))
    assert "Defekt oder funktioniert nicht" in text
    assert "Parcel mixed up" in text  # written by staff: no translation to look up
    reason = ReturnReason.objects.get(store=store, code="defective")
    assert reason.label("nl") == "Defect of werkt niet"
    assert reason.label("fr") == "Défectueux ou ne fonctionne pas"
    assert reason.label("en") == "Defective or not working"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_refund_trigger_and_duration_has_the_languages_words(language):
    texts = {refund_trigger_text(trigger, language) for trigger in ("on_approval", "on_inspection", "manual")}
    assert len(texts) == 3
    if language != "en":
        assert not texts & {refund_trigger_text(t, "en") for t in ("on_approval", "on_inspection", "manual")}
    assert duration_text(36, language).startswith("3 ") and duration_text(12, language).startswith("12 ")


def test_durations_read_as_the_language_writes_them():
    assert [duration_text(m, "de") for m in (1, 12, 24)] == ["1 Monat", "12 Monate", "2 Jahre"]
    assert [duration_text(m, "es") for m in (12, 36)] == ["12 meses", "3 años"]
    assert [duration_text(m, "it") for m in (12, 24)] == ["12 mesi", "2 anni"]
    assert [duration_text(m, "nl-BE") for m in (12, 24)] == ["12 maanden", "2 jaar"]


def test_the_context_of_a_regional_code_is_the_base_language(db):
    context = policy_context(store=_shop("DE"), language="de-AT")
    assert context["lang"] == "de"
    assert context["guarantee"]["duration"] == "2 Jahre"
    assert context["refund_when"] == "sobald wir die Artikel erhalten und geprüft haben"


def test_the_generic_guarantee_law_is_cited_in_the_language(db):
    text = _plain(policy_html(store=_shop("CZ"), language="de"))
    assert "Richtlinie (EU) 2019/771, Art. 10 und 11, in ihrer nationalen Umsetzung" in text
    assert "mindestens 12 Monate" in text  # an unverified presumption is worded as a minimum


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_plain_text_version_exists_in_the_language(db, language):
    text = policy_text(store=_shop("DE"), language=language)
    assert RIGHT[language] in text.replace("\n", " ")
    assert "<" not in text


def test_the_portal_policy_page_in_german_shows_the_german_policy(db):
    store = _shop("DE")
    with translation.override("de"):
        url = reverse("portal:policy", kwargs={"store": store.slug})
    assert url.startswith("/de/")

    html = Client().get(url).content.decode()

    text = _plain(html)
    assert '<html lang="de">' in html
    assert "Rückgaberichtlinie von Shop DE" in text
    assert RIGHT["de"] in text
    assert "Muster-Widerrufsformular" in text
    assert "without giving any reason" not in text and "Model withdrawal form" not in text
