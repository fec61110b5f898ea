"""WooCommerce: REST API v3 orders, its webhooks and its page-numbered order list.

Webhooks: ``X-WC-Webhook-Topic`` ``order.created`` / ``order.updated`` / ``order.restored``,
signed in ``X-WC-Webhook-Signature`` with the webhook's secret; the order's ``refunds`` are
recorded with it (WooCommerce has no refund topic). An order is delivered when it is
``completed``, at ``date_completed_gmt``. The ``*_gmt`` times are UTC without an offset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

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

PAGE_SIZE = 100
ORDER_TOPICS = {"order.created", "order.updated", "order.restored"}
ORDERS_PATH = "/wp-json/wc/v3/orders"


class WooCommerceAdapter:
    platform = "woocommerce"
    signature_header = "X-WC-Webhook-Signature"

    def topic(self, headers: Mapping[str, str]) -> str:
        return "order" if headers.get("X-WC-Webhook-Topic", "") in ORDER_TOPICS else "ignore"

    def order_from(self, payload: dict[str, Any]) -> PlatformOrder:
        platform_id = str(required(payload, "id"))
        currency = text(payload.get("currency"), 3)
        billing = payload.get("billing") or {}
        shipping = payload.get("shipping") or {}
        completed = payload.get("status") == "completed"
        delivered_at = (
            moment(payload.get("date_completed_gmt") or payload.get("date_modified_gmt"), naive_is_utc=True)
            if completed
            else None
        )
        lines = []
        for item in payload.get("line_items") or []:
            quantity = int(item.get("quantity") or 0)
            if quantity < 1:
                continue
            ref = str(required(item, "id"))
            unit, discount = line_price(
                subtotal=money(item.get("subtotal")),
                total=money(item.get("total")),
                quantity=quantity,
                currency=currency,
            )
            product = item.get("variation_id") or item.get("product_id")
            lines.append(
                {
                    "ref": ref,
                    "sku": text(item.get("sku"), 100) or (f"product-{product}" if product else f"line-{ref}"),
                    "title": text(item.get("name"), 300),
                    "quantity": quantity,
                    "unit_price": str(unit),
                    "discount": str(discount),
                    "delivered_quantity": quantity if completed else 0,
                }
            )
        address = shipping if shipping.get("address_1") else billing
        name = " ".join(filter(None, [billing.get("first_name"), billing.get("last_name")]))
        ship_name = " ".join(filter(None, [address.get("first_name"), address.get("last_name")]))
        shipping_total = sum(
            (money(s.get("total")) for s in payload.get("shipping_lines") or []), Decimal("0")
        )
        data = {
            "number": text(payload.get("number") or platform_id, 64),
            "external_id": platform_id,
            "placed_at": moment(required(payload, "date_created_gmt"), naive_is_utc=True),
            "currency": currency,
            "customer": {
                "email": text(billing.get("email"), 254),
                "name": text(name, 200),
                "phone": text(billing.get("phone"), 32),
            },
            "shipping_address": {
                "name": text(ship_name, 200),
                "line1": text(address.get("address_1"), 200),
                "line2": text(address.get("address_2"), 200),
                "city": text(address.get("city"), 100),
                "postal_code": text(address.get("postcode"), 20),
                "country": text(address.get("country"), 2) or None,
            }
            if address.get("address_1") or address.get("country")
            else None,
            "shipping": {"amount": str(shipping_total), "standard_amount": str(shipping_total)},
            "payment": _payment(payload),
            "delivered_at": delivered_at,
            "lines": lines,
        }
        refunds = [
            PlatformRefund(
                platform_id=str(required(r, "id")),
                platform_order_id=platform_id,
                amount=abs(money(r.get("total"))),  # WooCommerce gives it negative
                currency=currency,
                note=text(r.get("reason"), 500),
            )
            for r in payload.get("refunds") or []
        ]
        return PlatformOrder(
            platform_id=platform_id,
            updated_at=moment(payload.get("date_modified_gmt"), naive_is_utc=True),
            data=data,
            refunds=refunds,
        )

    def refund_from(self, payload: dict[str, Any]) -> PlatformRefund:
        raise ShopPayloadError("WooCommerce refunds come with their order")

    # --- the REST list of orders -------------------------------------------------------------

    def client_options(self, *, shop_url: str, token: str, consumer_key: str) -> dict[str, Any]:
        return {"base_url": shop_url.rstrip("/"), "auth": httpx.BasicAuth(consumer_key, token)}

    def first_page(self, *, since: datetime | None, time_zone: str = "UTC") -> dict[str, Any]:
        params: dict[str, Any] = {"per_page": PAGE_SIZE, "page": 1, "orderby": "id", "order": "asc"}
        if since is not None:
            params["modified_after"] = since.isoformat()
        return {"url": ORDERS_PATH, "params": params}

    def count_request(self, *, since: datetime | None) -> dict[str, Any] | None:
        return None  # X-WP-Total of each page says it

    def parse_count(self, response: httpx.Response) -> int | None:
        return None

    def enrich(
        self, orders: list[dict[str, Any]], get: Callable[[str], dict[str, Any]], *, time_zone: str
    ) -> list[dict[str, Any]]:
        return orders  # every field Retour reads is in the order

    def parse_page(self, response: httpx.Response, request: dict[str, Any]) -> Page:
        orders = response.json()
        if not isinstance(orders, list):
            raise ShopPayloadError("the answer is not a list of orders")
        page = int(request["params"].get("page", 1))
        pages = _int(response.headers.get("X-WP-TotalPages"))
        more = page < pages if pages is not None else len(orders) >= PAGE_SIZE
        return Page(
            orders=orders,
            next={"url": request["url"], "params": {**request["params"], "page": page + 1}} if more else None,
            total=_int(response.headers.get("X-WP-Total")),
        )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _payment(payload: dict[str, Any]) -> dict[str, str]:
    """A Stripe or Mollie payment keeps its id, so a refund can go back to it; others are manual."""
    method = str(payload.get("payment_method") or "")
    reference = text(payload.get("transaction_id"), 200)
    if "stripe" in method and reference.startswith(("pi_", "ch_")):
        return {"provider": "stripe", "reference": reference}
    if "mollie" in method and reference.startswith("tr_"):
        return {"provider": "mollie", "reference": reference}
    return {"provider": "manual", "reference": reference or text(method, 200)}
