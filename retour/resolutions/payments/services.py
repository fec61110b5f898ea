"""Refunds to the original payment, through the store's payment provider.

The ``Refund`` row is its own outbox entry: ``refund_issue`` writes it ``pending`` /
``queued`` in the action's transaction and enqueues ``refund_send_task`` after commit. The task
claims the row with a conditional update (committed before any HTTP call), calls the provider
outside any transaction with the refund's own key as the provider's idempotency key, then
writes the answer. A worker that dies after the provider answered but before the write leaves
the row ``sending`` with a lease; the sweep takes it back and sends again with the same key, and
the provider answers with the refund it already made: never a second payment.

Status ``pending`` → ``succeeded`` / ``failed`` from the provider's answer, a status poll or its
signed webhook. Only ``succeeded`` tells the customer "refunded"; ``failed`` alerts staff and
makes the amount refundable again (the return shows in the to-refund queue).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import ValidationFailed, line_error
from retour.core.money import money_str
from retour.core.tasks import enqueue_on_commit
from retour.orders.models import Order
from retour.resolutions.models import (
    PaymentProviderConfig,
    PaymentWebhookEvent,
    ProviderState,
    Refund,
    RefundStatus,
)
from retour.resolutions.payments import PROVIDERS, adapter_for
from retour.resolutions.payments.base import (
    FAILED,
    SUCCEEDED,
    PaymentError,
    PaymentTemporaryError,
    ProviderRefund,
    RefundCall,
    WebhookNotice,
)
from retour.resolutions.payments.secrets import secret_encrypt, secret_hint, secrets_masked
from retour.stores.models import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SENDING_LEASE = timedelta(minutes=5)
POLL_EVERY = timedelta(minutes=30)
SWEEP_BATCH = 200
_SECRET_PREFIXES = {"stripe": ("sk_", "rk_"), "mollie": ("test_", "live_", "access_")}


def backoff(attempts: int) -> timedelta:
    """30 s, 1, 2, 4 … minutes after the n-th failed attempt, capped at an hour."""
    return min(timedelta(seconds=30) * (2 ** max(attempts - 1, 0)), timedelta(hours=1))


# --- configuration -------------------------------------------------------------------------------


def payment_provider_get(*, store: Store) -> PaymentProviderConfig | None:
    return PaymentProviderConfig.objects.filter(store=store).first()


@transaction.atomic
def payment_provider_set(
    *, store: Store, provider: str, secret_key: str | None = None, webhook_secret: str | None = None
) -> PaymentProviderConfig:
    """Choose the store's provider. Secrets are stored encrypted; one not given is kept as it is
    (when the provider stays the same), so a form or client never needs to read it back."""
    if provider not in PROVIDERS:
        raise ValidationFailed(
            _("Unknown payment provider."),
            errors=[line_error(["provider"], "invalid_value", _("Use stripe, mollie or manual."))],
        )
    config = PaymentProviderConfig.objects.select_for_update().filter(store=store).first()
    if config is None:
        config = PaymentProviderConfig(store=store)
    same = config.provider == provider
    if provider == "manual":
        config.secret_key_encrypted = config.webhook_secret_encrypted = config.secret_key_hint = ""
    else:
        errors = []
        if secret_key:
            if not secret_key.startswith(_SECRET_PREFIXES[provider]):
                errors.append(
                    line_error(
                        ["secret_key"],
                        "invalid_value",
                        _("This does not look like a %(provider)s secret key.") % {"provider": provider},
                    )
                )
        elif not (same and config.secret_key_encrypted):
            errors.append(line_error(["secret_key"], "missing", _("The secret key is required.")))
        if errors:
            raise ValidationFailed(_("The payment provider's settings are not valid."), errors=errors)
        if secret_key:
            config.secret_key_encrypted, config.secret_key_hint = (
                secret_encrypt(secret_key),
                secret_hint(secret_key),
            )
        if webhook_secret is not None:
            config.webhook_secret_encrypted = secret_encrypt(webhook_secret)
        elif not same:
            config.webhook_secret_encrypted = ""
    config.provider = provider
    config.save()
    return config


def payment_provider_check(*, store: Store) -> str:
    """Ask the provider whether the store's keys work. Raises PaymentError when they do not."""
    return adapter_for(payment_provider_get(store=store)).check()


def refund_route(*, order: Order, store: Store) -> tuple[str, str]:
    """Which provider refunds this order's payment, and the payment's reference there.

    The order's own provider when it has one, else the store's; refused (422) when that provider
    is not the one set up for the store, or a provider payment has no reference.
    """
    config = payment_provider_get(store=store)
    provider = order.payment_provider or (config.provider if config else "manual")
    if provider == "manual":
        return "manual", order.payment_reference
    if config is None or config.provider != provider:
        raise ValidationFailed(
            _("This order was paid through %(provider)s, which is not set up for the store.")
            % {"provider": provider},
            errors=[
                line_error(
                    ["method"], "payment_provider_not_configured", _("Set up the payment provider first.")
                )
            ],
        )
    if not order.payment_reference:
        raise ValidationFailed(
            _("The order has no payment reference to refund to."),
            errors=[
                line_error(
                    ["method"],
                    "payment_reference_missing",
                    _("Refund by hand, or import the order's payment."),
                )
            ],
        )
    return provider, order.payment_reference


# --- the refund outbox ---------------------------------------------------------------------------


def refund_enqueue(refund: Refund) -> None:
    from retour.resolutions.tasks import refund_send_task

    enqueue_on_commit(refund_send_task, refund.pk)


def _claim(refund_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimable = (Q(provider_state=ProviderState.QUEUED) & due) | Q(
        provider_state=ProviderState.SENDING,
        next_attempt_at__lte=now,  # its worker died: lease over
    )
    return bool(
        Refund.objects.filter(claimable, pk=refund_id, status=RefundStatus.PENDING).update(
            provider_state=ProviderState.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + SENDING_LEASE,
        )
    )


def refund_send(*, refund_id: int, now: datetime | None = None) -> str:
    """Send one queued refund to its provider. Returns succeeded | pending | failed | retry | skipped."""
    given, now = now, now or clock.now()
    if not _claim(refund_id, now):
        return "skipped"  # settled, being sent by another worker, or not due yet
    refund = Refund.objects.select_related("store", "return_request").get(pk=refund_id)
    try:
        adapter = adapter_for(payment_provider_get(store=refund.store), refund.provider)
        answer = adapter.refund(
            RefundCall(
                idempotency_key=refund.idempotency_key,
                payment_reference=refund.payment_reference,
                amount=refund.amount,
                currency=refund.currency,
                refund_id=refund.pk,
                return_number=refund.return_request.number,
            )
        )
    except PaymentError as error:
        return _send_failed(refund, error, given or clock.now())
    except Exception as error:  # noqa: BLE001 - unknown outcome: retry with the same key, never pay twice
        log.exception("refund %s: unexpected error talking to %s", refund.pk, refund.provider)
        return _send_failed(
            refund, PaymentTemporaryError(f"{type(error).__name__}: {error}"), given or clock.now()
        )
    return refund_record(refund_id=refund.pk, answer=answer, now=given or clock.now())


def _send_failed(refund: Refund, error: PaymentError, now: datetime) -> str:
    text = secrets_masked(f"{error.code}: {error}")[:2000]
    if error.retryable and refund.attempts < MAX_ATTEMPTS:
        retry_at = now + backoff(refund.attempts)
        Refund.objects.filter(pk=refund.pk, provider_state=ProviderState.SENDING).update(
            provider_state=ProviderState.QUEUED, next_attempt_at=retry_at, last_error=text
        )
        log.warning(
            "refund %s attempt %s failed, retry at %s: %s", refund.pk, refund.attempts, retry_at, text
        )
        _enqueue_at(refund.pk, retry_at)
        return "retry"
    log.error("refund %s failed at the provider: %s", refund.pk, text)
    refund_record(
        refund_id=refund.pk, answer=ProviderRefund(reference="", status=FAILED, failure_reason=text), now=now
    )
    return "failed"


def _enqueue_at(refund_id: int, when: datetime) -> None:
    from retour.resolutions.tasks import refund_send_task

    try:
        enqueue_on_commit(refund_send_task.using(run_after=when), refund_id)
    except Exception:  # noqa: BLE001 - a backend without deferral: the sweep retries instead
        log.warning("could not defer refund %s; the retry sweep will pick it up", refund_id)


@transaction.atomic
def refund_record(*, refund_id: int, answer: ProviderRefund, now: datetime | None = None) -> str:
    """Write what the provider says of a refund. A settled refund never changes again, so an
    answer, a poll and a webhook arriving in any order (or twice) settle it once."""
    from retour.returns.services import return_lock

    now = now or clock.now()
    head = Refund.objects.select_related("return_request").get(pk=refund_id)
    rr = return_lock(head.return_request)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund.status
    if answer.reference and not refund.provider_reference:
        refund.provider_reference = answer.reference
    if answer.status == SUCCEEDED:
        _settle(rr, refund, RefundStatus.SUCCEEDED, now)
    elif answer.status == FAILED:
        refund.last_error = secrets_masked(answer.failure_reason or refund.last_error or "failed")[:2000]
        _settle(rr, refund, RefundStatus.FAILED, now)
    else:
        refund.provider_state, refund.next_attempt_at = ProviderState.SUBMITTED, now + POLL_EVERY
        refund.save(update_fields=["provider_reference", "provider_state", "next_attempt_at"])
        return "pending"
    return refund.status


def _settle(rr: Any, refund: Refund, status: str, now: datetime) -> None:
    from retour.returns.services import return_event_add, return_maybe_complete, return_notify

    refund.status, refund.provider_state, refund.next_attempt_at = status, ProviderState.DONE, None
    if status == RefundStatus.SUCCEEDED:
        refund.succeeded_at = now
    else:
        refund.failed_at = now
    refund.save()
    data: dict[str, Any] = {
        "refund_id": refund.pk,
        "amount": money_str(refund.amount, refund.currency),
        "provider": refund.provider,
        "provider_reference": refund.provider_reference,
    }
    actor = Actor.system(f"payment provider {refund.provider}")
    if status == RefundStatus.SUCCEEDED:
        return_event_add(
            rr, action="refund_succeeded", from_status=rr.status, actor=actor, now=now, data=data
        )
        return_notify(
            rr,
            "refund_issued",
            {"refund_id": refund.pk, "refund_amount": str(refund.amount), "refund_method": refund.method},
        )
        return_maybe_complete(rr, actor, now)
    else:
        data["error"] = refund.last_error
        return_event_add(rr, action="refund_failed", from_status=rr.status, actor=actor, now=now, data=data)
        return_notify(
            rr,
            "refund_failed",
            {
                "refund_id": refund.pk,
                "refund_amount": str(refund.amount),
                "provider": refund.provider,
                "error": refund.last_error,
            },
        )


def refund_poll(*, refund_id: int, now: datetime | None = None) -> str:
    """Ask the provider how a submitted refund is doing (when no webhook came)."""
    now = now or clock.now()
    refund = Refund.objects.select_related("store").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.provider_state != ProviderState.SUBMITTED:
        return "skipped"
    try:
        adapter = adapter_for(payment_provider_get(store=refund.store), refund.provider)
        answer = adapter.refund_status(
            reference=refund.provider_reference, payment_reference=refund.payment_reference
        )
    except PaymentError as error:
        Refund.objects.filter(pk=refund.pk, provider_state=ProviderState.SUBMITTED).update(
            next_attempt_at=now + POLL_EVERY, last_error=secrets_masked(f"{error.code}: {error}")[:2000]
        )
        return "retry"
    return refund_record(refund_id=refund.pk, answer=answer, now=now)


def refunds_retry_due(*, now: datetime | None = None) -> int:
    """The sweep: take back refunds whose worker died mid-send, send those due, poll submitted ones."""
    from retour.resolutions.tasks import refund_poll_task, refund_send_task

    now = now or clock.now()
    pending = Refund.objects.filter(status=RefundStatus.PENDING)
    sends = list(
        pending.filter(
            Q(provider_state=ProviderState.SENDING, next_attempt_at__lte=now)
            | Q(provider_state=ProviderState.QUEUED)
            & (
                Q(next_attempt_at__lte=now)
                | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1))
            )
        )
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    polls = list(
        pending.filter(provider_state=ProviderState.SUBMITTED, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    for refund_id in sends:
        enqueue_on_commit(refund_send_task, refund_id)
    for refund_id in polls:
        enqueue_on_commit(refund_poll_task, refund_id)
    return len(sends) + len(polls)


# --- webhooks ------------------------------------------------------------------------------------


def payment_webhook_receive(
    *, store: Store, provider: str, body: bytes, headers: Any, now: datetime | None = None
) -> str:
    """Verify a provider's notification and settle the refunds it names. Returns handled | duplicate.

    Raises ``WebhookRejected`` (→ 400) when the signature does not check out. A notification id
    already seen is a replay and changes nothing.
    """
    from retour.resolutions.payments.base import WebhookRejected

    now = now or clock.now()
    config = payment_provider_get(store=store)
    if config is None or config.provider != provider or provider == "manual":
        raise WebhookRejected("This store does not use that provider.")
    adapter = adapter_for(config, provider)
    notice: WebhookNotice = adapter.webhook_verify(body=body, headers=headers)
    answers = list(notice.refunds)
    for payment_reference in notice.payment_references:  # named only: read back, outside any transaction
        answers += adapter.refunds_of_payment(payment_reference)
    try:
        with transaction.atomic():  # the event is marked seen with what it settles, or not at all
            if notice.event_id:  # a notification with an id of its own is handled once
                PaymentWebhookEvent.objects.create(
                    store=store,
                    provider=provider,
                    event_id=notice.event_id[:200],
                    kind=notice.kind[:100],
                    received_at=now,
                )
            for answer in answers:
                refund = _refund_by_reference(store, provider, answer)
                if refund is not None:
                    refund_record(refund_id=refund.pk, answer=answer, now=now)
    except IntegrityError:
        return "duplicate"
    return "handled"


def _refund_by_reference(store: Store, provider: str, answer: ProviderRefund) -> Refund | None:
    """Ours by the provider's refund id, or (when the notification beat our own write of that id)
    by the refund id we sent in the metadata."""
    mine = Refund.objects.filter(store=store, provider=provider)
    found = mine.filter(provider_reference=answer.reference).first() if answer.reference else None
    if found is None and answer.retour_refund_id.isdigit():
        found = mine.filter(pk=int(answer.retour_refund_id), provider_reference="").first()
    return found
