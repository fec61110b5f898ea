"""/api/v1/connectors: the store's shop connectors (admin keys only). Secrets are never shown back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from retour.core.api import api_store, require_role
from retour.integrations.shops.models import ShopConnector
from retour.integrations.shops.services import (
    POLLED_PLATFORMS,
    connector_delete,
    connector_get,
    connector_set,
)
from retour.stores.models import Role

router = Router(tags=["connectors"])


class ConnectorIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    shop: str | None = Field(
        None,
        max_length=300,
        description="Shopify: NAME.myshopify.com; WooCommerce, PrestaShop: the site's https:// address. "
        "Kept when omitted",
    )
    token: str | None = Field(
        None,
        max_length=500,
        description="Shopify Admin API access token (shpat_…), WooCommerce consumer secret (cs_…), "
        "PrestaShop webservice key; kept when omitted",
    )
    consumer_key: str | None = Field(None, max_length=500, description="WooCommerce consumer key (ck_…)")
    webhook_secret: str | None = Field(
        None,
        max_length=500,
        description="Shopify app's API secret key, WooCommerce webhook secret; kept when omitted",
    )
    active: bool | None = Field(None, description="An inactive connector refuses webhooks (404)")


class ConnectorSyncOut(Schema):
    since: str | None
    done: int
    total: int | None


class ConnectorOut(Schema):
    platform: str = Field(..., description="shopify | woocommerce | prestashop")
    shop: str
    active: bool
    token_set: bool = Field(..., description="Secrets are never shown back")
    token_hint: str = Field(..., description="Kind and last four characters, e.g. shpat_…a1b2")
    consumer_key_set: bool
    webhook_secret_set: bool
    webhook_url: str | None = Field(
        ..., description="Where the shop should send its order webhooks (none for PrestaShop: polled)"
    )
    last_webhook_at: datetime | None
    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    last_synced_at: datetime | None = Field(..., description="When the last backfill finished")
    sync_in_progress: ConnectorSyncOut | None = Field(
        ..., description="An unfinished backfill, resumed by the next `retour connector sync`"
    )
    updated_at: datetime


class ConnectorList(Schema):
    items: list[ConnectorOut]
    next_cursor: str | None


def connector_out(connector: ShopConnector) -> dict[str, Any]:
    state = connector.sync_state or {}
    return {
        "platform": connector.platform,
        "shop": connector.shop_url,
        "active": connector.active,
        "token_set": bool(connector.token_encrypted),
        "token_hint": connector.token_hint,
        "consumer_key_set": bool(connector.consumer_key_encrypted),
        "webhook_secret_set": bool(connector.webhook_secret_encrypted),
        "webhook_url": None
        if connector.platform in POLLED_PLATFORMS
        else f"{settings.BASE_URL}/hooks/{connector.platform}/{connector.store.slug}",
        "last_webhook_at": connector.last_webhook_at,
        "last_success_at": connector.last_success_at,
        "last_error": connector.last_error,
        "last_error_at": connector.last_error_at,
        "last_synced_at": connector.last_synced_at,
        "sync_in_progress": {
            "since": state.get("since"),
            "done": int(state.get("done") or 0),
            "total": state.get("total"),
        }
        if state.get("next")
        else None,
        "updated_at": connector.updated_at,
    }


@router.get("", response=ConnectorList, summary="The store's shop connectors and their health (admin)")
def connector_list_endpoint(request: HttpRequest) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    store = api_store(request)
    connectors = ShopConnector.objects.filter(store=store).select_related("store").order_by("platform")
    return {"items": [connector_out(c) for c in connectors], "next_cursor": None}


@router.get("/{platform}", response=ConnectorOut, summary="A shop connector (admin)")
def connector_detail_endpoint(request: HttpRequest, platform: str) -> dict[str, Any]:
    require_role(request, Role.ADMIN)
    return connector_out(connector_get(store=api_store(request), platform=platform))


@router.put(
    "/{platform}",
    response=ConnectorOut,
    summary="Set up the store's connector to a shop (secrets are stored encrypted and never shown back)",
)
def connector_put_endpoint(request: HttpRequest, platform: str, payload: ConnectorIn) -> dict[str, Any]:
    """`platform` is `shopify`, `woocommerce` or `prestashop`. A secret left out (or empty) keeps
    the stored one; the first PUT needs them all. The answer gives the `webhook_url` to register in
    the shop (PrestaShop has no order webhooks: the worker polls it every 10 minutes)."""
    require_role(request, Role.ADMIN)
    store = api_store(request)
    connector = connector_set(
        store=store,
        platform=platform,
        shop=payload.shop,
        token=payload.token or None,
        consumer_key=payload.consumer_key or None,
        webhook_secret=payload.webhook_secret or None,
        active=payload.active,
    )
    return connector_out(connector_get(store=store, platform=connector.platform))


@router.delete("/{platform}", response={204: None}, summary="Remove a shop connector (admin)")
def connector_delete_endpoint(request: HttpRequest, platform: str) -> Any:
    require_role(request, Role.ADMIN)
    connector_delete(connector=connector_get(store=api_store(request), platform=platform))
    return Status(204, None)
