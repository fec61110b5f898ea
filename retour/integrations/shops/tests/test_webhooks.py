"""Orders from the shops' webhooks: signed or refused, mapped through the order service, applied
once per version whatever the order in which the shop delivers them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from retour.integrations.shops.adapters.base import signature_valid
from retour.integrations.shops.models import ShopConnector, ShopOrder, ShopRefund
from retour.integrations.shops.tests.conftest import (
    SHOPIFY_SECRET,
    WOO_WEBHOOK_SECRET,
    shopify_fulfilled,
    shopify_order,
    woo_order,
)
from retour.integrations.shops.tests.fake_shops import sign
from retour.orders.models import Order

pytestmark = pytest.mark.django_db


def _shopify(client, payload, *, topic="orders/create", secret=SHOPIFY_SECRET, store="shop", signature=None):
    body = json.dumps(payload).encode()
    headers = {"HTTP_X_SHOPIFY_TOPIC": topic, "HTTP_X_SHOPIFY_SHOP_DOMAIN": "maison-test.myshopify.com"}
    if signature is not False:
        headers["HTTP_X_SHOPIFY_HMAC_SHA256"] = sign(body, secret) if signature is None else signature
    return client.post(f"/hooks/shopify/{store}", body, content_type="application/json", **headers)


def _woo(client, payload, *, topic="order.updated", secret=WOO_WEBHOOK_SECRET):
    body = json.dumps(payload).encode()
    return client.post(
        "/hooks/woocommerce/shop",
        body,
        content_type="application/json",
        HTTP_X_WC_WEBHOOK_TOPIC=topic,
        HTTP_X_WC_WEBHOOK_SIGNATURE=sign(body, secret),
    )


def test_the_signature_is_the_base64_hmac_sha256_of_the_raw_body():
    # Vector computed with openssl: printf '%s' '{"id":1}' | openssl dgst -sha256 -hmac secret -binary | base64
    assert signature_valid(b'{"id":1}', "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=", "secret")
    assert not signature_valid(b'{"id":2}', "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=", "secret")
    assert not signature_valid(b'{"id":1}', "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=", "other")
    assert not signature_valid(b'{"id":1}', "", "secret") and not signature_valid(b"{}", "x", "")


def test_orders_create_files_the_order_under_its_name_without_the_hash(client, shopify):
    response = _shopify(client, shopify_order())
    assert response.status_code == 200 and response.json() == {"status": "created"}
    order = Order.objects.get(store=shopify.store)
    assert order.number == "1042" and order.external_id == "820982911946154508"
    assert order.currency == "EUR" and order.placed_at == datetime(2026, 11, 2, 9, 15, tzinfo=UTC)
    assert order.customer.email == "alice.martin@example.com" and order.customer.name == "Alice Martin"
    assert order.customer.language == "fr" and order.ship_city == "Paris" and order.ship_country == "FR"
    assert order.shipping_amount == Decimal("4.90")
    assert (order.payment_provider, order.payment_reference) == ("manual", "shopify_payments")
    tshirt, cap = order.lines.order_by("position")
    assert (tshirt.ref, tshirt.sku, tshirt.quantity) == ("866550311766439020", "TSHIRT-M", 2)
    assert (tshirt.unit_price, tshirt.discount) == (Decimal("20.00"), Decimal("4.00"))
    assert cap.sku == "variant-457924702" and cap.unit_price == Decimal("15.50")
    assert tshirt.delivered_quantity == 0 and tshirt.delivered_at is None  # not shipped yet
    link = ShopOrder.objects.get()
    assert link.order == order and link.platform_updated_at == datetime(2026, 11, 2, 9, 15, 3, tzinfo=UTC)
    assert ShopConnector.objects.get().last_webhook_at is not None


@pytest.mark.parametrize(
    "signature",
    [False, "", "bm90IHRoZSBzaWduYXR1cmU=", sign(json.dumps(shopify_order()).encode(), "another-secret")],
    ids=["missing", "empty", "wrong", "other-secret"],
)
def test_an_unsigned_or_badly_signed_call_is_refused_and_nothing_is_stored(client, shopify, signature):
    response = _shopify(client, shopify_order(), signature=signature)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_signature"
    assert not Order.objects.exists() and not ShopOrder.objects.exists()
    assert ShopConnector.objects.get().last_webhook_at is None


def test_a_body_changed_after_signing_is_refused(client, shopify):
    signed = sign(json.dumps(shopify_order()).encode(), SHOPIFY_SECRET)
    response = _shopify(client, shopify_order(email="mallory@example.com"), signature=signed)
    assert response.status_code == 401 and not Order.objects.exists()


def test_another_stores_secret_does_not_open_this_store(client, shopify, other_store):
    from retour.integrations.shops.services import connector_set

    connector_set(
        store=other_store,
        platform="shopify",
        shop="other.myshopify.com",
        token="shpat_x",
        webhook_secret="other-secret",
    )
    assert _shopify(client, shopify_order(), secret="other-secret").status_code == 401
    assert _shopify(client, shopify_order(), store="nowhere").status_code == 404
    assert not Order.objects.exists()


def test_a_store_without_an_active_connector_answers_404(client, store):
    response = _shopify(client, shopify_order())
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_replayed_delivery_changes_nothing(client, shopify):
    assert _shopify(client, shopify_order()).json()["status"] == "created"
    before = Order.objects.get().updated_at
    # Same version, whatever it says now: the shop's updated_at did not move, so it is a replay.
    replay = _shopify(client, shopify_order(email="someone.else@example.com"))
    assert replay.status_code == 200 and replay.json()["status"] == "unchanged"
    order = Order.objects.get()
    assert order.updated_at == before and order.customer.email == "alice.martin@example.com"


def test_an_older_delivery_arriving_late_does_not_undo_a_newer_one(client, shopify):
    assert _shopify(
        client, shopify_fulfilled(shipment_status="delivered"), topic="orders/fulfilled"
    ).json() == {"status": "created"}
    late = _shopify(client, shopify_order(), topic="orders/create")  # older updated_at
    assert late.json()["status"] == "unchanged"
    tshirt = Order.objects.get().lines.get(sku="TSHIRT-M")
    assert tshirt.delivered_quantity == 2


def test_fulfilment_delivers_the_lines_it_carries_and_delivery_moves_the_date(client, shopify):
    _shopify(client, shopify_order())
    assert _shopify(client, shopify_fulfilled(), topic="orders/fulfilled").json()["status"] == "updated"
    order = Order.objects.get()
    tshirt, cap = order.lines.order_by("position")
    assert tshirt.delivered_quantity == 2 and tshirt.delivered_at == datetime(2026, 11, 3, 13, tzinfo=UTC)
    assert cap.delivered_quantity == 0 and cap.delivered_at is None
    delivered = shopify_fulfilled(
        shipment_status="delivered",
        updated_at="2026-11-05T11:30:00+01:00",
        order_updated_at="2026-11-05T11:30:02+01:00",
    )
    assert _shopify(client, delivered, topic="orders/updated").json()["status"] == "updated"
    tshirt.refresh_from_db()
    assert tshirt.delivered_at == datetime(2026, 11, 5, 10, 30, tzinfo=UTC)
    assert Order.objects.count() == 1 and ShopOrder.objects.count() == 1


def test_a_delivered_shopify_order_can_be_returned_through_the_api(client, shopify, api):
    from django.utils import timezone

    now = timezone.now()
    delivered = shopify_fulfilled(
        shipment_status="delivered",
        updated_at=now.isoformat(),
        order_updated_at=now.isoformat(),
    )
    _shopify(client, {**delivered, "created_at": now.isoformat(), "processed_at": now.isoformat()})
    returnability = api.get("/api/v1/orders/1042/returnability").json()
    by_sku = {line["sku"]: line for line in returnability["lines"]}
    assert by_sku["TSHIRT-M"]["returnable_quantity"] == 2 and by_sku["TSHIRT-M"]["eligible"]
    assert not by_sku["variant-457924702"]["eligible"]  # the cap was never shipped


def test_refunds_create_is_recorded_once_and_linked_to_the_order(client, shopify):
    _shopify(client, shopify_order())
    refund = {
        "id": 509562969,
        "order_id": 820982911946154508,
        "created_at": "2026-11-10T10:00:00+01:00",
        "note": "Taille trop petite",
        "restock": True,
        "refund_line_items": [{"line_item_id": 866550311766439020, "quantity": 1, "restock_type": "return"}],
        "transactions": [
            {"id": 1, "kind": "refund", "status": "success", "amount": "18.00", "currency": "EUR"}
        ],
    }
    assert _shopify(client, refund, topic="refunds/create").json()["status"] == "recorded"
    assert _shopify(client, refund, topic="refunds/create").json()["status"] == "duplicate"
    row = ShopRefund.objects.get()
    assert row.order == Order.objects.get() and row.amount == Decimal("18.00") and row.currency == "EUR"
    assert row.lines == [{"ref": "866550311766439020", "quantity": 1, "restock": True}]
    assert row.note == "Taille trop petite"


def test_a_refund_before_its_order_is_linked_when_the_order_comes(client, shopify):
    refund = {
        "id": 77,
        "order_id": 820982911946154508,
        "created_at": "2026-11-10T10:00:00+01:00",
        "transactions": [{"kind": "refund", "status": "success", "amount": "5.00", "currency": "EUR"}],
    }
    _shopify(client, refund, topic="refunds/create")
    assert ShopRefund.objects.get().order is None
    _shopify(client, shopify_order())
    assert ShopRefund.objects.get().order == Order.objects.get()


def test_other_topics_are_acknowledged_and_ignored(client, shopify):
    response = _shopify(client, {"id": 1}, topic="products/update")
    assert response.json() == {"status": "ignored"} and not ShopOrder.objects.exists()


def test_an_unusable_order_is_acknowledged_and_its_reason_shown_to_the_admin(client, shopify):
    response = _shopify(client, shopify_order(email=None, customer=None, contact_email=None))
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert not Order.objects.exists()
    assert "customer.email" in ShopOrder.objects.get().last_error
    assert "820982911946154508" in ShopConnector.objects.get().last_error


def test_woocommerce_orders_are_verified_and_mapped(client, woocommerce):
    assert _woo(client, woo_order(), topic="order.created").json()["status"] == "created"
    order = Order.objects.get()
    assert order.number == "727" and order.customer.email == "jean.dupont@example.com"
    assert order.placed_at == datetime(2026, 11, 1, 8, tzinfo=UTC)  # *_gmt is UTC
    assert (order.payment_provider, order.payment_reference) == ("stripe", "pi_3OabcDEFghiJKL")
    line = order.lines.get()
    assert (line.sku, line.quantity, line.unit_price, line.discount) == (
        "PULL-L",
        3,
        Decimal("33.33"),
        Decimal("9.99"),
    )
    assert line.delivered_quantity == 0
    completed = woo_order(
        status="completed",
        date_modified_gmt="2026-11-04T10:00:00",
        date_completed_gmt="2026-11-04T09:59:00",
        refunds=[{"id": 730, "reason": "Trop grand", "total": "-30.00"}],
    )
    assert _woo(client, completed).json()["status"] == "updated"
    assert _woo(client, completed).json()["status"] == "unchanged"
    line.refresh_from_db()
    assert line.delivered_quantity == 3
    assert Order.objects.get().delivered_at == datetime(2026, 11, 4, 9, 59, tzinfo=UTC)
    refund = ShopRefund.objects.get()
    assert (refund.platform_id, refund.amount, refund.note) == ("730", Decimal("30.00"), "Trop grand")


def test_woocommerce_refuses_a_bad_signature_but_answers_its_unsigned_ping(client, woocommerce):
    bad = _woo(client, woo_order(), secret="not-the-secret")
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_signature"
    ping = client.post(
        "/hooks/woocommerce/shop", b"webhook_id=12", content_type="application/x-www-form-urlencoded"
    )
    assert ping.status_code == 200 and ping.json() == {"status": "ping"}
    unsigned = client.post(
        "/hooks/woocommerce/shop",
        json.dumps(woo_order()),
        content_type="application/json",
        HTTP_X_WC_WEBHOOK_TOPIC="order.created",
    )
    assert unsigned.status_code == 401
    assert not Order.objects.exists() and not ShopOrder.objects.exists()


def test_an_update_that_would_drop_a_line_in_a_return_is_rejected_not_applied(client, shopify, api):
    from django.utils import timezone

    now = timezone.now().isoformat()
    _shopify(client, shopify_fulfilled(shipment_status="delivered", updated_at=now, order_updated_at=now))
    line_id = Order.objects.get().lines.get(sku="TSHIRT-M").pk
    created = api.post(
        "/api/v1/returns",
        {"order_number": "1042", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small"}]},
    )
    assert created.status_code == 201, created.content
    edited = shopify_order(updated_at="2099-01-01T00:00:00+00:00")
    edited["line_items"] = edited["line_items"][1:]  # the T-shirt line removed in the shop
    assert _shopify(client, edited, topic="orders/updated").json()["status"] == "rejected"
    assert Order.objects.get().lines.filter(pk=line_id).exists()
    assert (
        "line_in_return" in ShopOrder.objects.get().last_error
        or "return" in ShopOrder.objects.get().last_error
    )
