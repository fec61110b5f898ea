"""The backfill against local fakes of Shopify's and WooCommerce's order lists: every page,
429s waited out as Retry-After says, resumed after a failure from the stored cursor."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from retour.cli import ProgressBar, main
from retour.integrations.shops.models import ShopConnector, ShopOrder
from retour.integrations.shops.sync import MAX_TRIES, ShopSyncError, connector_sync
from retour.integrations.shops.tests.conftest import SHOPIFY_TOKEN, WOO_KEY, shopify_order, woo_order
from retour.orders.models import Order

pytestmark = pytest.mark.django_db


def _shopify_orders(n: int) -> list[dict]:
    return [
        shopify_order(
            id=1000 + i, name=f"#{2000 + i}", updated_at=f"2026-11-0{1 + i % 8}T10:00:0{i % 10}+00:00"
        )
        for i in range(n)
    ]


def test_shopify_pages_follow_the_link_cursor_until_the_last(shopify, fake_shopify):
    fake_shopify.orders = _shopify_orders(5)
    seen: list[tuple[int, int]] = []
    summary = connector_sync(connector=shopify, progress=lambda done, total: seen.append((done, total)))
    assert summary.pages == 3 and summary.counts == {"created": 5}
    assert sorted(Order.objects.values_list("number", flat=True)) == ["2000", "2001", "2002", "2003", "2004"]
    pages = fake_shopify.page_requests()
    assert len(pages) == 3 and all(r["headers"]["X-Shopify-Access-Token"] == SHOPIFY_TOKEN for r in pages)
    assert pages[0]["query"]["status"] == "any" and "page_info" in pages[1]["query"]
    assert seen == [(2, 5), (4, 5), (5, 5)]
    connector = ShopConnector.objects.get()
    assert connector.sync_state == {} and connector.last_synced_at is not None
    again = connector_sync(connector=connector)  # nothing changed in the shop: nothing changes here
    assert again.counts == {"unchanged": 5}


def test_since_asks_only_for_orders_changed_since(shopify, fake_shopify):
    fake_shopify.orders = _shopify_orders(6)
    connector_sync(connector=shopify, since=datetime(2026, 11, 4, tzinfo=UTC))
    assert fake_shopify.page_requests()[0]["query"]["updated_at_min"] == "2026-11-04T00:00:00+00:00"
    assert sorted(Order.objects.values_list("number", flat=True)) == ["2003", "2004", "2005"]


def test_a_429_is_waited_out_as_retry_after_says(shopify, fake_shopify):
    fake_shopify.orders = _shopify_orders(3)
    fake_shopify.script = [(429, {"Retry-After": "2.0"}), (429, {"Retry-After": "7"})]
    waits: list[float] = []
    summary = connector_sync(connector=shopify, sleep=waits.append)
    assert waits == [2.0, 7.0] and summary.counts == {"created": 3}


def test_a_failing_sync_keeps_its_cursor_and_the_next_run_resumes_there(shopify, fake_shopify):
    fake_shopify.orders = _shopify_orders(5)
    fake_shopify.fail_pages = {2}
    waits: list[float] = []
    with pytest.raises(ShopSyncError, match="HTTP 500"):
        connector_sync(connector=shopify, sleep=waits.append)
    assert len(waits) == MAX_TRIES - 1 and Order.objects.count() == 2
    connector = ShopConnector.objects.get()
    assert "page_info" in connector.sync_state["next"]["url"] and connector.sync_state["done"] == 2
    assert "sync: " in connector.last_error and connector.last_synced_at is None
    fake_shopify.fail_pages, fake_shopify.requests = set(), []
    summary = connector_sync(connector=connector)
    assert summary.resumed and summary.counts == {"created": 3}
    assert "page_info" in fake_shopify.page_requests()[0]["query"]  # page 1 was not asked again
    assert Order.objects.count() == 5 and ShopConnector.objects.get().sync_state == {}


def test_refused_credentials_stop_at_once_with_the_reason(shopify, fake_shopify):
    fake_shopify.token = "shpat_revoked"
    with pytest.raises(ShopSyncError, match="HTTP 401"):
        connector_sync(connector=shopify, sleep=lambda s: pytest.fail("no retry of a 401"))
    assert "401" in ShopConnector.objects.get().last_error


def test_woocommerce_pages_by_number_with_basic_auth(woocommerce, fake_woo):
    fake_woo.orders = [
        woo_order(id=700 + i, number=str(700 + i), date_modified_gmt=f"2026-11-0{1 + i}T08:00:00")
        for i in range(5)
    ]
    fake_woo.script = [(429, {"Retry-After": "1"})]
    waits: list[float] = []
    seen: list[tuple[int, int]] = []
    summary = connector_sync(
        connector=woocommerce,
        since=datetime(2026, 11, 2, tzinfo=UTC),
        sleep=waits.append,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert waits == [1.0] and summary.pages == 2 and summary.counts == {"created": 4}
    pages = [r for r in fake_woo.page_requests() if r["query"].get("page")]
    assert [r["query"]["page"] for r in pages] == ["1", "1", "2"]  # the 429 and its retry, then page 2
    assert pages[0]["query"]["modified_after"] == "2026-11-02T00:00:00+00:00"
    assert seen == [(2, 4), (4, 4)]
    assert ShopOrder.objects.filter(platform="woocommerce").count() == 4
    assert WOO_KEY not in str(ShopConnector.objects.get().sync_state)


def test_the_command_line_adds_a_shopify_connector_and_syncs_with_a_progress_bar(store, fake_shopify, capsys):
    code = main(
        [
            "connector",
            "add",
            "shopify",
            "--store",
            "shop",
            "--shop",
            "maison-test.myshopify.com",
            "--token",
            SHOPIFY_TOKEN,
            "--webhook-secret",
            "s3cret",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "/hooks/shopify/shop" in out and SHOPIFY_TOKEN not in out
    fake_shopify.orders = _shopify_orders(3)
    assert main(["connector", "sync", "--store", "shop", "--since", "2026-11-01"]) == 0
    captured = capsys.readouterr()
    assert "created 3" in captured.out and "3/3 orders" in captured.err
    assert Order.objects.count() == 3
    assert main(["connector", "sync", "--store", "nowhere"]) == 2
    with pytest.raises(SystemExit) as stopped:
        main(["connector", "sync", "--store", "shop", "--since", "yesterday"])
    assert stopped.value.code == 2


def test_the_progress_bar_counts_pages_as_they_come():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(2, 5)
    bar(5, 5)
    assert "2/5 orders" in stream.getvalue() and "5/5 orders" in stream.getvalue()
