"""Reads for outgoing webhooks, scoped to a store, with the health the store admin needs."""

from __future__ import annotations

from django.db.models import Min, Prefetch, Q, QuerySet

from retour.core.errors import NotFound
from retour.integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from retour.stores.models import Store

PENDING = WebhookDelivery.Status.PENDING


def _with_health(qs: QuerySet) -> QuerySet:
    """``next_retry_at``: the earliest pending retry of the endpoint (one query for the whole list)."""
    return qs.annotate(
        next_retry_at=Min(
            "deliveries__next_attempt_at",
            filter=Q(deliveries__status=PENDING, deliveries__attempts__gt=0),
        ),
    )


def webhook_endpoint_list(*, store: Store) -> QuerySet:
    return _with_health(WebhookEndpoint.objects.filter(store=store)).order_by("id")


def webhook_endpoint_get(*, store: Store, endpoint_id: int) -> WebhookEndpoint:
    endpoint = _with_health(WebhookEndpoint.objects.filter(store=store, pk=endpoint_id)).first()
    if endpoint is None:
        raise NotFound()
    return endpoint


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet:
    """Newest first, each with its message and its log of tries (no query per row)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("message")
        .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("at", "id")))
    )


def webhook_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise NotFound()
    return delivery
