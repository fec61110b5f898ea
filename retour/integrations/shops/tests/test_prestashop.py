"""PrestaShop: polled through its Webservice with the date_upd filter, against a local fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from retour.integrations.shops.adapters import prestashop
from retour.integrations.shops.models import ShopConnector, ShopOrder
from retour.integrations.shops.sync import connector_sync
from retour.integrations.shops.tests.fake_shops import FakePrestaShop, serve
from retour.orders.models import Order

pytestmark = pytest.mark.django_db

PS_KEY = "ZQ88PRJX5VWQHCWE4EE7SQ7HPNX00RAJ"


def ps_order(n: int, *, date_upd: str, delivery_date: str = "0000-00-00 00:00:00") -> dict:
    return {
        "id": n,
        "reference": f"XKBKN{n:04d}",
        "id_customer": 2,
        "id_address_delivery": 5,
        "id_currency": 1,
        "id_lang": 1,
        "current_state": 5 if delivery_date[:4] != "0000" else 2,
        "payment": "Chèque",
        "date_add": "2026-11-01 10:00:00",
        "date_upd": date_upd,
        "delivery_date": delivery_date,
        "total_shipping_tax_incl": "7.000000",
        "associations": {
            "order_rows": [
                {
                    "id": 10 * n,
                    "product_id": 1,
                    "product_quantity": "2",
                    "product_name": "Robe d'été",
                    "product_reference": "ROBE-36",
                    "unit_price_tax_incl": "28.680000",
                }
            ]
        },
    }


@pytest.fixture
def fake_ps():
    fake = FakePrestaShop(PS_KEY)
    fake.resources = {
        "/api/customers/2": {
            "customer": {"id": 2, "email": "claire@example.fr", "firstname": "Claire", "lastname": "Petit"}
        },
        "/api/addresses/5": {
            "address": {
                "id": 5,
                "firstname": "Claire",
                "lastname": "Petit",
                "address1": "3 place Bellecour",
                "address2": "",
                "postcode": "69002",
                "city": "Lyon",
                "id_country": 8,
                "phone_mobile": "+33622222222",
            }
        },
        "/api/countries/8": {"country": {"id": 8, "iso_code": "FR"}},
        "/api/currencies/1": {"currency": {"id": 1, "iso_code": "EUR"}},
        "/api/languages/1": {"language": {"id": 1, "iso_code": "fr"}},
    }
    with serve(fake):
        yield fake


@pytest.fixture
def connector(store, fake_ps):
    from retour.integrations.shops.services import connector_set

    return connector_set(store=store, platform="prestashop", shop=fake_ps.url, token=PS_KEY)


def test_orders_are_read_with_their_customer_address_and_currency(connector, fake_ps, monkeypatch):
    monkeypatch.setattr(prestashop, "PAGE_SIZE", 2)
    fake_ps.orders = [
        ps_order(1, date_upd="2026-11-01 10:00:00"),
        ps_order(2, date_upd="2026-11-02 10:00:00", delivery_date="2026-11-03 16:30:00"),
        ps_order(3, date_upd="2026-11-03 10:00:00"),
    ]
    summary = connector_sync(connector=connector)
    assert summary.counts == {"created": 3} and summary.pages == 2
    order = Order.objects.get(number="XKBKN0002")
    assert order.external_id == "2" and order.currency == "EUR"
    assert order.customer.email == "claire@example.fr" and order.customer.language == "fr"
    assert (
        order.ship_country == "FR" and order.ship_city == "Lyon" and order.shipping_amount == Decimal("7.00")
    )
    # PrestaShop's times are the shop's local time: the store is in Europe/Paris (UTC+1 in November).
    assert order.placed_at == datetime(2026, 11, 1, 9, tzinfo=UTC)
    assert order.delivered_at == datetime(2026, 11, 3, 15, 30, tzinfo=UTC)
    line = order.lines.get()
    assert (line.sku, line.quantity, line.unit_price, line.delivered_quantity) == (
        "ROBE-36",
        2,
        Decimal("28.68"),
        2,
    )
    assert Order.objects.get(number="XKBKN0001").lines.get().delivered_quantity == 0
    limits = [r["query"]["limit"] for r in fake_ps.page_requests()]
    assert limits == ["0,2", "2,2"]
    assert all(r["headers"]["Authorization"].startswith("Basic ") for r in fake_ps.requests)
    # Each referenced resource is read once per sync, not once per order.
    assert sum(r["path"] == "/api/customers/2" for r in fake_ps.requests) == 1


def test_the_poll_asks_only_for_orders_changed_since_the_last_sync(connector, fake_ps):
    from retour.integrations.shops.services import shop_connectors_poll

    fake_ps.orders = [ps_order(1, date_upd="2026-11-01 10:00:00")]
    # A new connector is polled from its creation on (older orders: `retour connector sync`).
    assert shop_connectors_poll() == 1
    assert Order.objects.count() == 0
    connector_sync(connector=connector)
    assert Order.objects.count() == 1
    now = datetime(2026, 11, 5, 12, tzinfo=UTC)
    fake_ps.requests = []
    fake_ps.orders.append(ps_order(2, date_upd="2099-01-01 00:00:00"))  # changed after the last sync
    ShopConnector.objects.filter(pk=connector.pk).update(last_synced_at=now)
    assert shop_connectors_poll(now=now + timedelta(minutes=1)) == 0  # polled a minute ago: not due
    assert shop_connectors_poll(now=now + timedelta(minutes=30)) == 1
    query = fake_ps.page_requests()[0]["query"]
    assert query["date"] == "1" and query["filter[date_upd]"].startswith("[2026-11-05 12:")
    assert Order.objects.count() == 2 and ShopOrder.objects.get(platform_id="2").order is not None


def test_a_prestashop_connector_needs_its_webservice_key_and_no_webhook_secret(api, store):
    response = api.put("/api/v1/connectors/prestashop", {"shop": "https://boutique.example.fr"})
    assert response.status_code == 422
    assert {(e["loc"][0], e["code"]) for e in response.json()["errors"]} == {("token", "missing")}
    ok = api.put("/api/v1/connectors/prestashop", {"shop": "https://boutique.example.fr", "token": PS_KEY})
    assert ok.status_code == 200 and PS_KEY not in ok.content.decode()
    assert ok.json()["webhook_url"] is None
