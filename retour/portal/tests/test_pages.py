"""The policy page, the questions page, the store's branding and the page basics."""

from __future__ import annotations

import pytest
from django.test import Client

from retour.helpdesk.services import faq_create_defaults
from retour.portal.selectors import brand_colors
from retour.portal.tests.conftest import url

pytestmark = pytest.mark.django_db


def test_the_policy_page_wraps_the_generated_policy(store):
    response = Client().get(url("policy", store="shop"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "within <strong>30 days</strong> of" in html  # the policy window, from the store's policy
    assert "Maison Test" in html


def test_the_french_policy_page_is_in_french(store):
    html = Client().get(url("policy", "fr", store="shop")).content.decode()

    assert '<html lang="fr">' in html
    assert "dans les <strong>30 jours</strong> qui suivent" in html  # the policy itself, not only the frame


def test_the_questions_page_lists_the_stores_answers(store):
    faq_create_defaults(store=store)

    html = Client().get(url("help", store="shop")).content.decode()

    assert "When will I be refunded?" in html
    assert "<details" in html


def test_the_questions_page_in_french(store):
    faq_create_defaults(store=store)

    assert "Quand serai-je remboursé ?" in Client().get(url("help", "fr", store="shop")).content.decode()


def test_pages_use_the_store_colour_and_a_readable_text_colour(store):
    store.brand_color = "#ffeb3b"
    store.logo_url = "https://shop.example.com/logo.png"
    store.save()

    html = Client().get(url("start", store="shop")).content.decode()

    assert "--brand: #ffeb3b; --on-brand: #000000;" in html
    assert 'src="https://shop.example.com/logo.png"' in html


def test_a_brand_colour_that_is_not_a_plain_hex_is_not_written_into_css(store):
    store.brand_color = "red;}"
    assert brand_colors(store) == ("#1f4e79", "#ffffff")


def test_pages_are_phone_friendly_and_load_the_pinned_htmx(store):
    html = Client().get(url("start", store="shop")).content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "portal/htmx.min.js" in html
    assert 'class="skip"' in html
