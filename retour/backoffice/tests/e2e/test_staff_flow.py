"""Per role, in Chromium: an agent approves; a partner scans the slip code, receives and
grades (which releases the refund); an agent refunds; the return completes. Every page is
screenshotted at 1280 and 390 px and checked with axe-core, in English and in French."""

from __future__ import annotations

import pytest

from retour.backoffice.tests.conftest import LINES, PASSWORD
from retour.backoffice.tests.e2e.conftest import Shots
from retour.resolutions.payments.services import refund_send
from retour.returns.models import ReturnRequest
from retour.returns.services import LineRequest, return_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(store):
    from retour.stores.services import staff_add

    claire = staff_add(store=store, username="claire", role="agent", password=PASSWORD)
    claire.user.first_name = "Claire"
    claire.user.save()
    staff_add(store=store, username="depot", role="partner", password=PASSWORD, location="main")
    staff_add(store=store, username="boss", role="admin", password=PASSWORD)


@pytest.fixture
def requested(make_order, customer_actor):
    order = make_order("1001", lines=LINES)
    line = order.lines.get(ref="L1")
    return return_create(order=order, actor=customer_actor, lines=[LineRequest(line.id, 2, "too_small")])


def sign_in(page, base: str, username: str, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/staff/login/")
    labels = {
        "en": ("Username", "Password", "Sign in"),
        "fr": ("Nom d’utilisateur", "Mot de passe", "Se connecter"),
    }
    user, password, button = labels[lang]
    page.get_by_label(user).fill(username)
    page.get_by_label(password).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"**/{lang}/staff/")


def sign_out(page) -> None:
    page.locator("header form button[type=submit]").last.click()
    page.wait_for_url("**/staff/login/")


def test_agent_approves_partner_receives_and_grades_agent_refunds(live_server, desk, people, requested):
    base, page, rr = live_server.url, desk, requested
    shots = Shots(page, "flow")

    page.goto(f"{base}/en/staff/login/")
    shots.take("login")
    sign_in(page, base, "claire")
    shots.take("agent-home")
    page.get_by_role("link", name=rr.number).click()
    page.wait_for_url(f"**/staff/r/{rr.number}/")
    assert page.locator("h1").inner_text() == rr.number
    shots.take("agent-return")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_url(f"**/staff/r/{rr.number}/")
    assert ReturnRequest.objects.get(pk=rr.pk).status == "approved"
    assert "Approved by Claire (support agent)" in page.content()
    shots.take("agent-approved")
    sign_out(page)

    sign_in(page, base, "depot")
    page.goto(f"{base}/en/staff/receive/")
    shots.take("partner-station")
    scanner = page.get_by_label("Scan or type a return number")
    scanner.fill(rr.number)
    scanner.press("Enter")  # a handheld scanner types the code and Enter
    page.wait_for_url(f"**/staff/receive/{rr.number}/")
    shots.take("partner-receive")
    page.get_by_role("button", name="Receive", exact=True).click()
    page.wait_for_url(f"**/staff/receive/{rr.number}/")
    shots.take("partner-grade")
    for _unit in range(2):
        page.get_by_role("button", name="Save grading").click()
        page.wait_for_url(f"**/staff/receive/{rr.number}/")
    rr.refresh_from_db()
    assert rr.status == "received" and rr.lines.get().accepted_quantity == 2
    shots.take("partner-done")
    sign_out(page)

    sign_in(page, base, "claire")
    page.goto(f"{base}/en/staff/?queue=to_refund")
    assert rr.number in page.content()
    shots.take("agent-to-refund")
    page.get_by_role("link", name=rr.number).click()
    page.get_by_role("button", name="Refund", exact=True).click()
    page.wait_for_url(f"**/staff/r/{rr.number}/")
    refund = rr.refunds.get()
    assert refund.status == "pending"  # to the original payment: the worker sends it after commit
    refund_send(refund_id=refund.pk)  # what the worker does; the store's provider is manual
    rr.refresh_from_db()
    assert rr.status == "completed" and rr.refunds.count() == 1
    shots.take("agent-completed")


def test_every_page_in_french_and_english_has_no_serious_accessibility_problem(
    live_server, desk, people, requested
):
    base, page, rr = live_server.url, desk, requested
    for lang in ("fr", "en"):
        shots = Shots(page, f"pages-{lang}")
        page.goto(f"{base}/{lang}/staff/login/")
        shots.take("login")
        sign_in(page, base, "boss", lang)
        shots.take("home")
        page.goto(f"{base}/{lang}/staff/?queue=review&q=1001&sort=oldest")
        shots.take("home-filtered")
        page.goto(f"{base}/{lang}/staff/r/{rr.number}/")
        shots.take("return")
        page.goto(f"{base}/{lang}/staff/receive/?code=NOPE-404")
        shots.take("station-unknown")
        page.goto(f"{base}/{lang}/staff/receive/{rr.number}/")
        shots.take("station-return")
        sign_out(page)
        sign_in(page, base, "depot", lang)
        page.goto(f"{base}/{lang}/staff/r/{rr.number}/")
        shots.take("partner-return")
        sign_out(page)
        sign_in(page, base, "claire", lang)
        page.goto(f"{base}/{lang}/staff/receive/")  # not for agents: the page says why
        shots.take("forbidden")
        sign_out(page)
