"""/api/v1/connectors: admin only, per store, secrets stored encrypted and never shown back."""

from __future__ import annotations

import json

import pytest

from retour.integrations.shops.models import ShopConnector
from retour.integrations.shops.services import connector_credentials
from retour.integrations.shops.tests.conftest import SHOPIFY_SECRET, SHOPIFY_TOKEN, WOO_KEY, WOO_SECRET

pytestmark = pytest.mark.django_db

SHOPIFY = {"shop": "maison-test.myshopify.com", "token": SHOPIFY_TOKEN, "webhook_secret": SHOPIFY_SECRET}


def test_an_admin_sets_up_shopify_and_the_secrets_never_come_back(api, store):
    response = api.put("/api/v1/connectors/shopify", SHOPIFY)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["platform"] == "shopify" and body["shop"] == "https://maison-test.myshopify.com"
    assert body["token_set"] and body["webhook_secret_set"] and body["active"]
    assert body["token_hint"] == "shpat_…89ab"
    assert body["webhook_url"].endswith("/hooks/shopify/shop")
    for answer in (response, api.get("/api/v1/connectors/shopify"), api.get("/api/v1/connectors")):
        text = answer.content.decode()
        assert SHOPIFY_TOKEN not in text and SHOPIFY_SECRET not in text
    stored = ShopConnector.objects.get()
    assert SHOPIFY_TOKEN not in stored.token_encrypted and stored.token_encrypted
    assert SHOPIFY_SECRET not in stored.webhook_secret_encrypted
    assert connector_credentials(stored).token == SHOPIFY_TOKEN
    # A later PUT without secrets keeps them; a new one replaces it.
    again = api.put("/api/v1/connectors/shopify", {"active": False, "webhook_secret": "rotated"})
    assert again.status_code == 200 and again.json()["active"] is False
    stored.refresh_from_db()
    assert connector_credentials(stored).token == SHOPIFY_TOKEN
    assert connector_credentials(stored).webhook_secret == "rotated"
    listed = api.get("/api/v1/connectors").json()
    assert [c["platform"] for c in listed["items"]] == ["shopify"] and listed["next_cursor"] is None


def test_woocommerce_needs_its_consumer_key_and_an_https_site(api, store):
    refused = api.put(
        "/api/v1/connectors/woocommerce",
        {"shop": "http://shop.example.com", "token": WOO_SECRET, "webhook_secret": "s"},
    )
    assert refused.status_code == 422
    codes = {(e["loc"][0], e["code"]) for e in refused.json()["errors"]}
    assert codes == {("shop", "invalid_url"), ("consumer_key", "missing")}
    ok = api.put(
        "/api/v1/connectors/woocommerce",
        {
            "shop": "https://shop.example.com",
            "token": WOO_SECRET,
            "consumer_key": WOO_KEY,
            "webhook_secret": "s",
        },
    )
    assert ok.status_code == 200 and ok.json()["consumer_key_set"] and WOO_KEY not in ok.content.decode()


def test_the_first_put_needs_every_secret_and_a_shopify_domain(api, store):
    response = api.put("/api/v1/connectors/shopify", {"shop": "https://evil.example.com"})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    codes = {(e["loc"][0], e["code"]) for e in response.json()["errors"]}
    assert codes == {("shop", "invalid_value"), ("token", "missing"), ("webhook_secret", "missing")}
    assert not ShopConnector.objects.exists()
    unknown = api.put("/api/v1/connectors/magento", SHOPIFY)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    extra = api.put("/api/v1/connectors/shopify", {**SHOPIFY, "password": "x"})
    assert extra.status_code == 422


def test_only_admins_of_the_store_see_or_change_connectors(api, api_as, api_key_agent, other_api_key, store):
    api.put("/api/v1/connectors/shopify", SHOPIFY)
    agent = api_as(api_key_agent)
    assert agent.get("/api/v1/connectors").status_code == 403
    assert agent.put("/api/v1/connectors/shopify", SHOPIFY).status_code == 403
    assert api_as(None).get("/api/v1/connectors/shopify").status_code == 401
    other = api_as(other_api_key)
    assert other.get("/api/v1/connectors/shopify").status_code == 404
    assert other.get("/api/v1/connectors").json()["items"] == []
    assert (
        other.client.delete(
            "/api/v1/connectors/shopify", HTTP_AUTHORIZATION=f"Bearer {other_api_key}"
        ).status_code
        == 404
    )
    assert ShopConnector.objects.filter(store=store).exists()


def test_delete_removes_the_connector(api, api_key_admin, store):
    api.put("/api/v1/connectors/shopify", SHOPIFY)
    deleted = api.client.delete("/api/v1/connectors/shopify", HTTP_AUTHORIZATION=f"Bearer {api_key_admin}")
    assert deleted.status_code == 204
    assert api.get("/api/v1/connectors/shopify").status_code == 404


def test_the_openapi_document_describes_the_connectors(api):
    schema = json.loads(api.client.get("/api/v1/openapi.json").content)
    put = schema["paths"]["/api/v1/connectors/{platform}"]["put"]
    assert "never shown back" in put["summary"]
    assert {"401", "403", "404", "422"} <= set(put["responses"])
    out = schema["components"]["schemas"]["ConnectorOut"]["properties"]
    assert "token_set" in out and "token" not in out and "webhook_secret" not in out
