"""GET /public/<store>/returnability: public, cacheable, in the asked language, with the law of
the shopper's country; and the embed script that shows it on product pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _get(store="shop", **params):
    return Client().get(f"/public/{store}/returnability", params)


def test_a_french_shopper_reads_the_window_and_the_legal_right_in_french(store):
    response = _get(sku="TSHIRT-M", country="FR", lang="fr")
    assert response.status_code == 200
    body = response.json()
    assert body["window_days"] == 30 and body["returnable"] is True
    assert body["statutory"] == {"right": "withdrawal", "days": 14}
    assert body["fees"] == {
        "currency": "EUR",
        "return_shipping": "0.00",
        "restocking_percent": "0",
        "free_for_seller_fault": True,
    }
    assert "30 jours" in body["text"] and "14 jours" in body["text"]
    assert body["policy_url"].endswith("/fr/portal/shop/policy")
    assert response["Content-Language"] == "fr"


def test_the_text_follows_the_asked_language(store):
    body = _get(sku="TSHIRT-M", country="FR", lang="en").json()
    assert "within 30 days of delivery" in body["text"] and "14 days" in body["text"]
    assert body["policy_link_text"] == "Return policy"


def test_it_is_public_cacheable_and_readable_from_the_shops_pages(store):
    response = _get(sku="TSHIRT-M", country="FR", lang="fr")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    again = Client().get(
        "/public/shop/returnability",
        {"sku": "TSHIRT-M", "country": "FR", "lang": "fr"},
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304 and again["ETag"] == response["ETag"]


def test_outside_the_law_of_withdrawal_there_is_no_statutory_right(store):
    body = _get(sku="TSHIRT-M", country="US", lang="en").json()
    assert body["statutory"] is None and body["returnable"] is True
    assert "withdraw" not in body["text"]


def test_fees_are_given_as_amounts_and_in_the_sentence(store):
    from retour.policies.services import policy_update

    policy_update(
        store=store, changes={"return_shipping_fee": Decimal("4.50"), "restocking_fee_percent": Decimal("10")}
    )
    body = _get(sku="X", country="FR", lang="fr").json()
    assert body["fees"]["return_shipping"] == "4.50" and body["fees"]["restocking_percent"] == "10"
    assert "4,50\u00a0€" in body["text"] and "10\u00a0%" in body["text"]


def test_a_final_sale_item_keeps_only_the_legal_right(store, make_order):
    make_order(
        "1001",
        lines=[
            {
                "ref": "L1",
                "sku": "SALE-1",
                "title": "Sale",
                "quantity": 1,
                "unit_price": "9.00",
                "final_sale": True,
            }
        ],
    )
    french = _get(sku="SALE-1", country="FR", lang="en").json()
    assert french["returnable"] is True and french["window_days"] == 0
    assert french["statutory"] == {"right": "withdrawal", "days": 14}
    assert "cannot be returned" in french["text"] and "14 days" in french["text"]
    american = _get(sku="SALE-1", country="US", lang="en").json()
    assert american["returnable"] is False and american["statutory"] is None


def test_an_item_the_law_excludes_has_no_statutory_right(store, make_order):
    make_order(
        "1001",
        lines=[
            {
                "ref": "L1",
                "sku": "CAKE",
                "title": "Cake",
                "quantity": 1,
                "unit_price": "9.00",
                "legal_exclusion": "perishable",
            }
        ],
    )
    body = _get(sku="CAKE", country="FR", lang="en").json()
    assert body["statutory"] is None


def test_it_says_nothing_about_orders(store, make_order):
    make_order("1001")
    text = _get(sku="TSHIRT-M", country="FR").content.decode()
    assert "1001" not in text and "alice" not in text.lower()


def test_unknown_store_and_bad_country_are_problems(store):
    missing = _get(store="nope", sku="X")
    assert missing.status_code == 404 and missing["content-type"].startswith("application/problem+json")
    bad = _get(sku="X", country="ZZZ")
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "invalid_country"


def test_without_country_or_language_the_stores_own_apply(store):
    body = _get(sku="X").json()
    assert body["country"] == "FR" and body["language"] == "fr"


def test_the_embed_script_is_served_as_cacheable_javascript(store):
    response = Client().get("/public/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "public" in response["Cache-Control"]
    script = response.content.decode()
    assert "/returnability?" in script and "textContent" in script and "innerHTML" not in script
