"""The public policy page: generated from the store's policy and the law of its country, fr and en."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest

from retour.policies.policy_page import policy_context, policy_html, policy_text
from retour.policies.services import policy_update
from retour.stores.models import Location
from retour.stores.services import store_create


def _plain(markup: str) -> str:
    """Visible text: tags removed, entities decoded, no-break spaces and runs of spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", str(markup)))
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def _store(slug: str, country: str, **extra):
    store = store_create(
        slug=slug, name=f"Shop {country}", country=country, currency=extra.pop("currency", "EUR")
    )
    for field, value in extra.items():
        setattr(store, field, value)
    store.save()
    return store


@pytest.fixture
def fr_store(db):
    store = _store(
        "fr-shop",
        "FR",
        legal_name="Maison Test SAS",
        address="12 rue des Lilas\n75011 Paris\nFrance",
        support_email="retours@maison.test",
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


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_page_renders_in_both_languages(fr_store, language):
    page = policy_html(store=fr_store, language=language)
    assert page.startswith("<article") or page.lstrip().startswith("<article")
    assert f'lang="{language}"' in page
    assert "Shop FR" in page


def test_french_page_is_in_french_with_french_numbers(fr_store):
    text = _plain(policy_html(store=fr_store, language="fr"))
    assert "Politique de retour de Shop FR" in text
    assert "30 jours" in text
    assert "12,5 %" in text  # restocking fee, French format
    assert "5,90 €" in text  # return shipping fee, format_money in French
    assert "10 %" in text  # store-credit bonus
    assert "return policy" not in text.lower()


def test_english_page_has_english_numbers(fr_store):
    text = _plain(policy_html(store=fr_store, language="en"))
    assert "Shop FR return policy" in text
    assert "30 days" in text
    assert "12.5%" in text
    assert "€5.90" in text
    assert "Politique" not in text


def test_fees_are_waived_for_seller_fault_reasons_and_on_withdrawal(fr_store):
    text = _plain(policy_html(store=fr_store, language="en"))
    assert "never apply when the return is our fault" in text
    assert "defective or not working" in text  # a seller-fault reason label
    assert (
        "we charge no restocking fee and no other fee, except the direct cost of sending the goods back (€5.90)"
        in text
    )
    fr = _plain(policy_html(store=fr_store, language="fr"))
    assert "aucuns frais de remise en stock ni autres frais ne sont retenus" in fr
    assert "défectueux ou ne fonctionne pas" in fr


def test_when_the_trader_bears_return_costs_the_page_says_so(fr_store):
    policy_update(store=fr_store, changes={"return_costs_borne_by_customer": False})
    fr_store.refresh_from_db()
    assert "Nous prendrons en charge les frais de renvoi du bien." in _plain(
        policy_html(store=fr_store, language="fr")
    )
    text = _plain(policy_html(store=fr_store, language="en"))
    assert "We will bear the cost of returning the goods." in text
    assert "except the direct cost" not in text


def test_the_refund_trigger_decides_when_refunds_happen(fr_store):
    assert "once we have received and checked the items" in _plain(policy_html(store=fr_store, language="en"))
    policy_update(store=fr_store, changes={"refund_trigger": "on_receipt"})
    fr_store.refresh_from_db()
    assert "dès la réception du colis" in _plain(policy_html(store=fr_store, language="fr"))


def test_only_the_offered_resolutions_are_listed(fr_store):
    policy_update(store=fr_store, changes={"allowed_resolutions": ["refund"]})
    fr_store.refresh_from_db()
    text = _plain(policy_html(store=fr_store, language="en"))
    assert "A refund to the payment method" in text
    assert "Store credit" not in text
    assert "An exchange" not in text


def test_the_page_links_to_the_portal(fr_store, settings):
    settings.BASE_URL = "https://returns.example"
    page = policy_html(store=fr_store, language="en")
    assert 'href="https://returns.example/portal/fr-shop/"' in page


def test_a_french_store_has_the_withdrawal_information_and_the_model_form(fr_store):
    text = _plain(policy_html(store=fr_store, language="fr"))
    assert "Droit de rétractation" in text
    assert "quatorze jours après le jour où vous-même, ou un tiers autre que le transporteur" in text
    assert "« Se rétracter du contrat ici »" in text
    assert "Nous pouvons différer le remboursement jusqu'à ce que nous ayons reçu le bien" in text
    assert "Vous devrez prendre en charge les frais directs de renvoi du bien." in text
    assert "ces frais s'élèvent à 5,90 €" in text
    assert "dépréciation du bien résultant de manipulations" in text
    # Annex I(B) with the trader's name, geographical address and e-mail filled in.
    assert "Modèle de formulaire de rétractation" in text
    assert (
        "À l'attention de Maison Test SAS, 12 rue des Lilas, 75011 Paris, France, retours@maison.test :"
        in text
    )
    assert "Commandé le (*)/reçu le (*)" in text
    assert "(*) Rayez la mention inutile." in text


def test_the_english_page_of_a_french_store_has_annex_i_in_english(fr_store):
    text = _plain(policy_html(store=fr_store, language="en"))
    assert (
        "you have the right to withdraw from this contract within 14 days without giving any reason" in text
    )
    assert '"Withdraw from contract here"' in text
    assert "including the costs of delivery" in text
    assert "whichever is the earliest" in text
    assert "Model withdrawal form" in text
    assert "To Maison Test SAS, 12 rue des Lilas, 75011 Paris, France, retours@maison.test:" in text
    assert "(*) Delete as appropriate." in text


def test_a_french_store_shows_the_l217_legal_guarantee_notice(fr_store):
    text = _plain(policy_html(store=fr_store, language="fr"))
    assert "Le consommateur dispose d'un délai de deux ans à compter de la délivrance du bien" in text
    assert "articles 1641 à 1649 du code civil" in text
    assert "Pour les biens d'occasion, le défaut de conformité qui apparaît dans un délai de 12 mois" in text
    en = _plain(policy_html(store=fr_store, language="en"))
    assert "The consumer has two years from delivery" in en


def test_the_trader_is_named_once_when_the_address_repeats_the_name(db):
    store = _store("dup", "FR", legal_name="Dup SAS", address="Dup SAS\n1 rue X\n75001 Paris")
    text = _plain(policy_html(store=store, language="en"))
    assert "To Dup SAS, 1 rue X, 75001 Paris:" in text


def test_without_an_address_the_trader_address_is_the_main_location(db):
    store = _store("nl-shop", "NL", support_email="hi@nl.test")
    Location.objects.filter(store=store, code="main").update(
        line1="Damrak 1", postal_code="1012 LG", city="Amsterdam"
    )
    text = _plain(policy_html(store=store, language="en"))
    assert "To Shop NL, Damrak 1, 1012 LG Amsterdam, hi@nl.test:" in text


@pytest.mark.parametrize("country", ["CH", "US", "JP", "AU"])
def test_a_store_outside_the_eu_and_uk_has_no_withdrawal_section(db, country):
    store = _store(f"s-{country.lower()}", country, currency="USD")
    for language in ("fr", "en"):
        page = policy_html(store=store, language=language)
        assert 'id="withdrawal"' not in page
        assert 'id="withdrawal-form"' not in page
        assert "Withdraw from contract here" not in page and "Se rétracter" not in page


def test_a_swiss_store_shows_the_code_of_obligations_warranty(db):
    store = _store("ch-shop", "CH", currency="CHF")
    assert "art. 210" in _plain(policy_html(store=store, language="fr"))


def test_a_us_store_has_a_general_rights_notice(db):
    store = _store("us-shop", "US", currency="USD")
    text = _plain(policy_html(store=store, language="en"))
    assert "in addition to the rights the law of your country gives you" in text


def test_a_german_store_states_its_guarantee_and_presumption(db):
    store = _store("de-shop", "DE")
    text = _plain(policy_html(store=store, language="en"))
    assert "within 2 years of delivery" in text
    assert "within 12 months of delivery is presumed" in text
    assert "Right of withdrawal" in text


def test_unverified_periods_are_worded_as_a_minimum(db):
    store = _store("cz-shop", "CZ")  # presumption not verified: the SGD floor of 12 months, "at least"
    assert "within at least 12 months of delivery is presumed" in _plain(
        policy_html(store=store, language="en")
    )


def test_a_dutch_store_says_there_is_no_fixed_guarantee_term(db):
    store = _store("nl2", "NL")
    assert "la loi ne fixe pas de durée" in _plain(policy_html(store=store, language="fr"))


def test_a_uk_store_speaks_of_cancellation_and_the_uk_refund_date(db):
    store = _store("uk-shop", "GB", currency="GBP")
    text = _plain(policy_html(store=store, language="en"))
    assert "Right to cancel" in text
    assert "Model cancellation form" in text
    assert "14 days after the day we receive back from you any goods supplied" in text
    assert "whichever is the earliest" not in text
    assert "Consumer Rights Act 2015" in text


def test_switching_statutory_rights_off_removes_the_withdrawal_section(fr_store):
    policy_update(store=fr_store, changes={"apply_statutory_rights": False})
    fr_store.refresh_from_db()
    assert 'id="withdrawal"' not in policy_html(store=fr_store, language="fr")


def test_final_sale_never_limits_the_withdrawal_right_or_the_guarantee(fr_store):
    # Scenario E2: the page says what eligibility does: a final-sale item may be withdrawn within
    # the statutory 14 days, is refused under the policy after them, and the guarantee stays.
    text = _plain(policy_html(store=fr_store, language="en"))
    assert (
        'Items marked "final sale" cannot be returned or exchanged under our commercial policy once the 14-day statutory withdrawal period has ended'
        in text
    )
    assert "within that period you may withdraw for them like any other item, without our fees" in text
    assert "This never limits the legal guarantee" in text
    assert "goods made to the consumer's specifications or clearly personalised" in text
    fr = _plain(policy_html(store=fr_store, language="fr"))
    assert "pendant ce délai, vous pouvez vous rétracter pour ces articles" in fr
    assert "vente finale" not in fr


def test_without_statutory_rights_final_sale_items_are_simply_not_taken_back(fr_store):
    policy_update(store=fr_store, changes={"apply_statutory_rights": False})
    fr_store.refresh_from_db()
    text = _plain(policy_html(store=fr_store, language="en"))
    assert 'Items marked "final sale" cannot be returned or exchanged under our commercial policy.' in text
    assert "withdraw for them" not in text


def test_a_zero_fee_policy_says_returns_are_free(db):
    store = _store("free", "FR")
    assert "Returns are free" in _plain(policy_html(store=store, language="en"))
    assert "Les retours sont gratuits" in _plain(policy_html(store=store, language="fr"))


def test_store_texts_are_escaped(db):
    store = _store("esc", "FR", legal_name="<script>alert(1)</script> & Co")
    page = policy_html(store=store, language="en")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_the_page_language_does_not_leak_into_the_caller(fr_store):
    from django.utils import translation

    with translation.override("en"):
        policy_html(store=fr_store, language="fr")
        assert translation.get_language() == "en"


def test_the_plain_text_version_has_headings_bullets_and_no_tags(fr_store):
    text = policy_text(store=fr_store, language="fr")
    assert (
        "\n\n- " not in text.split("Conditions", 1)[1].split("Frais", 1)[0].strip()
    )  # bullets are not spaced out
    assert "<" not in text
    assert "Droit de rétractation" in text
    assert "\n- " in text
    assert "12,5" in text


def test_the_context_lists_the_legal_facts(fr_store):
    context = policy_context(store=fr_store, language="fr-FR")
    assert context["lang"] == "fr"
    assert context["regime"] == "eu"
    assert context["guarantee"]["kind"] == "fr"
    assert context["guarantee"]["duration"] == "2 ans"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_demo_store_page_renders_in_both_languages(db, language, tmp_path, settings):
    from retour.stores.demo import demo_load
    from retour.stores.models import Store

    settings.MEDIA_ROOT = tmp_path
    demo_load()
    store = Store.objects.get(slug="demo")
    text = _plain(policy_html(store=store, language=language))
    assert store.name in text
    assert ("Modèle de formulaire de rétractation" if language == "fr" else "Model withdrawal form") in text
    assert policy_text(store=store, language=language).strip()


@pytest.mark.parametrize("country", ["BR", "XX"])
def test_a_country_without_rules_or_an_unknown_code_still_renders(db, country):
    store = _store(f"c-{country.lower()}", country, currency="USD")
    page = policy_html(store=store, language="fr")
    assert 'id="withdrawal"' not in page
    assert "Cette politique s'ajoute aux droits que vous confère la loi de votre pays" in _plain(page)
