"""Send webhook deliveries: claimed, signed (Standard Webhooks), posted, logged, retried.

A delivery moves pending → sending by a conditional update committed before the HTTP call (the
claim: one worker wins), then sending → succeeded, or back to pending with the next try pushed
back exponentially (30 s, 1 min, 2 min … at most 12 h apart) until three days have passed, when
it is ``failed``. While ``sending``, ``next_attempt_at`` is the end of the sender's lease: a worker
killed mid-delivery leaves it there and ``webhook_retry_due`` takes it back, so a delivery is
never lost; it may then reach the receiver twice, with the same ``webhook-id`` both times.

An endpoint whose address may not be reached (plain http, or a host that resolves to an internal
address: see ``retour.core.outbound``) fails the delivery at once, with the reason, unretried.

Every HTTP try is logged (``WebhookAttempt``) and updates the endpoint's health: last success,
last error, failures in a row. An endpoint that has failed every try for ``DISABLE_AFTER`` (and at
least ``DISABLE_MIN_FAILURES`` tries) is disabled and its store's admins get an email.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task
from standardwebhooks.webhooks import Webhook

from retour.core.outbound import AddressRefused, outbound_client
from retour.core.tasks import enqueue_on_commit
from retour.integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=12)
DISABLE_AFTER = timedelta(days=3)
DISABLE_MIN_FAILURES = 10
SWEEP_BATCH = 500
USER_AGENT = "Retour-Webhooks/1"

Status = WebhookDelivery.Status


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … after the n-th failed try, at most 12 h."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def lease() -> timedelta:
    """How long a claimed delivery belongs to its sender; longer than any HTTP try."""
    return timedelta(seconds=max(settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS + 5))


def _claim(delivery_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        WebhookDelivery.objects.filter(due, pk=delivery_id, status=Status.PENDING).update(
            status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + lease()
        )
    )


def webhook_headers(*, secret: str, message: WebhookMessage, now: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers; the timestamp is the time of this try."""
    signature = Webhook(secret).sign(message.event_id, now, message.body)
    return {
        "webhook-id": message.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


class Refused(Exception):
    """The endpoint's address may not be reached (plain http, an internal address): trying again
    would not help, so the delivery fails at once."""


def _post(delivery: WebhookDelivery, now: datetime) -> tuple[int | None, str, str]:
    """(status code or None, error text, start of the response); raises ``Refused``.

    The address is checked again here, after DNS resolution, on the connection itself (see
    ``retour.core.outbound``); redirects are not followed.
    """
    endpoint, message = delivery.endpoint, delivery.message
    if not endpoint.url.lower().startswith("https://") and not settings.WEBHOOKS_ALLOW_HTTP:
        raise Refused("Refused: plain http is not allowed (RETOUR_WEBHOOKS_ALLOW_HTTP is off)")
    headers = webhook_headers(secret=endpoint.secret, message=message, now=now)
    client = outbound_client(
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE
    )
    try:
        with client:
            response = client.post(endpoint.url, content=message.body.encode(), headers=headers)
    except AddressRefused as exc:
        raise Refused(str(exc)) from exc
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500], ""
    text = response.text[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, "", text
    return response.status_code, f"HTTP {response.status_code}", text


def webhook_delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claim and send one delivery. Returns succeeded | skipped | retry | failed."""
    if not _claim(delivery_id, now or timezone.now()):
        return "skipped"  # done, being sent by another worker, not due yet, or given up
    delivery = WebhookDelivery.objects.select_related("endpoint", "message").get(pk=delivery_id)
    if delivery.endpoint.status != WebhookEndpoint.Status.ACTIVE:
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.FAILED, next_attempt_at=None, last_error="Endpoint disabled"
        )
        return "failed"
    started = time.monotonic()
    sent_at = now or timezone.now()
    final = False
    try:
        code, error, response = _post(delivery, sent_at)
    except Refused as exc:
        code, error, response, final = None, str(exc)[:500], "", True
    duration = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=sent_at,
            status_code=code,
            succeeded=not error,
            error=error,
            response=response,
            duration_ms=duration,
        )
        if not error:
            return _record_success(delivery, code, sent_at)
        return _record_failure(delivery, code, error, sent_at, final=final)


def _record_success(delivery: WebhookDelivery, code: int | None, now: datetime) -> str:
    WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.SUCCEEDED, succeeded_at=now, next_attempt_at=None, last_status_code=code, last_error=""
    )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        last_success_at=now, failing_since=None, consecutive_failures=0
    )
    return "succeeded"


def _record_failure(
    delivery: WebhookDelivery, code: int | None, error: str, now: datetime, *, final: bool = False
) -> str:
    retry_at = min(now + backoff(delivery.attempts), delivery.give_up_at)
    final = final or now >= delivery.give_up_at
    WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.FAILED if final else Status.PENDING,
        next_attempt_at=None if final else retry_at,
        last_status_code=code,
        last_error=error,
    )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
        last_failure_at=now,
        last_error=error,
        failing_since=Coalesce(F("failing_since"), now),
        consecutive_failures=F("consecutive_failures") + 1,
    )
    _disable_if_dead(delivery.endpoint_id, now)
    if final:
        log.warning("webhook delivery %s given up after %s tries: %s", delivery.pk, delivery.attempts, error)
        return "failed"
    _enqueue_retry(delivery.pk, retry_at)
    return "retry"


def _disable_if_dead(endpoint_id: int, now: datetime) -> None:
    from retour.notifications.services import notification_queue_store

    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint_id,
        status=WebhookEndpoint.Status.ACTIVE,
        consecutive_failures__gte=DISABLE_MIN_FAILURES,
        failing_since__lte=now - DISABLE_AFTER,
    ).update(
        status=WebhookEndpoint.Status.DISABLED,
        disabled_at=now,
        disabled_reason="Every try failed for three days",
    )
    if not disabled:
        return
    endpoint = WebhookEndpoint.objects.select_related("store").get(pk=endpoint_id)
    # Its other deliveries would only fail again: stop them; a replay sends them after re-enabling.
    WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=Status.PENDING).update(
        status=Status.FAILED, next_attempt_at=None, last_error="Endpoint disabled"
    )
    log.error("webhook endpoint %s (%s) disabled after repeated failures", endpoint.pk, endpoint.url)
    notification_queue_store(
        store=endpoint.store,
        kind="webhook_endpoint_disabled",
        data={
            "endpoint_url": endpoint.url,
            "endpoint_id": endpoint.pk,
            "last_error": endpoint.last_error,
            "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
            "admin_url": f"{settings.BASE_URL}/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        },
    )


def _enqueue_retry(delivery_id: int, retry_at: datetime) -> None:
    try:
        enqueue_on_commit(webhook_delivery_send_task.using(run_after=retry_at), delivery_id)
    except Exception:  # noqa: BLE001 - a backend without deferral: the periodic sweep retries instead
        log.warning("could not defer webhook delivery %s; the retry sweep will pick it up", delivery_id)


def webhook_retry_due(*, now: datetime | None = None) -> int:
    """Take back deliveries whose sender died mid-try, and enqueue every one that is due."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(status=Status.SENDING, next_attempt_at__lte=now).update(
        status=Status.PENDING, next_attempt_at=now, last_error="Interrupted while sending; retried"
    )
    # Rows never tried get a little grace: their on-commit task is normally on its way.
    due = WebhookDelivery.objects.filter(status=Status.PENDING).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - lease())
    )
    ids = list(due.order_by("id").values_list("id", flat=True)[:SWEEP_BATCH])
    for delivery_id in ids:
        enqueue_on_commit(webhook_delivery_send_task, delivery_id)
    return len(ids)


KEEP_LOG = timedelta(days=30)


def webhook_log_purge(*, now: datetime | None = None) -> int:
    """Forget events older than 30 days whose every delivery is over (succeeded or given up),
    with their deliveries and log. Returns the number of events removed."""
    now = now or timezone.now()
    live = WebhookDelivery.objects.filter(status__in=(Status.PENDING, Status.SENDING)).values("message_id")
    old = WebhookMessage.objects.filter(created_at__lt=now - KEEP_LOG).exclude(pk__in=live)
    ids = list(old.values_list("pk", flat=True)[: SWEEP_BATCH * 10])
    WebhookMessage.objects.filter(pk__in=ids).delete()
    return len(ids)


@task()
def webhook_delivery_send_task(delivery_id: int) -> str:
    return webhook_delivery_send(delivery_id=delivery_id)


@task()
def webhook_retry_due_task() -> int:
    return webhook_retry_due()
