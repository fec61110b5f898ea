"""Shop connectors set up through the real service, the shops' order JSON as their docs show it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from retour.integrations.shops.tests.fake_shops import FakeShopify, FakeWooCommerce, serve

SHOPIFY_TOKEN = "shpat_0123456789abcdef0123456789ab"
SHOPIFY_SECRET = "shopify-app-secret-4f2a"
WOO_KEY = "ck_4a7b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b"
WOO_SECRET = "cs_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
WOO_WEBHOOK_SECRET = "woo-webhook-secret-77"

# Shopify's documented orders/create payload, trimmed to what Retour reads.
SHOPIFY_ORDER: dict[str, Any] = {
    "id": 820982911946154508,
    "name": "#1042",
    "order_number": 1042,
    "email": "Alice.Martin@example.com",
    "phone": None,
    "created_at": "2026-11-02T10:15:00+01:00",
    "processed_at": "2026-11-02T10:15:00+01:00",
    "updated_at": "2026-11-02T10:15:03+01:00",
    "currency": "EUR",
    "customer_locale": "fr-FR",
    "financial_status": "paid",
    "fulfillment_status": None,
    "payment_gateway_names": ["shopify_payments"],
    "customer": {
        "id": 115310627314723954,
        "email": "alice.martin@example.com",
        "first_name": "Alice",
        "last_name": "Martin",
        "phone": "+33612345678",
    },
    "shipping_address": {
        "first_name": "Alice",
        "last_name": "Martin",
        "name": "Alice Martin",
        "address1": "1 rue de Rivoli",
        "address2": "",
        "city": "Paris",
        "zip": "75001",
        "province_code": None,
        "country_code": "FR",
    },
    "line_items": [
        {
            "id": 866550311766439020,
            "variant_id": 808950810,
            "sku": "TSHIRT-M",
            "title": "T-shirt",
            "name": "T-shirt - M",
            "quantity": 2,
            "price": "20.00",
            "total_discount": "0.00",
            "gift_card": False,
            "discount_allocations": [{"amount": "4.00"}],
        },
        {
            "id": 141249953214522974,
            "variant_id": 457924702,
            "sku": "",
            "title": "Casquette",
            "name": "Casquette",
            "quantity": 1,
            "price": "15.50",
            "total_discount": "0.00",
            "gift_card": False,
            "discount_allocations": [],
        },
    ],
    "shipping_lines": [
        {"id": 271878346596884015, "title": "Colissimo", "price": "4.90", "discounted_price": "4.90"}
    ],
    "fulfillments": [],
    "refunds": [],
}


def shopify_order(**changes: Any) -> dict[str, Any]:
    order = copy.deepcopy(SHOPIFY_ORDER)
    order.update(changes)
    return order


def shopify_fulfilled(
    *,
    shipment_status: str | None = None,
    updated_at: str = "2026-11-04T09:00:00+01:00",
    order_updated_at: str = "2026-11-04T09:00:01+01:00",
) -> dict[str, Any]:
    """The order once its T-shirts (not the cap) were shipped, and maybe delivered."""
    return shopify_order(
        updated_at=order_updated_at,
        fulfillment_status="partial",
        fulfillments=[
            {
                "id": 255858046,
                "status": "success",
                "created_at": "2026-11-03T14:00:00+01:00",
                "updated_at": updated_at,
                "shipment_status": shipment_status,
                "line_items": [{"id": 866550311766439020, "quantity": 2}],
            }
        ],
    )


WOO_ORDER: dict[str, Any] = {
    "id": 727,
    "number": "727",
    "status": "processing",
    "currency": "EUR",
    "date_created_gmt": "2026-11-01T08:00:00",
    "date_modified_gmt": "2026-11-01T08:05:00",
    "date_completed_gmt": None,
    "payment_method": "stripe",
    "transaction_id": "pi_3OabcDEFghiJKL",
    "billing": {
        "first_name": "Jean",
        "last_name": "Dupont",
        "company": "",
        "address_1": "5 rue Victor Hugo",
        "address_2": "",
        "city": "Lyon",
        "state": "",
        "postcode": "69002",
        "country": "FR",
        "email": "jean.dupont@example.com",
        "phone": "+33611111111",
    },
    "shipping": {
        "first_name": "Jean",
        "last_name": "Dupont",
        "company": "",
        "address_1": "5 rue Victor Hugo",
        "address_2": "",
        "city": "Lyon",
        "state": "",
        "postcode": "69002",
        "country": "FR",
    },
    "line_items": [
        {
            "id": 315,
            "name": "Pull laine",
            "product_id": 93,
            "variation_id": 0,
            "quantity": 3,
            "subtotal": "100.00",
            "total": "90.00",
            "sku": "PULL-L",
            "price": 33.333333,
        },
    ],
    "shipping_lines": [{"id": 316, "method_title": "Flat rate", "total": "6.00"}],
    "refunds": [],
}


def woo_order(**changes: Any) -> dict[str, Any]:
    order = copy.deepcopy(WOO_ORDER)
    order.update(changes)
    return order


@pytest.fixture(autouse=True)
def shops_on_this_machine(settings):
    """The fake shops listen on 127.0.0.1, which a real deployment refuses (test_outbound.py)."""
    settings.SHOPS_ALLOW_PRIVATE = True


@pytest.fixture
def shopify(store):
    from retour.integrations.shops.services import connector_set

    return connector_set(
        store=store,
        platform="shopify",
        shop="maison-test.myshopify.com",
        token=SHOPIFY_TOKEN,
        webhook_secret=SHOPIFY_SECRET,
    )


@pytest.fixture
def fake_shopify(settings):
    fake = FakeShopify(SHOPIFY_TOKEN)
    with serve(fake):
        settings.SHOPIFY_API_BASE = fake.url
        yield fake


@pytest.fixture
def fake_woo():
    fake = FakeWooCommerce(WOO_KEY, WOO_SECRET)
    with serve(fake):
        yield fake


@pytest.fixture
def woocommerce(store, fake_woo):
    from retour.integrations.shops.services import connector_set

    return connector_set(
        store=store,
        platform="woocommerce",
        shop=fake_woo.url,
        token=WOO_SECRET,
        consumer_key=WOO_KEY,
        webhook_secret=WOO_WEBHOOK_SECRET,
    )
