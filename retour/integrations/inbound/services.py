"""Email-to-return: a reply to a Retour email joins its return's message thread.

The return is found only by the signed token that Retour put in the email it sent (the reply
address, or the Message-ID quoted back in In-Reply-To / References): see
``retour.notifications.replies``. The From address is recorded, never trusted to pick a return.
The same Message-ID received twice (an ESP retrying) is attached once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from django.db import IntegrityError, transaction

from retour.core import clock
from retour.core.errors import ValidationFailed
from retour.helpdesk.models import AuthorType
from retour.helpdesk.services import MAX_MESSAGE_LENGTH, message_post
from retour.integrations.inbound.models import InboundEmail
from retour.notifications.replies import return_for_reply

log = logging.getLogger(__name__)

# Where the quoted original starts in a reply: "On … wrote:", "Le … a écrit :", "-----Original Message-----"
_QUOTE_START = re.compile(
    r"^(On .{0,200} wrote:|Le .{0,200} a écrit ?:|-{2,} ?Original Message ?-{2,}|-{2,} ?Message d'origine ?-{2,}|From: .*)\s*$",
    re.I | re.M,
)


def reply_text(text: str) -> str:
    """The new part of a reply: without the quoted original and its '>' lines."""
    match = _QUOTE_START.search(text or "")
    head = text[: match.start()] if match else (text or "")
    lines = [ln for ln in head.splitlines() if not ln.lstrip().startswith(">")]
    return "\n".join(lines).strip()


def _message_id(message: Any, body: str) -> str:
    value = (message.get("Message-ID") or "").strip()
    if value:
        return value[:300]
    # Without one, the same content from the same sender counts as the same email.
    digest = hashlib.sha256(f"{message.get('From')}\n{message.get('Subject')}\n{body}".encode()).hexdigest()
    return f"<sha256.{digest}@retour>"


def _log(message_id: str, status: str, message: Any, now: datetime, **fields: Any) -> InboundEmail | None:
    try:
        with transaction.atomic():
            return InboundEmail.objects.create(
                email_id=message_id,
                status=status,
                sender=str(message.get("From") or "")[:300],
                subject=str(message.get("Subject") or "")[:300],
                received_at=now,
                **fields,
            )
    except IntegrityError:
        return None  # received already


def inbound_email_receive(
    *, message: Any, stripped_text: str | None = None, now: datetime | None = None
) -> InboundEmail | None:
    """Attach ``message`` (an ``email.message.Message``, e.g. anymail's AnymailInboundMessage) to
    the return its token names. Returns the log row, or None when this email was received before."""
    now = now or clock.now()
    body = stripped_text if stripped_text is not None else reply_text(_plain_text(message))
    message_id = _message_id(message, body)
    if InboundEmail.objects.filter(email_id=message_id).exists():
        return None
    recipients = [
        *message.get_all("To", []),
        *message.get_all("Cc", []),
        *message.get_all("Delivered-To", []),
    ]
    envelope = getattr(message, "envelope_recipient", None)
    if envelope:
        recipients.append(envelope)
    references = [*message.get_all("In-Reply-To", []), *message.get_all("References", [])]
    rr = return_for_reply(recipients, references)
    if rr is None:
        log.info("inbound email %s has no valid return token; kept unmatched", message_id)
        return _log(message_id, InboundEmail.Status.UNMATCHED, message, now)
    with transaction.atomic():
        row = _log(message_id, InboundEmail.Status.ATTACHED, message, now, store=rr.store, return_request=rr)
        if row is None:
            return None
        name, address = parseaddr(str(message.get("From") or ""))
        try:
            posted = message_post(
                return_request=rr,
                author_type=AuthorType.CUSTOMER,
                author_name=name or address or rr.customer.email,
                body=body[:MAX_MESSAGE_LENGTH],
                now=now,
            )
        except ValidationFailed:  # an empty reply: nothing to show in the thread
            InboundEmail.objects.filter(pk=row.pk).update(
                status=InboundEmail.Status.REJECTED, note="Empty reply"
            )
            row.status = InboundEmail.Status.REJECTED
            return row
        if address.lower() != (rr.customer.email or "").lower():
            note = "Sent from another address than the customer's"
            InboundEmail.objects.filter(pk=row.pk).update(note=note)
            row.note = note
        InboundEmail.objects.filter(pk=row.pk).update(message=posted)
        row.message = posted
    return row


def _plain_text(message: Any) -> str:
    text = getattr(message, "text", None)  # AnymailInboundMessage
    if text is not None:
        return str(text)
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return ""


def on_anymail_inbound(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """django-anymail's inbound signal, sent after the ESP's signature or credentials were checked."""
    message = event.message
    inbound_email_receive(message=message, stripped_text=getattr(message, "stripped_text", None) or None)
