"""The public return policy of a store, generated from its Policy and the law of its country.

``policy_html`` renders ``policies/policy_page/<lang>.html``, one template per shopper language
(en, fr, de, es, it, nl) sharing one context: the commercial policy (window, conditions, fees and
when they are waived, exclusions, resolutions, when refunds happen, how to return), then, where the
law gives consumers a right of withdrawal, the statutory information modelled on Annex I(A) of
Directive 2011/83/EU, the model withdrawal form of Annex I(B) with the trader's details filled in,
and the legal guarantee notice (France: the box of the annex to art. D211-2, in French in every
language, as French law prescribes it).

Each language is a template of its own rather than .po entries: the legal wording is long, follows
the Official Journal's text of the Directive's annex in that language, and must stay exact even
where translations are not compiled. The few short texts shared with other modules (when refunds
happen, durations) are per-language tables below.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString

from retour.core.money import format_money
from retour.core.money import format_percent as money_percent
from retour.legal import engine
from retour.policies.models import Policy, RefundTrigger, Resolution, ReturnReason, WindowStart
from retour.stores.models import Location, Store

# The languages the page exists in: everything a shopper reads is in each of them.
LANGUAGES = ("en", "fr", "de", "es", "it", "nl")

# When the refund is made, by refund trigger and language. Also used by the FAQ answers.
REFUND_TRIGGER_TEXT: dict[str, dict[str, str]] = {
    RefundTrigger.ON_APPROVAL: {
        "en": "as soon as we approve your return",
        "fr": "dès que nous acceptons votre retour",
        "de": "sobald wir Ihre Rücksendung annehmen",
        "es": "en cuanto aceptemos su devolución",
        "it": "non appena accettiamo il suo reso",
        "nl": "zodra wij uw retour goedkeuren",
    },
    RefundTrigger.ON_SHIPMENT: {
        "en": "as soon as you tell us that you have shipped the parcel",
        "fr": "dès que vous nous indiquez avoir expédié le colis",
        "de": "sobald Sie uns mitteilen, dass Sie das Paket abgeschickt haben",
        "es": "en cuanto nos indique que ha enviado el paquete",
        "it": "non appena ci comunica di aver spedito il pacco",
        "nl": "zodra u ons laat weten dat u het pakket hebt verzonden",
    },
    RefundTrigger.ON_RECEIPT: {
        "en": "as soon as we receive the parcel",
        "fr": "dès la réception du colis",
        "de": "sobald das Paket bei uns eingeht",
        "es": "en cuanto recibamos el paquete",
        "it": "non appena riceviamo il pacco",
        "nl": "zodra wij het pakket ontvangen",
    },
    RefundTrigger.ON_INSPECTION: {
        "en": "once we have received and checked the items",
        "fr": "dès que nous avons reçu et contrôlé les articles",
        "de": "sobald wir die Artikel erhalten und geprüft haben",
        "es": "una vez que hayamos recibido y revisado los artículos",
        "it": "dopo aver ricevuto e controllato gli articoli",
        "nl": "zodra wij de artikelen hebben ontvangen en gecontroleerd",
    },
    RefundTrigger.MANUAL: {
        "en": "once our team has checked your return",
        "fr": "dès que notre équipe a vérifié votre retour",
        "de": "sobald unser Team Ihre Rücksendung geprüft hat",
        "es": "una vez que nuestro equipo haya revisado su devolución",
        "it": "dopo che il nostro team ha verificato il suo reso",
        "nl": "zodra ons team uw retour heeft gecontroleerd",
    },
}

# (month, months), (year, years): the nominative forms, which every template's sentence uses
# ("beträgt 2 Jahre", "en un plazo de 3 años", "entro 12 mesi", "binnen 12 maanden").
DURATION_UNITS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "en": (("month", "months"), ("year", "years")),
    "fr": (("mois", "mois"), ("an", "ans")),
    "de": (("Monat", "Monate"), ("Jahr", "Jahre")),
    "es": (("mes", "meses"), ("año", "años")),
    "it": (("mese", "mesi"), ("anno", "anni")),
    "nl": (("maand", "maanden"), ("jaar", "jaar")),
}

# rules.csv cites the Sale of Goods Directive for the states whose transposition is not in the
# data; the citation is worded in the page's language.
GENERIC_GUARANTEE_LAW = "Directive (EU) 2019/771, arts. 10-11, as transposed"
GENERIC_GUARANTEE_LAW_TEXT: dict[str, str] = {
    "en": GENERIC_GUARANTEE_LAW,
    "fr": "directive (UE) 2019/771, art. 10 et 11, telle que transposée",
    "de": "Richtlinie (EU) 2019/771, Art. 10 und 11, in ihrer nationalen Umsetzung",
    "es": "Directiva (UE) 2019/771, arts. 10 y 11, según su transposición",
    "it": "direttiva (UE) 2019/771, artt. 10 e 11, come recepita",
    "nl": "Richtlijn (EU) 2019/771, art. 10 en 11, zoals omgezet",
}


def lang_of(language: str | None) -> str:
    """One of ``LANGUAGES`` for a language code: its base language ('fr-BE' → 'fr', 'de-AT' →
    'de', 'nl_BE' → 'nl'), English for any other."""
    base = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return base if base in LANGUAGES else "en"


def refund_trigger_text(trigger: str, language: str) -> str:
    texts = REFUND_TRIGGER_TEXT.get(trigger, REFUND_TRIGGER_TEXT[RefundTrigger.MANUAL])
    return texts[lang_of(language)]


def portal_url(store: Store) -> str:
    return f"{settings.BASE_URL}/portal/{store.slug}/"


def format_percent(value: Decimal, language: str) -> str:
    """'12,5 %' in French or German, '12.5%' in English (no trailing zeros): the page's numbers
    follow its language."""
    return money_percent(Decimal(value), lang_of(language))


def duration_text(months: int, language: str) -> str:
    """'12 months', '12 mois', '12 Monate'...; whole years from 2 on: '2 years', '2 ans',
    '2 Jahre', '3 años', '2 anni', '2 jaar'."""
    (month, months_word), (year, years_word) = DURATION_UNITS[lang_of(language)]
    if months % 12 or months < 24:  # "12 mois", as the codes word it; whole years from 2 on
        return f"{months} {months_word if months > 1 else month}"
    years = months // 12
    return f"{years} {years_word if years > 1 else year}"


# --- the trader and the law ---------------------------------------------------------------------


@dataclass(frozen=True)
class Trader:
    """Who the consumer writes to (Annex I(B)): name, geographical address, e-mail."""

    name: str
    address_lines: list[str]
    email: str


def trader_of(store: Store) -> Trader:
    lines = [ln.strip() for ln in (store.address or "").splitlines() if ln.strip()]
    if not lines:
        main = Location.objects.filter(store=store, code="main").first() or (
            Location.objects.filter(store=store, is_default=True).first()
        )
        lines = [ln for ln in (main.address_lines if main else []) if ln != (main.name if main else None)]
        if main and main.country and lines and lines[-1] == main.country:
            lines = lines[:-1]
    name = store.legal_name or store.name
    # The address may start with the name itself: the form names the trader once.
    lines = [ln for ln in lines if ln not in (name, store.name)]
    return Trader(name=name, address_lines=lines, email=store.support_email)


def withdrawal_regime(store: Store, policy: Policy) -> str | None:
    """'eu' or 'uk' when the page must carry the statutory withdrawal information, else None.

    Japan's default rule (statutory_right_applies is true there) is replaced by any clearly
    displayed policy, which this page is: no withdrawal section for it.
    """
    try:
        applies = engine.statutory_right_applies(store.country)
        rule = engine.country_rule(store.country)
    except ValueError:
        return None
    if (
        not applies
        or rule is None
        or rule.withdrawal_right != "mandatory"
        or not policy.apply_statutory_rights
    ):
        return None
    return "uk" if rule.refund_rule == "uk" else "eu"


def guarantee_facts(store: Store, language: str) -> dict[str, Any]:
    """The legal guarantee of the store's country, worded for the notice.

    ``kind``: 'fr' (the D211-2 box), 'eu' (EU/EEA conformity), 'uk' (Consumer Rights Act),
    'ch' (CO art. 210), or 'none' (no fixed statutory guarantee in Retour's data).
    """
    try:
        rule = engine.country_rule(store.country)
    except ValueError:
        rule = None
    if rule is None:
        return {"kind": "none"}
    kind = {"FR": "fr", "CH": "ch"}.get(rule.country) or {"EU": "eu", "EEA": "eu", "UK": "uk"}.get(
        rule.bloc, "none"
    )

    def months(field: str) -> str | None:
        value = getattr(rule, field)
        return duration_text(value, language) if value else None

    return {
        "kind": kind,
        "country": rule.country,
        "duration": months("guarantee_months"),
        "duration_is_minimum": "guarantee_months" in rule.defaulted,
        "presumption": months("presumption_months_new"),
        "presumption_is_minimum": "presumption_months_new" in rule.defaulted,
        "presumption_used": months("presumption_months_used"),
        "presumption_used_is_minimum": "presumption_months_used" in rule.defaulted,
        "law": GENERIC_GUARANTEE_LAW_TEXT[lang_of(language)]
        if rule.guarantee_law == GENERIC_GUARANTEE_LAW
        else rule.guarantee_law,
    }


# --- the page -----------------------------------------------------------------------------------


def _fees(store: Store, policy: Policy, lang: str) -> dict[str, Any]:
    reasons = ReturnReason.objects.filter(store=store, active=True, seller_fault=True).order_by(
        "position", "code"
    )
    return {
        "restocking": format_percent(policy.restocking_fee_percent, lang)
        if policy.restocking_fee_percent > 0
        else None,
        "return_shipping": format_money(policy.return_shipping_fee, store.currency, lang)
        if policy.return_shipping_fee > 0
        else None,
        "seller_fault_reasons": [r.label(lang) for r in reasons],
    }


def policy_context(*, store: Store, language: str) -> dict[str, Any]:
    """Everything the policy template shows, formatted for ``language``."""
    lang = lang_of(language)
    policy = store.policy
    resolutions = [r for r in Resolution.values if r in (policy.allowed_resolutions or [])]
    bonus = policy.store_credit_bonus_percent
    regime = withdrawal_regime(store, policy)
    return {
        "lang": lang,
        "store": store,
        "store_name": store.name,
        "policy": policy,
        "window_days": policy.window_days,
        "window_from_order": policy.window_starts == WindowStart.ORDER,
        "fees": _fees(store, policy, lang),
        "resolutions": resolutions,
        "credit_bonus": format_percent(bonus, lang)
        if bonus > 0 and Resolution.STORE_CREDIT in resolutions
        else None,
        "refund_when": refund_trigger_text(policy.refund_trigger, lang),
        "refund_manual": policy.refund_trigger == RefundTrigger.MANUAL,
        "portal_url": portal_url(store),
        "regime": regime,
        "withdrawal_days": 14,
        "return_costs_borne_by_customer": policy.return_costs_borne_by_customer,
        "trader": trader_of(store),
        "guarantee": guarantee_facts(store, lang),
    }


def policy_html(*, store: Store, language: str) -> SafeString:
    """The store's public return policy as a safe HTML fragment (no <html> or <body>)."""
    context = policy_context(store=store, language=language)
    with translation.override(context["lang"]):
        return SafeString(render_to_string(f"policies/policy_page/{context['lang']}.html", context))


_BLOCK_END = re.compile(r"</(p|h[1-6]|dt|dd|tr|section|ol|ul|div|blockquote|address)>", re.I)


def policy_text(*, store: Store, language: str) -> str:
    """The same policy as plain text (emails, downloads): headings, paragraphs and bullets."""
    markup = str(policy_html(store=store, language=language))
    markup = re.sub(r"</li>\s*<li", "</li><li", markup, flags=re.I)
    markup = re.sub(r"<br\s*/?>", "\n", markup, flags=re.I)
    markup = re.sub(r"<li[^>]*>", "\n- ", markup, flags=re.I)
    markup = re.sub(r"</li>", "", markup, flags=re.I)
    markup = _BLOCK_END.sub("\n\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
