"""Writes for outgoing webhooks: endpoints, the outbox rows of events, replays.

Everything here runs inside the caller's transaction and makes no HTTP call: deliveries are
sent by ``retour.integrations.webhooks.tasks`` once the transaction has committed.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retour.core.errors import DomainError, ValidationFailed
from retour.core.events import EVENT_TYPES
from retour.core.outbound import host_refusal
from retour.core.tasks import enqueue_on_commit
from retour.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from retour.stores.models import Store

SECRET_PREFIX = "whsec_"
MAX_ENDPOINTS_PER_STORE = 20
RETRY_FOR = timedelta(days=3)


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookUrlNotAllowed(DomainError):
    """A well-formed URL that Retour will not send to: plain http, or an internal address."""

    code = "webhook_url_not_allowed"
    title = _("Retour does not send webhooks to this address")


def webhook_url_refusal(url: str) -> dict[str, Any] | None:
    """The reason (an ``errors`` entry) why events may not be sent to this well-formed ``url``.

    https only, unless ``RETOUR_WEBHOOKS_ALLOW_HTTP``; never an address of our own networks
    (loopback, private, link-local, cloud metadata…), unless ``RETOUR_WEBHOOKS_ALLOW_PRIVATE``.
    A host name is resolved now and again before every delivery.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.WEBHOOKS_ALLOW_HTTP:
        return {
            "loc": ["url"],
            "code": "https_required",
            "message": _("Use an https:// address: events are not sent over plain http."),
        }
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 443
    refused = host_refusal(parts.hostname or "", port)
    if refused:
        return {
            "loc": ["url"],
            "code": "internal_address",
            "message": _(
                "This address leads to a private or internal network (%(address)s); "
                "give an address reachable on the internet."
            )
            % {"address": refused.address},
        }
    return None


def _check(url: str, events: list[str]) -> None:
    errors: list[dict[str, Any]] = []
    try:
        parts = urlsplit(url or "")
        bad_url = parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 1000
    except ValueError:  # e.g. an unclosed [ipv6
        bad_url = True
    if bad_url:
        errors.append(
            {"loc": ["url"], "code": "invalid_url", "message": _("Give an http:// or https:// address.")}
        )
    if not events:
        errors.append({"loc": ["events"], "code": "missing", "message": _("Choose at least one event type.")})
    for i, event in enumerate(events):
        if event not in EVENT_TYPES:
            errors.append(
                {
                    "loc": ["events", i],
                    "code": "unknown_event_type",
                    "message": _("Unknown event type. Use one of: %(types)s")
                    % {"types": ", ".join(EVENT_TYPES)},
                }
            )
    if errors:
        raise ValidationFailed(_("The webhook endpoint is not valid."), errors=errors)
    refusal = webhook_url_refusal(url)
    if refusal:
        raise WebhookUrlNotAllowed(refusal["message"], errors=[refusal])


@transaction.atomic
def webhook_endpoint_create(
    *, store: Store, url: str, events: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; returns it with its secret, which is shown to the caller this once."""
    events = list(dict.fromkeys(events or []))
    _check(url, events)
    if WebhookEndpoint.objects.filter(store=store).count() >= MAX_ENDPOINTS_PER_STORE:
        raise ValidationFailed(
            _("A store may have at most %(n)s webhook endpoints.") % {"n": MAX_ENDPOINTS_PER_STORE},
            errors=[
                {"loc": ["url"], "code": "too_many_endpoints", "message": _("Remove an endpoint first.")}
            ],
        )
    secret = webhook_secret_new()
    endpoint = WebhookEndpoint.objects.create(
        store=store, url=url, events=events, description=description[:200], secret=secret
    )
    return endpoint, secret


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str = ""
) -> None:
    events = list(dict.fromkeys(events or []))
    _check(url, events)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        url=url, events=events, description=description[:200]
    )


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its deliveries and log (messages stay for the other endpoints)."""
    endpoint.delete()


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> bool:
    """Switch a disabled endpoint back on, with a clean failure count. Returns whether it changed.

    Deliveries given up while it was down stay failed: replay the ones that matter.
    """
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint.pk, status=WebhookEndpoint.Status.DISABLED).update(
            status=WebhookEndpoint.Status.ACTIVE,
            disabled_at=None,
            disabled_reason="",
            failing_since=None,
            consecutive_failures=0,
        )
    )


def webhook_messages_write(
    *,
    store_id: int,
    type: str,
    data_fn: Callable[[], dict[str, Any]],
    now: datetime | None = None,  # noqa: A002
) -> WebhookMessage | None:
    """The outbox rows of one event: its message and a delivery per active endpoint that wants it.

    Called through ``retour.core.events.webhook_event_emit``, inside the change's transaction.
    """
    from retour.integrations.webhooks.tasks import webhook_delivery_send_task

    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(store_id=store_id, status=WebhookEndpoint.Status.ACTIVE)
        if type in (e.events or [])
    ]
    if not endpoints:
        return None
    now = now or timezone.now()
    body = json.dumps(
        {"type": type, "timestamp": now.isoformat(), "data": data_fn()},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    message = WebhookMessage.objects.create(
        store_id=store_id, event_id=f"msg_{uuid.uuid4().hex}", type=type, body=body, created_at=now
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(endpoint=e, message=message, created_at=now, give_up_at=now + RETRY_FOR)
            for e in endpoints
        ]
    )
    for delivery in deliveries:
        enqueue_on_commit(webhook_delivery_send_task, delivery.pk)
    return message


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> bool:
    """Send a delivery again (same event id, so the receiver can tell), with a fresh round of retries.

    A delivery being sent right now is left alone. Returns whether it was queued.
    """
    from retour.integrations.webhooks.tasks import webhook_delivery_send_task

    queued = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=WebhookDelivery.Status.SENDING)
        .update(
            status=WebhookDelivery.Status.PENDING,
            attempts=0,
            next_attempt_at=None,
            give_up_at=timezone.now() + RETRY_FOR,
        )
    )
    if queued:
        enqueue_on_commit(webhook_delivery_send_task, delivery.pk)
    return bool(queued)
