"""/api/v1/webhook-endpoints: where a store's events are sent (admin keys only).

The signing secret is in the answer of the POST that creates an endpoint and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from retour.core.api import PageParams, api_store, idempotent, paginate, require_role
from retour.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from retour.integrations.webhooks.schemas import (
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEndpointCreated,
    WebhookEndpointIn,
    WebhookEndpointList,
    WebhookEndpointOut,
)
from retour.integrations.webhooks.selectors import (
    webhook_delivery_get,
    webhook_delivery_list,
    webhook_endpoint_get,
    webhook_endpoint_list,
)
from retour.integrations.webhooks.services import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_enable,
)
from retour.stores.models import Role

router = Router(tags=["webhooks"])


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "status": endpoint.status,
        "created_at": endpoint.created_at,
        "last_success_at": endpoint.last_success_at,
        "last_failure_at": endpoint.last_failure_at,
        "last_error": endpoint.last_error,
        "consecutive_failures": endpoint.consecutive_failures,
        "next_retry_at": getattr(endpoint, "next_retry_at", None),
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "event_id": delivery.message.event_id,
        "type": delivery.message.type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "succeeded_at": delivery.succeeded_at,
        "log": [
            {
                "at": a.at,
                "status_code": a.status_code,
                "succeeded": a.succeeded,
                "error": a.error,
                "duration_ms": a.duration_ms,
            }
            for a in delivery.log.all()
        ],
    }


@router.post("", response={201: WebhookEndpointCreated}, summary="Add a webhook endpoint (admin)")
def webhook_endpoint_create_endpoint(request: HttpRequest, payload: WebhookEndpointIn) -> Any:
    """201 with the endpoint and its `whsec_…` secret, which is never shown again."""
    require_role(request, Role.ADMIN)
    store = api_store(request)

    def handler() -> tuple[int, Any]:
        endpoint, secret = webhook_endpoint_create(
            store=store, url=payload.url, events=payload.events, description=payload.description
        )
        return 201, {
            **endpoint_out(webhook_endpoint_get(store=store, endpoint_id=endpoint.pk)),
            "secret": secret,
        }

    return idempotent(request, handler)


@router.get(
    "", response=WebhookEndpointList, summary="The store's webhook endpoints and their health (admin)"
)
def webhook_endpoint_list_endpoint(request: HttpRequest) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    return {
        "items": [endpoint_out(e) for e in webhook_endpoint_list(store=api_store(request))],
        "next_cursor": None,
    }


@router.get("/{endpoint_id}", response=WebhookEndpointOut, summary="A webhook endpoint (admin)")
def webhook_endpoint_detail_endpoint(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    return endpoint_out(webhook_endpoint_get(store=api_store(request), endpoint_id=endpoint_id))


@router.delete("/{endpoint_id}", response={204: None}, summary="Remove a webhook endpoint (admin)")
def webhook_endpoint_delete_endpoint(request: HttpRequest, endpoint_id: int) -> Any:
    require_role(request, Role.ADMIN)
    webhook_endpoint_delete(endpoint=webhook_endpoint_get(store=api_store(request), endpoint_id=endpoint_id))
    return Status(204, None)


@router.post(
    "/{endpoint_id}/enable", response=WebhookEndpointOut, summary="Enable a disabled endpoint (admin)"
)
def webhook_endpoint_enable_endpoint(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    store = api_store(request)
    webhook_endpoint_enable(endpoint=webhook_endpoint_get(store=store, endpoint_id=endpoint_id))
    return endpoint_out(webhook_endpoint_get(store=store, endpoint_id=endpoint_id))


@router.get(
    "/{endpoint_id}/deliveries", response=WebhookDeliveryPage, summary="Delivery log, newest first (admin)"
)
def webhook_delivery_list_endpoint(
    request: HttpRequest, endpoint_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    endpoint = webhook_endpoint_get(store=api_store(request), endpoint_id=endpoint_id)
    page = paginate(webhook_delivery_list(endpoint=endpoint), limit=params.limit, cursor=params.cursor)
    return {"items": [delivery_out(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    response={202: WebhookDeliveryOut},
    summary="Send a delivery again, same event id (admin)",
)
def webhook_delivery_replay_endpoint(request: HttpRequest, endpoint_id: int, delivery_id: int) -> Any:
    require_role(request, Role.ADMIN)
    endpoint = webhook_endpoint_get(store=api_store(request), endpoint_id=endpoint_id)
    delivery = webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
    webhook_delivery_replay(delivery=delivery)
    return Status(202, delivery_out(webhook_delivery_list(endpoint=endpoint).get(pk=delivery.pk)))
