"""Issue 10 in a real browser on a 390 px phone, in French and English: what the shopper sees,
checked with axe-core (no serious or critical finding), with screenshots in var/screenshots/."""

from __future__ import annotations

import pytest

from retour.core.actors import Actor
from retour.portal.tests.conftest import LINES
from retour.portal.tests.e2e.conftest import Screens, axe_serious
from retour.returns.services import LineRequest, return_cancel, return_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "number": "Order number",
        "contact": "Email address or postcode",
        "find": "Find my order",
        "continue": "Continue",
        "summary": "Please check the following",
        "required": "Photos (required for this reason)",
        "qty0": "Choose how many to return, or clear the reason if you keep this item.",
        "returns": "Your returns for this order",
        "steps": ["Your order", "Items", "Check", "Follow-up"],
        "new": "Start a new return",
    },
    "fr": {
        "number": "Numéro de commande",
        "contact": "Adresse e-mail ou code postal",
        "find": "Trouver ma commande",
        "continue": "Continuer",
        "summary": "Merci de vérifier les points suivants",
        "required": "Photos (obligatoires pour ce motif)",
        "qty0": "Choisissez combien d'articles retourner, ou retirez le motif si vous gardez cet article.",
        "returns": "Vos retours pour cette commande",
        "steps": ["Commande", "Articles", "Vérifier", "Suivi"],
        "new": "Commencer un nouveau retour",
    },
}


def _page(request, lang):
    return request.getfixturevalue("phone" if lang == "en" else "phone_fr")


def _look_up(page, base, lang):
    t = TEXT[lang]
    page.goto(f"{base}/{lang}/portal/shop/")
    page.get_by_label(t["number"]).fill("1001")
    page.get_by_label(t["contact"]).fill("alice@example.com")
    page.get_by_role("button", name=t["find"]).click()
    page.wait_for_url("**/order/")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_items_page_errors_are_summarised_at_the_top_and_nothing_typed_is_lost(
    live_server, request, store, make_order, lang
):
    t = TEXT[lang]
    order = make_order("1001", lines=LINES)
    tshirt, mug = order.lines.get(ref="L1"), order.lines.get(ref="L2")
    page = _page(request, lang)
    screens = Screens(page, f"issue10-errors-{lang}")
    _look_up(page, live_server.url, lang)
    assert page.locator("details.choose-wrap[open]").count() == 0  # folded: a short page on a phone
    page.locator(f"#line-{tshirt.id} summary").click()
    page.locator(f"#line-{mug.id} summary").click()
    page.select_option(f"#qty_{tshirt.id}", "1")
    page.select_option(f"#reason_{tshirt.id}", "defective")  # needs a photo
    assert page.locator(f"label[for=photos_{tshirt.id}]").inner_text() == t["required"]
    page.select_option(f"#reason_{mug.id}", "too_small")  # a reason, but quantity 0
    page.locator("form button.primary").click()

    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("heading").inner_text() == t["summary"]
    assert page.evaluate("document.activeElement.id") == "errors"  # focus moved to the summary
    links = summary.locator("a")
    assert links.count() == 2
    assert t["qty0"] in summary.inner_text()
    assert page.locator(f"#reason_{mug.id}").input_value() == "too_small"  # kept
    assert page.locator(f"#reason_{tshirt.id}").input_value() == "defective"
    assert page.locator(f"label[for=photos_{tshirt.id}]").inner_text() == t["required"]
    screens.shot("summary")
    assert axe_serious(page) == []
    links.nth(1).click()
    assert page.url.endswith(f"#line-{mug.id}-errors")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_orders_returns_are_listed_with_a_link_and_a_cancelled_one_says_what_next(
    live_server, request, store, make_order, lang
):
    t = TEXT[lang]
    order = make_order("1001", lines=LINES)
    customer = Actor.customer("alice@example.com")
    rr = return_create(
        order=order, actor=customer, lines=[LineRequest(order.lines.get(ref="L2").id, 1, "too_small")]
    )
    return_cancel(return_request=rr, actor=customer)
    page = _page(request, lang)
    screens = Screens(page, f"issue10-returns-{lang}")
    _look_up(page, live_server.url, lang)
    listing = page.locator(".returns-list")
    assert listing.get_by_role("heading").inner_text() == t["returns"]
    screens.shot("items")
    assert axe_serious(page) == []
    listing.get_by_role("link").first.click()
    page.wait_for_url(f"**/portal/r/{rr.token}")
    steps = page.locator(".steps li")
    assert steps.all_inner_texts() == t["steps"]
    heights = [steps.nth(i).bounding_box()["height"] for i in range(4)]
    assert max(heights) < 60, heights  # two lines at most (never three) at 390 px
    money = page.locator(".money-summary").inner_text() if page.locator(".money-summary").count() else ""
    assert "0.00" not in money and "0,00" not in money
    assert page.get_by_role("link", name=t["new"]).is_visible()
    screens.shot("cancelled")
    assert axe_serious(page) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_policy_page_has_a_heading_and_the_404_a_main_landmark(live_server, request, store, lang):
    page = _page(request, lang)
    page.goto(f"{live_server.url}/{lang}/portal/shop/policy")
    assert page.locator("h1").count() == 1
    assert axe_serious(page) == []
    response = page.goto(f"{live_server.url}/{lang}/portal/r/no-such-token")
    assert response.status == 404
    assert page.locator("main h1").count() == 1
    assert page.locator("html").get_attribute("lang") == lang
    Screens(page, f"issue10-404-{lang}").shot("not-found")
    assert axe_serious(page) == []


def test_a_sealed_serum_asks_about_its_seal_in_french(live_server, phone_fr, store, make_order):
    serum = {
        "ref": "S",
        "sku": "SERUM",
        "title": "Sérum",
        "quantity": 1,
        "unit_price": "42.00",
        "legal_exclusion": "sealed_hygiene",
    }
    order = make_order("1001", lines=[serum])
    line = order.lines.get()
    page = phone_fr
    _look_up(page, live_server.url, "fr")
    assert page.locator("details.choose-wrap[open]").count() == 1  # a single item is open
    assert page.get_by_text("Le scellé a-t-il été ouvert ?").is_visible()
    page.select_option(f"#qty_{line.id}", "1")
    page.select_option(f"#reason_{line.id}", "changed_mind")
    page.get_by_label("Oui, il a été ouvert").check()
    page.locator("form button.primary").click()
    page.wait_for_load_state()
    assert "pour des raisons d'hygiène" in page.locator(".error-summary").inner_text()
    Screens(page, "issue10-seal-fr").shot("opened")
    assert axe_serious(page) == []
    page.get_by_label("Non, il est toujours scellé").check()
    page.locator("form button.primary").click()
    page.wait_for_url("**/order/review/")
