"""Writes of the shop connectors: their settings, and the orders and refunds the shops send.

Orders go through ``retour.orders.services.order_upsert`` like any other order. Each platform
order is applied at most once per version: ``ShopOrder`` keeps the platform's ``updated_at`` of
the version Retour holds, and a delivery that is not newer (a duplicate, a late retry, an older
webhook overtaken by a newer one) changes nothing.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from retour.core.errors import DomainError, NotFound, ValidationFailed, line_error
from retour.core.outbound import host_refusal
from retour.integrations.shops.adapters import adapter_for
from retour.integrations.shops.adapters.base import PlatformRefund, ShopPayloadError, signature_valid
from retour.integrations.shops.models import Platform, ShopConnector, ShopOrder, ShopRefund
from retour.orders.schemas import OrderIn
from retour.orders.services import order_upsert
from retour.resolutions.payments.secrets import secret_decrypt, secret_encrypt, secret_hint
from retour.stores.models import Store

log = logging.getLogger(__name__)

SECRETS_PURPOSE = b"retour shop connector secrets v1"
_SHOPIFY_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


# --- settings ------------------------------------------------------------------------------------


def connector_get(*, store: Store, platform: str) -> ShopConnector:
    connector = ShopConnector.objects.filter(store=store, platform=platform).first()
    if connector is None:
        raise NotFound(_("This shop connector is not set up."))
    return connector


def _platform(platform: str) -> str:
    if platform not in Platform.values:
        raise NotFound(
            _("Unknown shop platform. Use one of: %(names)s") % {"names": ", ".join(Platform.values)}
        )
    return platform


def _shop_url(platform: str, shop: str) -> str:
    """Shopify: ``NAME.myshopify.com`` (an https:// address of it is accepted); WooCommerce and
    PrestaShop: the site's https:// address (http:// only on this machine, where nothing crosses
    a network: the credentials travel in the clear over http)."""
    shop = (shop or "").strip().rstrip("/")
    if platform == Platform.SHOPIFY:
        host = urlsplit(shop).hostname if "://" in shop else shop.lower()
        if host and _SHOPIFY_DOMAIN.match(host):
            return f"https://{host}"
        raise ValidationFailed(
            _("The shop connector's settings are not valid."),
            errors=[line_error(["shop"], "invalid_value", _("Give the shop's NAME.myshopify.com domain."))],
        )
    parts = urlsplit(shop)
    if parts.hostname and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
    ):
        refused = None if settings.SHOPS_ALLOW_PRIVATE else host_refusal(parts.hostname, parts.port or 443)
        if refused is not None:
            # Not our own networks (the server's loopback, the LAN, cloud metadata): a shop that
            # lives there is allowed only where the operator says so (RETOUR_SHOPS_ALLOW_PRIVATE).
            raise ValidationFailed(
                _("The shop connector's settings are not valid."),
                errors=[
                    line_error(
                        ["shop"],
                        "internal_address",
                        _("This address leads into the server's own network, which Retour does not call."),
                    )
                ],
            )
        return shop
    raise ValidationFailed(
        _("The shop connector's settings are not valid."),
        errors=[line_error(["shop"], "invalid_url", _("Give the shop's https:// address."))],
    )


@transaction.atomic
def connector_set(
    *,
    store: Store,
    platform: str,
    shop: str | None = None,
    token: str | None = None,
    consumer_key: str | None = None,
    webhook_secret: str | None = None,
    active: bool | None = None,
) -> ShopConnector:
    """Create or change a store's connector to a platform. Secrets are stored encrypted; one not
    given (None or "") keeps the stored one, so no form or client ever needs to read it back."""
    platform = _platform(platform)
    connector = ShopConnector.objects.select_for_update().filter(store=store, platform=platform).first()
    if connector is None:
        connector = ShopConnector(store=store, platform=platform)
    errors = []
    if shop is not None or not connector.shop_url:
        try:
            connector.shop_url = _shop_url(platform, shop or "")
        except ValidationFailed as exc:
            errors += exc.errors
    if not (token or connector.token_encrypted):
        errors.append(line_error(["token"], "missing", _("The access token is required.")))
    if platform == Platform.WOOCOMMERCE and not (consumer_key or connector.consumer_key_encrypted):
        errors.append(line_error(["consumer_key"], "missing", _("The consumer key is required.")))
    if platform != Platform.PRESTASHOP and not (webhook_secret or connector.webhook_secret_encrypted):
        errors.append(line_error(["webhook_secret"], "missing", _("The webhook secret is required.")))
    if errors:
        raise ValidationFailed(_("The shop connector's settings are not valid."), errors=errors)
    if token:
        connector.token_encrypted = secret_encrypt(token, purpose=SECRETS_PURPOSE)
        connector.token_hint = secret_hint(token)
    if consumer_key:
        connector.consumer_key_encrypted = secret_encrypt(consumer_key, purpose=SECRETS_PURPOSE)
    if webhook_secret:
        connector.webhook_secret_encrypted = secret_encrypt(webhook_secret, purpose=SECRETS_PURPOSE)
    if active is not None:
        connector.active = active
    connector.save()
    return connector


def connector_delete(*, connector: ShopConnector) -> None:
    """Forget the connector and its secrets; the orders it brought stay."""
    connector.delete()


@dataclass(frozen=True)
class Credentials:
    token: str
    consumer_key: str
    webhook_secret: str


def connector_credentials(connector: ShopConnector) -> Credentials:
    return Credentials(
        token=secret_decrypt(connector.token_encrypted, purpose=SECRETS_PURPOSE),
        consumer_key=secret_decrypt(connector.consumer_key_encrypted, purpose=SECRETS_PURPOSE),
        webhook_secret=secret_decrypt(connector.webhook_secret_encrypted, purpose=SECRETS_PURPOSE),
    )


def connector_error(*, connector: ShopConnector, error: str, now: datetime | None = None) -> None:
    """What went wrong last, for the store admin (admin, API)."""
    ShopConnector.objects.filter(pk=connector.pk).update(
        last_error=error[:500], last_error_at=now or timezone.now()
    )


# --- orders and refunds ----------------------------------------------------------------------------


class WebhookRejected(DomainError):
    code = "invalid_signature"
    status = 401
    title = _("The webhook's signature is missing or wrong")


def _errors_text(error: ValidationError | DomainError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())[:500]
    details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['code']}: {e['message']}" for e in error.errors)
    return f"{error.detail}{': ' + details if details else ''}"[:500]


def shop_order_apply(
    *, connector: ShopConnector, payload: dict[str, Any], now: datetime | None = None
) -> str:
    """Create or update the Retour order of a platform order; ``created``, ``updated``,
    ``unchanged`` (not newer than what Retour holds) or ``rejected`` (the reason is kept on the
    ``ShopOrder`` and the connector's last error)."""
    now = now or timezone.now()
    try:
        incoming = adapter_for(connector.platform).order_from(payload)
        data = OrderIn.model_validate(incoming.data)
    except (ShopPayloadError, ValidationError, ValueError, TypeError) as error:
        reason = _errors_text(error) if isinstance(error, ValidationError) else str(error)
        return _rejected(
            connector, str(payload.get("id") or "") if isinstance(payload, dict) else "", reason, now
        )
    try:
        with transaction.atomic():
            link, _created = ShopOrder.objects.get_or_create(
                store_id=connector.store_id,
                platform=connector.platform,
                platform_id=incoming.platform_id,
                defaults={"received_at": now},
            )
            link = ShopOrder.objects.select_for_update().get(pk=link.pk)
            if (
                link.order_id is not None
                and link.platform_updated_at is not None
                and incoming.updated_at is not None
                and incoming.updated_at <= link.platform_updated_at
            ):
                return "unchanged"
            order, created = order_upsert(store=connector.store, data=data)
            link.order, link.platform_updated_at = order, incoming.updated_at
            link.received_at, link.last_error = now, ""
            link.save()
            for refund in incoming.refunds:
                _refund_record(connector=connector, refund=refund, now=now)
            ShopRefund.objects.filter(  # refunds that arrived before their order
                store_id=connector.store_id,
                platform=connector.platform,
                platform_order_id=incoming.platform_id,
                order__isnull=True,
            ).update(order=order)
    except DomainError as error:
        return _rejected(connector, incoming.platform_id, _errors_text(error), now)
    ShopConnector.objects.filter(pk=connector.pk).update(last_success_at=now)
    return "created" if created else "updated"


def _rejected(connector: ShopConnector, platform_id: str, reason: str, now: datetime) -> str:
    log.warning(
        "%s order %s of store %s rejected: %s", connector.platform, platform_id, connector.store_id, reason
    )
    if platform_id:
        ShopOrder.objects.update_or_create(
            store_id=connector.store_id,
            platform=connector.platform,
            platform_id=platform_id,
            defaults={"last_error": reason[:500], "received_at": now},
        )
    connector_error(connector=connector, error=f"{connector.platform} order {platform_id}: {reason}", now=now)
    return "rejected"


def _refund_record(*, connector: ShopConnector, refund: PlatformRefund, now: datetime) -> bool:
    link = ShopOrder.objects.filter(
        store_id=connector.store_id, platform=connector.platform, platform_id=refund.platform_order_id
    ).first()
    _row, created = ShopRefund.objects.get_or_create(
        store_id=connector.store_id,
        platform=connector.platform,
        platform_id=refund.platform_id,
        defaults={
            "platform_order_id": refund.platform_order_id,
            "order_id": link.order_id if link else None,
            "amount": refund.amount,
            "currency": refund.currency,
            "note": refund.note,
            "lines": refund.lines,
            "refunded_at": refund.refunded_at,
            "received_at": now,
        },
    )
    return created


def shop_refund_apply(
    *, connector: ShopConnector, payload: dict[str, Any], now: datetime | None = None
) -> str:
    """Record a refund made in the shop, once: ``recorded``, ``duplicate`` or ``rejected``."""
    now = now or timezone.now()
    try:
        refund = adapter_for(connector.platform).refund_from(payload)
    except (ShopPayloadError, ValueError, TypeError) as error:
        return _rejected(connector, "", f"refund: {error}", now)
    with transaction.atomic():
        created = _refund_record(connector=connector, refund=refund, now=now)
    return "recorded" if created else "duplicate"


_WOOCOMMERCE_PING = re.compile(rb"^webhook_id=\d+$")


def shop_webhook_receive(
    *, store: Store, platform: str, body: bytes, headers: Mapping[str, str], now: datetime | None = None
) -> str:
    """Check a shop's webhook call against the connector's secret, then apply it.

    Raises ``NotFound`` when the store has no active connector to this platform and
    ``WebhookRejected`` when the signature is missing or wrong: then nothing is stored.
    """
    connector = ShopConnector.objects.filter(store=store, platform=_platform(platform), active=True).first()
    if connector is None:
        raise NotFound(_("This shop connector is not set up."))
    adapter = adapter_for(platform)
    signature = headers.get(adapter.signature_header, "")
    if platform == Platform.WOOCOMMERCE and not signature and _WOOCOMMERCE_PING.match(body.strip()):
        return "ping"  # WooCommerce checks the address with an unsigned ping when a webhook is saved
    if not signature_valid(body, signature, connector_credentials(connector).webhook_secret):
        raise WebhookRejected(_("The signature of this webhook call is missing or does not match."))
    now = now or timezone.now()
    ShopConnector.objects.filter(pk=connector.pk).update(last_webhook_at=now)
    topic = adapter.topic(headers)
    if topic == "ignore":
        return "ignored"
    try:
        payload = json.loads(body)
    except ValueError:
        return _rejected(connector, "", "the webhook's body is not JSON", now)
    if not isinstance(payload, dict):
        return _rejected(connector, "", "the webhook's body is not a JSON object", now)
    if topic == "refund":
        return shop_refund_apply(connector=connector, payload=payload, now=now)
    return shop_order_apply(connector=connector, payload=payload, now=now)


# --- polling (PrestaShop has no order webhooks) ----------------------------------------------------

POLL_EVERY = timedelta(minutes=10)
POLL_OVERLAP = timedelta(hours=1)  # clocks and late commits in the shop: applying twice is harmless
POLLED_PLATFORMS = (Platform.PRESTASHOP,)


def shop_connectors_poll(*, now: datetime | None = None) -> int:
    """Periodic job: read the orders changed in each polled shop since its last sync (less an
    hour). A connector polled less than ``POLL_EVERY`` ago, or with a backfill left unfinished
    (``retour connector sync`` resumes it), waits. Returns how many shops were read."""
    from retour.integrations.shops.sync import ShopSyncError, connector_sync

    now = now or timezone.now()
    due = ShopConnector.objects.filter(platform__in=POLLED_PLATFORMS, active=True).select_related("store")
    polled = 0
    for connector in due:
        if (connector.sync_state or {}).get("next"):
            continue
        if connector.last_synced_at is not None and now - connector.last_synced_at < POLL_EVERY:
            continue
        since = (connector.last_synced_at or connector.created_at) - POLL_OVERLAP
        try:
            connector_sync(connector=connector, since=since, restart=True)
        except ShopSyncError:
            continue  # kept as the connector's last error; the next sweep tries again
        polled += 1
    return polled
