"""The admin sets a connector up through connector_set and never shows a secret back."""

from __future__ import annotations

import pytest

from retour.integrations.shops.models import ShopConnector
from retour.integrations.shops.services import connector_credentials
from retour.integrations.shops.tests.conftest import SHOPIFY_SECRET, SHOPIFY_TOKEN

pytestmark = pytest.mark.django_db


def _login(client, store, role):
    from django.contrib.auth import get_user_model

    from retour.stores.models import StoreMembership

    user = get_user_model().objects.create_user(f"u-{role}", password="pw-123-abc", is_staff=True)
    StoreMembership.objects.create(store=store, user=user, role=role)
    client.force_login(user)


def test_a_store_admin_connects_shopify_and_the_secrets_stay_hidden(client, store):
    _login(client, store, "admin")
    url = "/admin/shops/shopconnector/add/"
    bad = client.post(url, {"store": store.pk, "platform": "shopify", "shop": "example.com", "active": "on"})
    assert bad.status_code == 200 and not ShopConnector.objects.exists()
    assert "myshopify.com" in bad.content.decode()
    ok = client.post(
        url,
        {
            "store": store.pk,
            "platform": "shopify",
            "shop": "maison-test.myshopify.com",
            "token": SHOPIFY_TOKEN,
            "webhook_secret": SHOPIFY_SECRET,
            "active": "on",
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    connector = ShopConnector.objects.get(store=store)
    assert connector.shop_url == "https://maison-test.myshopify.com"
    assert connector_credentials(connector).webhook_secret == SHOPIFY_SECRET
    page = client.get(f"/admin/shops/shopconnector/{connector.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200 and SHOPIFY_TOKEN not in text and SHOPIFY_SECRET not in text
    assert "shpat_…89ab" in text
    # Saved again with blank secrets: they are kept.
    again = client.post(
        f"/admin/shops/shopconnector/{connector.pk}/change/",
        {"shop": "maison-test.myshopify.com", "token": "", "webhook_secret": ""},
    )
    assert again.status_code == 302, again.content.decode()[:2000]
    connector.refresh_from_db()
    assert connector_credentials(connector).token == SHOPIFY_TOKEN and not connector.active


def test_an_agent_may_not_see_the_connectors(client, store):
    _login(client, store, "agent")
    assert client.get("/admin/shops/shopconnector/add/").status_code == 403
    assert client.get("/admin/shops/shopconnector/").status_code == 403
