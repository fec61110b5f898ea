"""Shopify: the Admin REST API's order JSON, its webhooks and its cursor-paginated order list.

Webhooks: ``X-Shopify-Topic`` (``orders/create``, ``orders/updated``, ``orders/fulfilled``…,
``refunds/create``), signed in ``X-Shopify-Hmac-Sha256`` with the app's secret. The order is
filed under its ``name`` without the ``#`` (``#1042`` → ``1042``). Lines are delivered by the
fulfilments that include them: at the fulfilment's last update when Shopify reports the parcel
``delivered``, else at the fulfilment's creation (a later "delivered" update moves the date).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from retour.integrations.shops.adapters.base import (
    Page,
    PlatformOrder,
    PlatformRefund,
    ShopPayloadError,
    line_price,
    moment,
    money,
    required,
    text,
)

API_VERSION = "2024-10"
PAGE_SIZE = 250
ORDER_TOPICS = {
    "orders/create",
    "orders/updated",
    "orders/fulfilled",
    "orders/partially_fulfilled",
    "orders/paid",
    "orders/cancelled",
}
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class ShopifyAdapter:
    platform = "shopify"
    signature_header = "X-Shopify-Hmac-Sha256"

    def topic(self, headers: Mapping[str, str]) -> str:
        topic = headers.get("X-Shopify-Topic", "")
        if topic in ORDER_TOPICS:
            return "order"
        if topic == "refunds/create":
            return "refund"
        return "ignore"

    # --- orders ----------------------------------------------------------------------------

    def order_from(self, payload: dict[str, Any]) -> PlatformOrder:
        platform_id = str(required(payload, "id"))
        currency = text(payload.get("currency") or payload.get("presentment_currency"), 3)
        customer = payload.get("customer") or {}
        address = payload.get("shipping_address") or {}
        delivered, delivered_at = _deliveries(payload.get("fulfillments") or [])
        lines = []
        for item in payload.get("line_items") or []:
            quantity = int(item.get("quantity") or 0)
            if quantity < 1:
                continue
            ref = str(required(item, "id"))
            allocations = sum(
                (money(a.get("amount")) for a in item.get("discount_allocations") or []), Decimal("0")
            )
            discount = allocations or money(item.get("total_discount"))
            price = money(item.get("price"))
            unit, discount = line_price(
                subtotal=price * quantity,
                total=price * quantity - discount,
                quantity=quantity,
                currency=currency,
            )
            sku = text(item.get("sku"), 100) or (
                f"variant-{item['variant_id']}" if item.get("variant_id") else f"line-{ref}"
            )
            lines.append(
                {
                    "ref": ref,
                    "sku": sku,
                    "title": text(item.get("name") or item.get("title"), 300),
                    "quantity": quantity,
                    "unit_price": str(unit),
                    "discount": str(discount),
                    "returnable": not item.get("gift_card", False),
                    "delivered_quantity": min(delivered.get(ref, 0), quantity),
                    "delivered_at": delivered_at.get(ref),
                }
            )
        shipping = sum(
            (money(s.get("discounted_price", s.get("price"))) for s in payload.get("shipping_lines") or []),
            Decimal("0"),
        )
        name = " ".join(filter(None, [customer.get("first_name"), customer.get("last_name")]))
        data = {
            "number": text(str(payload.get("name") or payload.get("order_number") or platform_id), 64).lstrip(
                "#"
            ),
            "external_id": platform_id,
            "placed_at": moment(payload.get("processed_at") or required(payload, "created_at")),
            "currency": currency,
            "is_business": bool(payload.get("company")),
            "customer": {
                "email": text(
                    payload.get("email") or payload.get("contact_email") or customer.get("email"), 254
                ),
                "name": text(name or address.get("name"), 200),
                "phone": text(payload.get("phone") or customer.get("phone"), 32),
                "language": text(payload.get("customer_locale"), 8).split("-")[0] or None,
            },
            "shipping_address": {
                "name": text(address.get("name"), 200),
                "line1": text(address.get("address1"), 200),
                "line2": text(address.get("address2"), 200),
                "city": text(address.get("city"), 100),
                "postal_code": text(address.get("zip"), 20),
                "country": text(address.get("country_code"), 2) or None,
                "subdivision": text(address.get("province_code"), 10) or None,
            }
            if address
            else None,
            "shipping": {"amount": str(shipping), "standard_amount": str(shipping)},
            # Refunds of a Shopify order go through Shopify: for Retour the payment is "manual",
            # and the reference names the gateway staff will find it in.
            "payment": {
                "provider": "manual",
                "reference": text(", ".join(payload.get("payment_gateway_names") or []), 200),
            },
            "lines": lines,
        }
        refunds = [
            self.refund_from({**r, "order_id": r.get("order_id") or platform_id})
            for r in payload.get("refunds") or []
        ]
        return PlatformOrder(
            platform_id=platform_id, updated_at=moment(payload.get("updated_at")), data=data, refunds=refunds
        )

    def refund_from(self, payload: dict[str, Any]) -> PlatformRefund:
        transactions = [
            t
            for t in payload.get("transactions") or []
            if t.get("kind") == "refund" and t.get("status", "success") == "success"
        ]
        return PlatformRefund(
            platform_id=str(required(payload, "id")),
            platform_order_id=str(required(payload, "order_id")),
            amount=sum((money(t.get("amount")) for t in transactions), Decimal("0")),
            currency=text(transactions[0].get("currency") if transactions else "", 3),
            note=text(payload.get("note"), 500),
            lines=[
                {
                    "ref": str(item.get("line_item_id")),
                    "quantity": int(item.get("quantity") or 0),
                    "restock": item.get("restock_type") in ("return", "cancel"),
                }
                for item in payload.get("refund_line_items") or []
            ],
            refunded_at=moment(payload.get("processed_at") or payload.get("created_at")),
        )

    # --- the REST list of orders -------------------------------------------------------------

    def client_options(self, *, shop_url: str, token: str, consumer_key: str) -> dict[str, Any]:
        base = getattr(settings, "SHOPIFY_API_BASE", "") or shop_url
        return {"base_url": base.rstrip("/"), "headers": {"X-Shopify-Access-Token": token}}

    def first_page(self, *, since: datetime | None, time_zone: str = "UTC") -> dict[str, Any]:
        params: dict[str, Any] = {"status": "any", "limit": PAGE_SIZE, "order": "updated_at asc"}
        if since is not None:
            params["updated_at_min"] = since.isoformat()
        return {"url": f"/admin/api/{API_VERSION}/orders.json", "params": params}

    def count_request(self, *, since: datetime | None) -> dict[str, Any] | None:
        params: dict[str, Any] = {"status": "any"}
        if since is not None:
            params["updated_at_min"] = since.isoformat()
        return {"url": f"/admin/api/{API_VERSION}/orders/count.json", "params": params}

    def parse_count(self, response: httpx.Response) -> int | None:
        count = response.json().get("count")
        return int(count) if isinstance(count, int) else None

    def enrich(
        self, orders: list[dict[str, Any]], get: Callable[[str], dict[str, Any]], *, time_zone: str
    ) -> list[dict[str, Any]]:
        return orders  # every field Retour reads is in the order

    def parse_page(self, response: httpx.Response, request: dict[str, Any]) -> Page:
        orders = response.json().get("orders")
        if not isinstance(orders, list):
            raise ShopPayloadError("no orders list in the answer")
        found = _NEXT_LINK.search(response.headers.get("Link", ""))
        if found is None:
            return Page(orders=orders, next=None)
        # The next link carries its page_info cursor and limit (no other filter may be added);
        # only its path and query are kept, so the token never goes to another host.
        link = urlsplit(found.group(1))
        return Page(orders=orders, next={"url": f"{link.path}?{link.query}", "params": {}})


def _deliveries(fulfillments: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, datetime]]:
    """Units delivered per line id, and when (the latest fulfilment that carried the line)."""
    quantities: dict[str, int] = {}
    when: dict[str, datetime] = {}
    for fulfillment in fulfillments:
        if fulfillment.get("status") not in ("success", None):
            continue  # cancelled, error, failure, open, pending
        delivered = fulfillment.get("shipment_status") == "delivered"
        at = moment(fulfillment.get("updated_at") if delivered else fulfillment.get("created_at"))
        for item in fulfillment.get("line_items") or []:
            ref = str(item.get("id"))
            quantities[ref] = quantities.get(ref, 0) + int(item.get("quantity") or 0)
            if at is not None and (ref not in when or at > when[ref]):
                when[ref] = at
    return quantities, when
