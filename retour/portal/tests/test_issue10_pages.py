"""Issue 10 items 11 and 12 without a browser: languages, dates, error pages, the slip."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from retour.core.dates import first_of_month
from retour.portal.tests.conftest import url
from retour.returns.models import ReturnRequest

pytestmark = pytest.mark.django_db

DETAILS = {"name": "Alice Martin", "order_number": "1001", "email": "alice@example.com"}


def _withdraw(client: Client, line, lang: str = "fr") -> ReturnRequest:
    client.post(url("withdraw", lang, store="shop"), DETAILS)
    client.post(url("withdraw_confirm", lang, store="shop"), {f"line_{line.id}": "1", f"qty_{line.id}": "1"})
    return ReturnRequest.objects.get()


def test_the_withdrawal_statement_on_a_french_page_is_french_with_a_readable_time(order, line2):
    rr = _withdraw(Client(), line2, "fr")
    html = Client().get(url("status", "fr", token=rr.token)).content.decode()
    assert "Déclaration de rétractation : je soussigné(e) Alice Martin" in html
    assert "Withdrawal statement" not in html
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", re.sub(r"<[^>]+>", "", html))  # no raw ISO time shown
    assert "(Europe/Paris)" in html


def test_the_first_of_the_month_reads_1er_in_french_only():
    assert first_of_month("1 décembre 2026", "fr") == "1er décembre 2026"
    assert first_of_month("11 décembre 2026", "fr") == "11 décembre 2026"
    assert first_of_month("21 mars 2026", "fr") == "21 mars 2026"
    assert first_of_month("1 December 2026", "en") == "1 December 2026"


def test_templates_print_1er_through_the_date_filter():
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{{ day|date:"DATE_FORMAT" }}')
    with translation.override("fr"):
        assert template.render(Context({"day": date(2026, 12, 1)})) == "1er décembre 2026"
    with translation.override("en"):
        assert "1er" not in template.render(Context({"day": date(2026, 12, 1)}))


def test_a_form_posted_without_its_cookie_gets_a_page_in_the_shoppers_language(store):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url("start", "fr", store="shop"), {"order_number": "1", "contact": "a@b.c"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Votre session doit être actualisée" in html
    assert "<main" in html and "<h1>" in html and 'lang="fr"' in html
    assert "CSRF" not in html and "DEBUG" not in html


def test_the_404_page_has_a_main_landmark_and_a_heading(db):
    response = Client().get(url("status", "en", token="nope"))
    html = response.content.decode()
    assert response.status_code == 404
    assert "<main" in html and "<h1>Page not found</h1>" in html


def test_the_policy_page_has_one_h1(store):
    html = Client().get(url("policy", "en", store="shop")).content.decode()
    assert html.count("<h1") == 1


def test_french_wording_says_au_plus_tard_and_non_repris(shopper, store, line1):
    shopper.post(
        url("order", "fr", store="shop"), {f"qty_{line1.id}": "1", f"reason_{line1.id}": "too_small"}
    )
    html = shopper.get(url("review", "fr", store="shop")).content.decode()
    assert "Expédier le colis au plus tard le" in html
    assert "avant le" not in html


def test_the_slip_of_a_withdrawal_has_its_send_by_date_and_a_link_in_its_language(order, line2):
    from retour.returns.documents import return_slip_pdf
    from retour.returns.tests.test_documents import _text

    rr = _withdraw(Client(), line2, "en")
    text = _text(return_slip_pdf(return_request=rr, language="fr", compress=False))
    assert "Merci de l'expédier au plus tard le" in text
    assert f"/fr/portal/r/{rr.token}" in text


def test_a_cancelled_return_links_to_a_new_return(order, line2):
    from retour.core.actors import Actor
    from retour.returns.services import LineRequest, return_cancel, return_create

    customer = Actor.customer("alice@example.com")
    rr = return_create(order=order, actor=customer, lines=[LineRequest(line2.id, 1, "too_small")])
    return_cancel(return_request=rr, actor=customer)
    html = Client().get(url("status", "en", token=rr.token)).content.decode()
    assert f'href="{url("start", "en", store="shop")}?order=1001"' in html
    assert "Follow-up" in html and ">Done<" not in html
    start = Client().get(url("start", "en", store="shop") + "?order=1001").content.decode()
    assert 'value="1001"' in start


def test_an_order_lines_image_is_shown(store, make_order):
    lines = [
        {
            "ref": "L1",
            "sku": "A",
            "title": "Coat",
            "quantity": 1,
            "unit_price": "10.00",
            "image_url": "https://cdn.example.com/coat.jpg",
        }
    ]
    make_order("1001", lines=lines)
    client = Client()
    client.post(url("start", store="shop"), {"order_number": "1001", "contact": "alice@example.com"})
    html = client.get(url("order", store="shop")).content.decode()
    assert '<img class="thumb" src="https://cdn.example.com/coat.jpg"' in html
