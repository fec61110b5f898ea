"""What a shop platform adapter does, and the helpers the adapters share.

An adapter turns the platform's order and refund JSON into Retour's order body (the same
``OrderIn`` as ``POST /api/v1/orders``), says which webhook topic a call is about, and knows how
to page through the platform's REST list of orders. It makes no database write: the services do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import httpx

from retour.core.money import quantize


class ShopPayloadError(Exception):
    """The platform sent an order or refund Retour cannot use (a field missing or malformed)."""


@dataclass(frozen=True)
class PlatformRefund:
    platform_id: str
    platform_order_id: str
    amount: Decimal
    currency: str = ""
    note: str = ""
    lines: list[dict[str, Any]] = field(default_factory=list)
    refunded_at: datetime | None = None


@dataclass(frozen=True)
class PlatformOrder:
    platform_id: str
    updated_at: datetime | None
    data: dict[str, Any]  # the body of POST /api/v1/orders
    refunds: list[PlatformRefund] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    orders: list[dict[str, Any]]
    next: dict[str, Any] | None  # the request of the next page, JSON-serialisable (the cursor)
    total: int | None = None


class ShopAdapter(Protocol):
    platform: str
    signature_header: str  # base64 HMAC-SHA256 of the raw body with the webhook secret

    def topic(self, headers: Mapping[str, str]) -> str:
        """``order``, ``refund`` or ``ignore``, from the webhook's topic header."""
        ...

    def order_from(self, payload: dict[str, Any]) -> PlatformOrder: ...

    def refund_from(self, payload: dict[str, Any]) -> PlatformRefund: ...

    def client_options(self, *, shop_url: str, token: str, consumer_key: str) -> dict[str, Any]:
        """``base_url``, ``headers``, ``auth`` for an ``httpx.Client`` talking to the shop."""
        ...

    def first_page(self, *, since: datetime | None, time_zone: str) -> dict[str, Any]:
        """The request of the first page of orders changed since ``since`` (``time_zone``: the
        store's, for a platform whose filters take local times)."""
        ...

    def count_request(self, *, since: datetime | None) -> dict[str, Any] | None:
        """The request that counts the orders to sync (for the progress bar), when there is one."""
        ...

    def parse_count(self, response: httpx.Response) -> int | None: ...

    def parse_page(self, response: httpx.Response, request: dict[str, Any]) -> Page: ...

    def enrich(
        self, orders: list[dict[str, Any]], get: Callable[[str], dict[str, Any]], *, time_zone: str
    ) -> list[dict[str, Any]]:
        """The orders with what they refer to by id, read through ``get(path)``; most platforms
        give everything in the order and return it as it is."""
        ...


def signature_valid(body: bytes, signature: str, secret: str) -> bool:
    """Shopify's ``X-Shopify-Hmac-Sha256`` and WooCommerce's ``X-WC-Webhook-Signature``: the
    base64 HMAC-SHA256 of the raw body, keyed with the webhook secret; compared in constant time."""
    if not (secret and signature):
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def money(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ShopPayloadError(f"not an amount: {value!r}") from None


def moment(value: Any, *, naive_is_utc: bool = False) -> datetime | None:
    """An ISO 8601 time from the platform; naive ones are UTC when ``naive_is_utc`` (WooCommerce's
    ``*_gmt`` fields), else refused."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ShopPayloadError(f"not a date: {value!r}") from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise ShopPayloadError(f"a date without its time zone: {value!r}")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def required(payload: Mapping[str, Any], name: str) -> Any:
    value = payload.get(name)
    if value in (None, ""):
        raise ShopPayloadError(f"no {name}")
    return value


def line_price(*, subtotal: Decimal, total: Decimal, quantity: int, currency: str) -> tuple[Decimal, Decimal]:
    """(unit price, discount) such that ``unit × quantity − discount`` is what the line cost,
    with the unit price rounded in the currency like Retour stores it."""
    unit = quantize(subtotal / quantity, currency) if quantity else Decimal("0")
    discount = max(Decimal("0"), quantize(unit * quantity - total, currency))
    return unit, min(discount, unit * quantity)
