"""Writes for the notification outbox.

A notification row is written inside the caller's transaction, with everything the email needs
frozen in ``context`` (what was true when the change happened); the send task is enqueued only
once that transaction commits, so an email never goes out for a change that was rolled back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from retour.core.tasks import enqueue_on_commit
from retour.notifications.models import Notification

if TYPE_CHECKING:
    from retour.returns.models import ReturnRequest
    from retour.stores.models import Store

CUSTOMER_KINDS = (
    "return_created",
    "return_approved",
    "return_rejected",
    "return_received",
    "refund_issued",
    "credit_issued",
    "keep_it",
    "return_cancelled",
    "withdrawal_acknowledged",
    "message_reply",
)
STAFF_KINDS = ("return_refund_overdue", "message_received", "refund_failed")
STORE_KINDS = ("webhook_endpoint_disabled",)  # about the store's set-up, to its admins
KINDS = CUSTOMER_KINDS + STAFF_KINDS
TEMPLATES = Path(__file__).resolve().parent / "templates" / "notifications"
# Every kind is written in French and English; customer emails also in German, Spanish, Italian
# and Dutch, as far as their templates exist (staff alerts go in the store's language or English).
LANGUAGES = ("fr", "en", "de", "es", "it", "nl")


def email_language(*candidates: str | None, kind: str = "return_created") -> str:
    """The first candidate we have ``kind``'s templates for ('fr-CA' → 'fr'); English otherwise."""
    for candidate in candidates:
        code = (candidate or "").lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES and (TEMPLATES / code / f"{kind}.html").is_file():
            return code
    return "en"


def status_url(return_request: ReturnRequest, language: str | None = None) -> str:
    """The status page's address; with ``language``, the page in that language (no redirect)."""
    if language:
        from django.urls import reverse
        from django.utils import translation

        with translation.override(language):
            return settings.BASE_URL + reverse("portal:status", kwargs={"token": return_request.token})
    return f"{settings.BASE_URL}/portal/r/{return_request.token}"


def notification_queue(
    *,
    return_request: ReturnRequest,
    kind: str,
    data: dict[str, Any] | None = None,
    recipient: str | None = None,
) -> Notification | None:
    """Write the outbox row for ``kind`` and send it after commit.

    Customer emails go to the customer in their language (else the store's); staff alerts
    (``STAFF_KINDS``) go to ``recipient`` when given (an assignee), else to the store's support
    address, in the store's language, and are skipped (None) without an address. ``data`` adds
    or overrides context values (e.g. a rejection reason).
    """
    from retour.notifications.context import notification_snapshot
    from retour.notifications.tasks import notification_send_task

    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    store = return_request.store
    if kind in STAFF_KINDS:
        recipient, language = recipient or store.support_email, email_language(store.language, kind=kind)
    else:
        customer = return_request.customer
        recipient, language = customer.email, email_language(customer.language, store.language, kind=kind)
    if not recipient:
        return None
    context = notification_snapshot(return_request=return_request, kind=kind)
    context.update(data or {})
    notification = Notification.objects.create(
        store=store,
        return_request=return_request,
        kind=kind,
        channel=Notification.Channel.EMAIL,
        recipient=recipient,
        language=language,
        context=context,
    )
    enqueue_on_commit(notification_send_task, notification.pk)
    return notification


def notification_queue_store(*, store: Store, kind: str, data: dict[str, Any]) -> list[Notification]:
    """Write one outbox row of ``kind`` per admin of ``store`` (their account's email), or to the
    store's support address when no admin has one; sent after commit like any other email."""
    from retour.notifications.tasks import notification_send_task
    from retour.stores.models import Role, StoreMembership

    if kind not in STORE_KINDS:
        raise ValueError(f"Unknown store notification kind {kind!r}")
    admins = StoreMembership.objects.filter(store=store, role=Role.ADMIN).exclude(user__email="")
    recipients = sorted(set(admins.values_list("user__email", flat=True))) or (
        [store.support_email] if store.support_email else []
    )
    context = {"store_name": store.name, "support_email": store.support_email, **data}
    rows = Notification.objects.bulk_create(
        [
            Notification(
                store=store,
                kind=kind,
                channel=Notification.Channel.EMAIL,
                recipient=recipient,
                language="fr" if email_language(store.language) == "fr" else "en",  # templates: fr, en
                context=context,
            )
            for recipient in recipients
        ]
    )
    for row in rows:
        enqueue_on_commit(notification_send_task, row.pk)
    return rows


def notification_retry(*, notification: Notification) -> bool:
    """Give a row that failed for good another round of attempts (staff, after fixing the mail set-up).

    Only ``failed`` rows: a sent row is never sent again. Returns whether the row was requeued.
    """
    from retour.notifications.tasks import notification_send_task

    requeued = Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=None
    )
    if requeued:
        enqueue_on_commit(notification_send_task, notification.pk)
    return bool(requeued)
