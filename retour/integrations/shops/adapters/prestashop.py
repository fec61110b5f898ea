"""PrestaShop: the Webservice (``/api/orders``), polled with the ``date_upd`` filter.

PrestaShop sends no order webhooks; the worker polls each active connector (``shop_connectors_poll``)
for the orders changed since its last sync, with some overlap (applying an order twice changes
nothing). The webservice key is the HTTP basic user. An order refers to its customer, delivery
address, country and currency by id: they are read once per sync (``enrich``). PrestaShop's times
are in the shop's time zone without an offset: they are read in the store's time zone. An order
is delivered on its ``delivery_date`` (set when it reaches a "shipped" state). The order is filed
under its ``reference``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from retour.integrations.shops.adapters.base import (
    Page,
    PlatformOrder,
    PlatformRefund,
    ShopPayloadError,
    line_price,
    money,
    required,
    text,
)

PAGE_SIZE = 50
ORDERS_PATH = "/api/orders"
_ZERO_DATE = "0000-00-00 00:00:00"


class PrestaShopAdapter:
    platform = "prestashop"
    signature_header = ""  # no webhooks: polled

    def topic(self, headers: Mapping[str, str]) -> str:
        return "ignore"

    def order_from(self, payload: dict[str, Any]) -> PlatformOrder:
        platform_id = str(required(payload, "id"))
        tz = zoneinfo.ZoneInfo(payload.get("_time_zone") or "UTC")
        currency = text(payload.get("_currency"), 3)
        customer = payload.get("_customer") or {}
        address = payload.get("_address") or {}
        delivery = _local(payload.get("delivery_date"), tz)
        lines = []
        rows = (payload.get("associations") or {}).get("order_rows") or []
        for row in rows:
            quantity = int(row.get("product_quantity") or 0)
            if quantity < 1:
                continue
            price = money(row.get("unit_price_tax_incl") or row.get("product_price"))
            unit, discount = line_price(
                subtotal=price * quantity, total=price * quantity, quantity=quantity, currency=currency
            )
            ref = str(required(row, "id"))
            lines.append(
                {
                    "ref": ref,
                    "sku": text(row.get("product_reference"), 100)
                    or f"product-{row.get('product_id') or ref}",
                    "title": text(row.get("product_name"), 300),
                    "quantity": quantity,
                    "unit_price": str(unit),
                    "discount": str(discount),
                    "delivered_quantity": quantity if delivery else 0,
                }
            )
        name = " ".join(filter(None, [customer.get("firstname"), customer.get("lastname")]))
        ship_name = " ".join(filter(None, [address.get("firstname"), address.get("lastname")]))
        shipping = money(payload.get("total_shipping_tax_incl") or payload.get("total_shipping"))
        data = {
            "number": text(payload.get("reference") or platform_id, 64),
            "external_id": platform_id,
            "placed_at": _local(required(payload, "date_add"), tz),
            "currency": currency,
            "customer": {
                "email": text(customer.get("email"), 254),
                "name": text(name, 200),
                "phone": text(address.get("phone_mobile") or address.get("phone"), 32),
                "language": text(payload.get("_language"), 8) or None,
            },
            "shipping_address": {
                "name": text(ship_name, 200),
                "line1": text(address.get("address1"), 200),
                "line2": text(address.get("address2"), 200),
                "city": text(address.get("city"), 100),
                "postal_code": text(address.get("postcode"), 20),
                "country": text(address.get("_country"), 2) or None,
            }
            if address
            else None,
            "shipping": {"amount": str(shipping), "standard_amount": str(shipping)},
            "payment": {"provider": "manual", "reference": text(payload.get("payment"), 200)},
            "delivered_at": delivery,
            "lines": lines,
        }
        return PlatformOrder(
            platform_id=platform_id, updated_at=_local(payload.get("date_upd"), tz), data=data
        )

    def refund_from(self, payload: dict[str, Any]) -> PlatformRefund:
        raise ShopPayloadError("PrestaShop refunds are not read")

    # --- the Webservice ------------------------------------------------------------------------

    def client_options(self, *, shop_url: str, token: str, consumer_key: str) -> dict[str, Any]:
        return {
            "base_url": shop_url.rstrip("/"),
            "auth": httpx.BasicAuth(token, ""),
            "headers": {"Output-Format": "JSON"},
        }

    def first_page(self, *, since: datetime | None, time_zone: str = "UTC") -> dict[str, Any]:
        params: dict[str, Any] = {
            "output_format": "JSON",
            "display": "full",
            "sort": "[date_upd_ASC,id_ASC]",
            "limit": f"0,{PAGE_SIZE}",
        }
        if since is not None:
            local = since.astimezone(zoneinfo.ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")
            params["filter[date_upd]"] = f"[{local},9999-12-31 23:59:59]"
            params["date"] = 1  # PrestaShop filters on dates only with date=1
        return {"url": ORDERS_PATH, "params": params}

    def count_request(self, *, since: datetime | None) -> dict[str, Any] | None:
        return None

    def parse_count(self, response: httpx.Response) -> int | None:
        return None

    def parse_page(self, response: httpx.Response, request: dict[str, Any]) -> Page:
        body = response.json()
        orders = [] if body == [] else body.get("orders") if isinstance(body, dict) else None
        if not isinstance(orders, list):
            raise ShopPayloadError("no orders list in the answer")
        offset, size = (int(n) for n in str(request["params"]["limit"]).split(","))
        more = len(orders) >= size
        following = {**request["params"], "limit": f"{offset + size},{size}"}
        return Page(orders=orders, next={"url": request["url"], "params": following} if more else None)

    def enrich(
        self, orders: list[dict[str, Any]], get: Callable[[str], dict[str, Any]], *, time_zone: str
    ) -> list[dict[str, Any]]:
        """Each order with its customer, delivery address (and country), currency and language,
        read through ``get(path)`` (which the sync caches for the whole run)."""
        enriched = []
        for order in orders:
            customer = get(f"/api/customers/{order.get('id_customer')}").get("customer") or {}
            address = get(f"/api/addresses/{order.get('id_address_delivery')}").get("address") or {}
            if address.get("id_country"):
                country = get(f"/api/countries/{address['id_country']}").get("country") or {}
                address = {**address, "_country": country.get("iso_code")}
            currency = get(f"/api/currencies/{order.get('id_currency')}").get("currency") or {}
            language = (
                get(f"/api/languages/{order['id_lang']}").get("language") if order.get("id_lang") else None
            )
            enriched.append(
                {
                    **order,
                    "_customer": customer,
                    "_address": address,
                    "_currency": currency.get("iso_code"),
                    "_language": (language or {}).get("iso_code"),
                    "_time_zone": time_zone,
                }
            )
        return enriched


def _local(value: Any, tz: zoneinfo.ZoneInfo) -> datetime | None:
    """PrestaShop's ``Y-m-d H:i:s`` in the shop's time zone; its zero date is no date."""
    if not value or str(value).startswith(_ZERO_DATE[:10]):
        return None
    try:
        return datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        raise ShopPayloadError(f"not a date: {value!r}") from None
