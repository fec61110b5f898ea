"""Reads for the helpdesk: the FAQ in a language, the messages of a return, predefined
replies filled in for a return, and the staff inbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from retour.helpdesk.models import AuthorType, FaqEntry, Message, PredefinedReply
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
    # The answers are written in English or French only (FaqEntry has no other columns): the
    # values they take are in the same language as the text around them.
    text_lang = "fr" if lang_of(language) == "fr" else "en"
    if policy.window_starts == WindowStart.ORDER:
        window_start = "la date de votre commande" if text_lang == "fr" else "the date of your order"
    else:
        window_start = "la livraison" if text_lang == "fr" else "delivery"
    return {
        "window_days": str(policy.window_days),
        "window_start": window_start,
        "refund_when": refund_trigger_text(policy.refund_trigger, text_lang),
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


# --- predefined replies ------------------------------------------------------------------------

# The names a predefined reply may use; anything else in braces is left as typed.
REPLY_PLACEHOLDERS = (
    "return_number",
    "order_number",
    "customer_name",
    "status_url",
    "ship_by",
    "refund_due_by",
    "agent_name",
    "window_days",
    "window_start",
    "refund_when",
    "store",
    "support_email",
    "portal_url",
    "policy_url",
)
_REPLY_PLACEHOLDER = re.compile(r"\{(" + "|".join(REPLY_PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class ReplyChoice:
    id: int
    title: str


def predefined_reply_list(*, store: Store, language: str) -> list[ReplyChoice]:
    """The store's active predefined replies, in order, titled in ``language`` (staff's)."""
    from retour.policies.policy_page import lang_of

    fr = lang_of(language) == "fr"
    replies = PredefinedReply.objects.filter(store=store, active=True).order_by("position", "id")
    return [ReplyChoice(id=r.id, title=(r.title_fr if fr else r.title_en) or r.title_en) for r in replies]


def customer_language(rr: ReturnRequest) -> str:
    """The language the customer is written to in (the one of their emails)."""
    from retour.notifications.services import email_language

    return email_language(rr.customer.language, rr.store.language)


def _long_date(value: date | None, language: str) -> str:
    from babel.dates import format_date

    return format_date(value, format="long", locale=language) if value else "—"


def reply_placeholders(rr: ReturnRequest, language: str, agent_name: str = "") -> dict[str, str]:
    """The values of ``REPLY_PLACEHOLDERS`` for a return, dates written in ``language``."""
    from retour.notifications.services import status_url
    from retour.returns.selectors import return_send_back_by

    customer = rr.customer
    return {
        **faq_placeholders(rr.store, language),
        "return_number": rr.number,
        "order_number": rr.order.number,
        "customer_name": customer.name or customer.email,
        "status_url": status_url(rr),
        "ship_by": _long_date(return_send_back_by(rr), language),
        "refund_due_by": _long_date(rr.refund_due_by, language),
        "agent_name": agent_name,
    }


def predefined_reply_render(
    *, store: Store, reply_id: int, return_request: ReturnRequest, agent_name: str = ""
) -> str | None:
    """The text of one of the store's active replies for this return, in the customer's
    language, placeholders filled (None for another store's or an inactive reply)."""
    reply = PredefinedReply.objects.filter(store=store, pk=reply_id, active=True).first()
    if reply is None or return_request.store_id != store.pk:
        return None
    language = customer_language(return_request)
    text = (reply.body_fr if language == "fr" else reply.body_en) or reply.body_en
    values = reply_placeholders(return_request, language, agent_name)
    return _REPLY_PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


# --- the staff inbox ----------------------------------------------------------------------------

INBOX_STATES = ("unread", "open", "answered")


def unread_messages() -> Exists:
    """Whether a return (the outer row) has customer messages staff have not read: the unread
    marker of return lists, as one subquery (no query per row)."""
    return Exists(
        Message.objects.filter(
            return_request=OuterRef("pk"), author_type=AuthorType.CUSTOMER, read_at__isnull=True
        )
    )


def inbox_list(
    *,
    store: Store,
    state: str | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    returns: QuerySet[ReturnRequest] | None = None,
) -> QuerySet[ReturnRequest]:
    """Returns of ``store`` with a conversation, latest message first, each annotated with
    ``last_message_at``, ``last_author_type``, ``last_body`` and ``unread_count``.

    ``state``: ``unread`` (customer messages not read yet), ``open`` (the customer wrote last:
    an answer is owed), ``answered`` (staff wrote last). ``returns`` narrows the rows further (a
    caller's visibility). A constant number of queries whatever the length.
    """
    thread = Message.objects.filter(return_request=OuterRef("pk")).exclude(author_type=AuthorType.SYSTEM)
    latest = thread.order_by("-created_at", "-id")
    unread = (
        Message.objects.filter(
            return_request=OuterRef("pk"), author_type=AuthorType.CUSTOMER, read_at__isnull=True
        )
        .order_by()
        .values("return_request")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (returns if returns is not None else ReturnRequest.objects.all()).filter(store=store)
    qs = qs.annotate(
        last_message_at=Subquery(latest.values("created_at")[:1]),
        last_author_type=Subquery(latest.values("author_type")[:1]),
        last_body=Subquery(latest.values("body")[:1]),
        unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
    ).filter(last_message_at__isnull=False)
    if state == "unread":
        qs = qs.filter(unread_count__gt=0)
    elif state == "open":
        qs = qs.filter(last_author_type=AuthorType.CUSTOMER)
    elif state == "answered":
        qs = qs.filter(last_author_type=AuthorType.STAFF)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    elif assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    return qs.select_related("customer", "order", "assignee").order_by("-last_message_at", "-id")


def inbox_counts(*, store: Store, returns: QuerySet[ReturnRequest] | None = None) -> dict[str, int]:
    """How many conversations are unread, open and answered (three COUNT queries)."""
    return {state: inbox_list(store=store, state=state, returns=returns).count() for state in INBOX_STATES}


def assignee_choices(*, store: Store) -> list[Any]:
    """The people a return may be given to: active admins and agents of the store."""
    from django.contrib.auth import get_user_model

    from retour.returns.services import ASSIGNABLE_ROLES

    return list(
        get_user_model()
        .objects.filter(is_active=True, memberships__store=store, memberships__role__in=ASSIGNABLE_ROLES)
        .order_by("username")
    )
