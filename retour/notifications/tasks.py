"""Send outbox rows by email, at most once each.

A row moves pending → sending by a conditional update (the claim, committed before any mail is
sent), then sending → sent. Only one worker can win the claim, and a sent row is never claimed
again, so running the task twice never sends twice. A failure puts the row back to pending with
``next_attempt_at`` pushed back exponentially and a deferred task; after ``MAX_ATTEMPTS`` it is
``failed`` for good. While a row is ``sending``, ``next_attempt_at`` holds the end of its lease:
a worker that died mid-send leaves it there, and ``notification_retry_due_task`` takes it back.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from retour.core.tasks import enqueue_on_commit
from retour.notifications import replies
from retour.notifications.models import Notification
from retour.notifications.render import notification_render

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)
SENDING_LEASE = timedelta(minutes=2)
HEARTBEAT_SECONDS = 30.0  # the lease is renewed this often while a message is being sent
SWEEP_BATCH = 500

Status = Notification.Status


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 … minutes after the n-th failed attempt, capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _claim(notification_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimable = (Q(status=Status.PENDING) & due) | Q(status=Status.FAILED, next_attempt_at__lte=now)
    return bool(
        Notification.objects.filter(claimable, pk=notification_id).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE
        )
    )


def _sender(store_name: str) -> str:
    """The configured address, under the store's name: customers recognise the shop."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((store_name, address)) if address else settings.DEFAULT_FROM_EMAIL


def notification_message_id(notification: Notification) -> str:
    """The same ``Message-ID`` at every attempt of one notification, unique to this installation."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "retour.invalid"
    tag = hmac.new(settings.SECRET_KEY.encode(), f"notification:{notification.pk}".encode(), hashlib.sha256)
    # An email about a return also names it by its signed reply token (retour.notifications.replies),
    # so that a reply quoting this Message-ID joins the return's thread.
    rr = notification.return_request
    token = f"{replies.reply_token(rr)}." if rr is not None else ""
    return f"<retour.{token}{notification.pk}.{tag.hexdigest()[:16]}@{domain}>"


def _deliver(notification: Notification, mail_connection: Any) -> str:
    email = notification_render(notification)
    reply_to = [notification.store.support_email] if notification.store.support_email else None
    headers = {
        "Auto-Submitted": "auto-generated",
        "X-Retour-Notification": str(notification.pk),
        "Message-ID": notification_message_id(notification),
    }
    rr = notification.return_request
    if rr is not None:
        # The customer's reply comes back to this return's thread (retour.notifications.replies).
        # (its Message-ID carries the return's reply token, which mail clients quote back)
        address = replies.reply_address(rr)
        reply_to = [address] if address else reply_to
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=_sender(notification.store.name),
        to=[notification.recipient],
        reply_to=reply_to,
        headers=headers,
        connection=mail_connection,
    )
    message.attach_alternative(email.html, "text/html")
    message.send(fail_silently=False)
    return email.subject


class _LeaseHeartbeat:
    """Pushes the row's lease forward every ``HEARTBEAT_SECONDS`` while the send runs.

    Off inside a transaction (the tests' own): another connection could not see the row there.
    """

    def __init__(self, notification_id: int):
        self.notification_id = notification_id
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _LeaseHeartbeat:
        if not db_connection.in_atomic_block:
            self.thread = threading.Thread(target=self._beat, name="retour-lease", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def _beat(self) -> None:
        from django.db import connection

        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                try:
                    Notification.objects.filter(pk=self.notification_id, status=Status.SENDING).update(
                        next_attempt_at=timezone.now() + SENDING_LEASE
                    )
                except Exception:  # noqa: BLE001 - a missed beat only shortens the lease
                    log.warning("could not renew the lease of notification %s", self.notification_id)
        finally:
            connection.close()  # this thread's own connection


def _record_failure(notification: Notification, error: BaseException) -> str:
    now = timezone.now()
    text = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts >= MAX_ATTEMPTS:
        Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
            status=Status.FAILED, last_error=text, next_attempt_at=None
        )
        log.error(
            "notification %s failed for good after %s attempts: %s",
            notification.pk,
            notification.attempts,
            text,
        )
        return "failed"
    retry_at = now + backoff(notification.attempts)
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.PENDING, last_error=text, next_attempt_at=retry_at
    )
    log.warning(
        "notification %s attempt %s failed, retry at %s: %s",
        notification.pk,
        notification.attempts,
        retry_at.isoformat(),
        text,
    )
    _enqueue_retry(notification.pk, retry_at)
    return "retry"


def _enqueue_retry(notification_id: int, retry_at: datetime) -> None:
    try:
        deferred = notification_send_task.using(run_after=retry_at)
        enqueue_on_commit(deferred, notification_id)
    except Exception:  # noqa: BLE001 - a backend without deferral: the periodic sweep retries instead
        log.warning("could not defer notification %s; the retry sweep will pick it up", notification_id)


def notification_send(*, notification_id: int, now: datetime | None = None) -> str:
    """Claim, render and send one row. Returns sent | skipped | retry | failed."""
    if not _claim(notification_id, now or timezone.now()):
        return "skipped"  # sent already, being sent, not due yet, or given up
    notification = Notification.objects.select_related("store", "return_request").get(pk=notification_id)
    mail_connection = get_connection(fail_silently=False)
    try:
        with _LeaseHeartbeat(notification.pk):
            mail_connection.open()
            subject = _deliver(notification, mail_connection)
    except Exception as error:  # noqa: BLE001 - any failure (template, SMTP) is recorded and retried
        _close_quietly(mail_connection)
        return _record_failure(notification, error)
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.SENT, subject=subject, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    _close_quietly(mail_connection)  # QUIT only once the row says sent
    return "sent"


def _close_quietly(mail_connection: Any) -> None:
    try:
        mail_connection.close()
    except Exception:  # noqa: BLE001 - the message was accepted (or the failure recorded) already
        log.warning("closing the mail connection failed", exc_info=True)


def notification_retry_due(*, now: datetime | None = None) -> int:
    """Take back rows whose sender died mid-send, and enqueue every row that is due. Returns the count."""
    now = now or timezone.now()
    stuck = Notification.objects.filter(status=Status.SENDING, next_attempt_at__lte=now)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, next_attempt_at=None, last_error="Interrupted while sending"
    )
    stuck.update(status=Status.PENDING, next_attempt_at=now, last_error="Interrupted while sending; retried")
    # Rows never attempted get a minute of grace: their on-commit task is normally on its way.
    due = Notification.objects.filter(status=Status.PENDING).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1))
    )
    ids = list(due.order_by("id").values_list("id", flat=True)[:SWEEP_BATCH])
    for notification_id in ids:
        enqueue_on_commit(notification_send_task, notification_id)
    return len(ids)


@task()
def notification_send_task(notification_id: int) -> str:
    return notification_send(notification_id=notification_id)


@task()
def notification_retry_due_task() -> int:
    return notification_retry_due()
