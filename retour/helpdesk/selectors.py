"""Reads for the helpdesk: the FAQ in a language, the messages of a return."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from retour.helpdesk.models import FaqEntry, Message
from retour.returns.models import ReturnRequest
from retour.stores.models import Store

_PLACEHOLDER = re.compile(
    r"\{(window_days|window_start|refund_when|store|support_email|portal_url|policy_url)\}"
)


@dataclass(frozen=True)
class FaqAnswer:
    id: int
    question: str
    answer: str


def faq_placeholders(store: Store, language: str) -> dict[str, str]:
    """The values answers may refer to, from the store and its current policy."""
    from retour.policies.models import WindowStart
    from retour.policies.policy_page import lang_of, portal_url, refund_trigger_text

    policy = store.policy
    fr = lang_of(language) == "fr"
    if policy.window_starts == WindowStart.ORDER:
        window_start = "la date de votre commande" if fr else "the date of your order"
    else:
        window_start = "la livraison" if fr else "delivery"
    return {
        "window_days": str(policy.window_days),
        "window_start": window_start,
        "refund_when": refund_trigger_text(policy.refund_trigger, language),
        "store": store.name,
        "support_email": store.support_email,
        "portal_url": portal_url(store),
        "policy_url": f"{portal_url(store)}policy",
    }


def _fill(text: str, values: dict[str, str]) -> str:
    # Only the known names are replaced: other braces typed by staff are left as they are.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def faq_list(*, store: Store, language: str) -> list[FaqAnswer]:
    """The store's active FAQ entries, in order, worded in ``language`` ('fr…' → French)."""
    from retour.policies.policy_page import lang_of

    fr = lang_of(language) == "fr"
    values = faq_placeholders(store, language)
    entries = FaqEntry.objects.filter(store=store, active=True).order_by("position", "id")
    return [
        FaqAnswer(
            id=e.id,
            question=(e.question_fr if fr else e.question_en) or e.question_en,
            answer=_fill((e.answer_fr if fr else e.answer_en) or e.answer_en, values),
        )
        for e in entries
    ]


def faq_get(*, store: Store, faq_id: int, language: str) -> FaqAnswer | None:
    """One active entry of this store (None for another store's or an inactive one)."""
    return next((a for a in faq_list(store=store, language=language) if a.id == faq_id), None)


def message_list(*, return_request: ReturnRequest) -> QuerySet[Message]:
    """The messages of a return, oldest first."""
    return Message.objects.filter(return_request=return_request, store_id=return_request.store_id).order_by(
        "created_at", "id"
    )
