"""Signed deep links /portal/<store>/start?order=…&exp=…&sig=…: a good one opens the portal on
the order; a bad, missing, expired or other store's one grants nothing and falls back to the
look-up form with the reason in the shopper's language."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.test import Client

from retour.integrations.storefront.links import portal_link_secret_rotate, portal_link_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(store):
    return portal_link_secret_rotate(store=store)


def _link(store_slug, order, exp, sig, lang="en"):
    return f"/{lang}/portal/{store_slug}/start?" + urlencode({"order": order, "exp": exp, "sig": sig})


def _sig(secret, order="1001", exp=None, slug="shop"):
    exp = exp or int(time.time()) + 3600
    return exp, portal_link_signature(secret=secret, store_slug=slug, order_number=order, expires=exp)


def _granted(client) -> bool:
    return client.get("/en/portal/shop/order/").status_code == 200


def test_a_good_link_opens_the_order_without_the_email(store, make_order, secret):
    make_order("1001")
    exp, sig = _sig(secret)
    client = Client()
    response = client.get(_link("shop", "1001", exp, sig))
    assert response.status_code == 302 and response["Location"].endswith("/portal/shop/order/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "T-shirt M" in page.content.decode()


def test_the_unprefixed_link_the_shop_prints_keeps_its_query(store, make_order, secret):
    make_order("1001")
    exp, sig = _sig(secret)
    client = Client()
    first = client.get(f"/portal/shop/start?order=1001&exp={exp}&sig={sig}", HTTP_ACCEPT_LANGUAGE="fr")
    assert first.status_code == 302 and first["Location"].startswith("/fr/portal/shop/start?order=1001")
    assert client.get(first["Location"]).status_code == 302
    assert _granted(client)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("bad", "This link is not valid"),
        ("missing", "This link is incomplete"),
        ("expired", "This link has expired"),
        ("other_order", "This link is not valid"),
        ("other_store", "This link is not valid"),
    ],
)
def test_a_refused_link_grants_nothing_and_says_why(store, other_store, make_order, secret, case, message):
    make_order("1001")
    make_order("1002")
    exp, sig = _sig(secret)
    link = {
        "bad": _link("shop", "1001", exp, "0" * 64),
        "missing": "/en/portal/shop/start?order=1001",
        "expired": _link("shop", "1001", *_sig(secret, exp=int(time.time()) - 1)),
        "other_order": _link("shop", "1002", exp, sig),  # a signature for 1001 used for 1002
        "other_store": _link(
            "shop", "1001", *_sig(portal_link_secret_rotate(store=other_store), slug="shop")
        ),
    }[case]
    client = Client()
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0].endswith("/portal/shop/")
    assert message in response.content.decode()
    assert not _granted(client)


def test_the_refusal_reads_in_french(store, make_order, secret):
    make_order("1001")
    response = Client().get(
        _link("shop", "1001", *_sig(secret, exp=int(time.time()) - 5), lang="fr"), follow=True
    )
    assert "Ce lien a expiré" in response.content.decode()


def test_a_store_without_a_secret_accepts_no_link(store, make_order):
    make_order("1001")
    exp = int(time.time()) + 3600
    client = Client()
    client.get(
        _link(
            "shop",
            "1001",
            exp,
            portal_link_signature(secret="", store_slug="shop", order_number="1001", expires=exp),
        )
    )
    assert not _granted(client)


def test_a_new_secret_voids_the_old_links(store, make_order, secret):
    make_order("1001")
    exp, sig = _sig(secret)
    portal_link_secret_rotate(store=store)
    client = Client()
    client.get(_link("shop", "1001", exp, sig))
    assert not _granted(client)


def test_the_api_gives_admins_the_secret_and_staff_a_ready_link(
    store, make_order, api, api_as, api_key_agent, api_key_warehouse
):
    make_order("1001")
    assert api_as(api_key_agent).post("/api/v1/portal-links/secret").status_code == 403
    assert (
        api.post("/api/v1/portal-links", {"order_number": "1001"}).json()["errors"][0]["code"] == "no_secret"
    )
    secret = api.post("/api/v1/portal-links/secret").json()["secret"]
    made = api_as(api_key_agent).post("/api/v1/portal-links", {"order_number": "1001", "expires_in_days": 7})
    assert made.status_code == 201
    url = made.json()["url"]
    assert url.startswith("http") and "/portal/shop/start?order=1001" in url
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    client.get("/" + path, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert _granted(client)
    assert secret.startswith("pls_")
    assert api_as(api_key_warehouse).post("/api/v1/portal-links", {"order_number": "1001"}).status_code == 403
    assert api.post("/api/v1/portal-links", {"order_number": "9999"}).status_code == 404


def test_a_store_admin_makes_the_secret_in_the_admin_and_sees_it_once(store, make_order):
    from retour.integrations.storefront.models import PortalLinkKey
    from retour.stores.services import staff_add

    client = Client()
    client.force_login(staff_add(store=store, username="boss", role="admin").user)
    response = client.post("/admin/storefront/portallinkkey/add/", {"store": store.pk}, follow=True)
    key = PortalLinkKey.objects.get(store=store)
    assert key.secret in response.content.decode()
    assert key.secret not in client.get(f"/admin/storefront/portallinkkey/{key.pk}/change/").content.decode()
    agent = Client()
    agent.force_login(staff_add(store=store, username="agent", role="agent").user)
    assert agent.post("/admin/storefront/portallinkkey/add/", {"store": store.pk}).status_code == 403
