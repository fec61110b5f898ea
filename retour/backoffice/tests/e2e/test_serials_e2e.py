"""In Chromium, in French: a partner scans the serial of each returned phone at the station; the
one that was not sold is flagged on the station's grading form and on the return page, which
stay accessible and fit a phone."""

from __future__ import annotations

import pytest

from retour.backoffice.tests.conftest import PASSWORD
from retour.backoffice.tests.e2e.conftest import Shots
from retour.backoffice.tests.e2e.test_staff_flow import sign_in
from retour.returns.models import ReceivedUnit
from retour.returns.services import LineRequest, return_approve, return_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [
    {
        "ref": "P1",
        "sku": "PHONE-128",
        "title": "Téléphone 128 Go",
        "quantity": 2,
        "unit_price": "499.00",
        "serial_numbers": ["IMEI-356938035643809", "IMEI-356938035643817"],
        "lot_number": "L-2026-07",
    }
]


def test_a_partner_scans_the_serials_and_the_one_not_sold_is_flagged(
    live_server, desk, store, make_order, customer_actor
):
    from retour.stores.services import staff_add

    staff_add(store=store, username="depot", role="partner", password=PASSWORD, location="main")
    order = make_order("1001", lines=PHONES)
    rr = return_create(
        order=order, actor=customer_actor, lines=[LineRequest(order.lines.get().id, 2, "changed_mind")]
    )
    return_approve(return_request=rr, actor=customer_actor)
    base, page = live_server.url, desk
    shots = Shots(page, "serials-fr")
    sign_in(page, base, "depot", "fr")
    page.goto(f"{base}/fr/staff/receive/{rr.number}/")
    shots.take("station")
    scans = page.get_by_label("Numéros de série scannés")
    scans.fill("IMEI-356938035643809\nIMEI-999999999999999\n")
    page.get_by_label("Numéro de lot").fill("L-2026-07")
    page.get_by_role("button", name="Réceptionner", exact=True).click()
    page.wait_for_url(f"**/staff/receive/{rr.number}/")
    content = page.content()
    assert "1 unité de ce retour a un numéro de série à vérifier" in content
    assert "IMEI-999999999999999 n’a pas été vendu sur cette ligne" in content  # in the grading form
    shots.take("station-flagged")
    page.goto(f"{base}/fr/staff/r/{rr.number}/")
    assert "À vérifier :" in page.content()
    shots.take("return-flagged")
    assert sorted(ReceivedUnit.objects.values_list("serial_number", "serial_check")) == [
        ("IMEI-356938035643809", "matched"),
        ("IMEI-999999999999999", "not_sold"),
    ]
