"""A first-time shopper on a phone: from the shop's link to a confirmed return, then ships it."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from io import BytesIO

import pytest
from PIL import Image

from retour.helpdesk.models import Message
from retour.helpdesk.services import faq_create_defaults
from retour.policies.services import policy_update
from retour.portal.tests.conftest import LINES
from retour.portal.tests.e2e.conftest import SCREENSHOTS, axe_serious
from retour.returns.models import ReturnPhoto, ReturnRequest, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_shopper_returns_an_item_with_a_photo_for_store_credit_and_ships_it(
    live_server, phone, screens, store, make_order, capsys
):
    policy_update(store=store, changes={"auto_approve": True, "store_credit_bonus_percent": Decimal("10")})
    faq_create_defaults(store=store)
    order = make_order("1001", lines=LINES)
    tshirt = order.lines.get(ref="L1")
    page = phone
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))

    started = time.monotonic()
    page.goto(f"{live_server.url}/en/portal/shop/")
    screens.shot("lookup")
    page.get_by_label("Order number").fill("1001")
    page.get_by_label("Email address or postcode").fill("alice@example.com")
    page.get_by_role("button", name="Find my order").click()

    page.wait_for_url("**/order/")
    screens.shot("items")
    assert axe_serious(page) == []
    page.locator(f"#line-{tshirt.id} summary").click()  # unselected items are folded on a phone
    page.select_option(f"#qty_{tshirt.id}", "1")
    page.select_option(f"#reason_{tshirt.id}", "defective")
    page.set_input_files(
        f"#photos_{tshirt.id}",
        files=[{"name": "stain.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}],
    )
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/order/review/")
    page.get_by_label("Store credit").check()
    assert "including a €2.19 bonus" in page.content()  # 10 % of 20.00 + its 1.88 share of the delivery
    screens.shot("summary")
    assert axe_serious(page) == []
    page.get_by_role("button", name="Confirm the return").click()

    page.wait_for_url("**/portal/r/**")
    confirmed_after = time.monotonic() - started
    screens_to_confirm = len(navigations)
    rr = ReturnRequest.objects.get()
    assert page.get_by_role("heading", name=f"Return {rr.number}").is_visible()
    screens.shot("status")
    assert axe_serious(page) == []
    assert "Estimated refund" not in page.locator(".money-summary").inner_text()
    assert "Store credit" in page.locator(".money-summary").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the return slip (PDF)").click()
    slip = download_info.value
    slip_path = SCREENSHOTS / "shopper-slip.pdf"
    slip.save_as(str(slip_path))
    assert slip_path.read_bytes().startswith(b"%PDF")

    page.get_by_label("Carrier (optional)").fill("La Poste")
    page.get_by_label("Tracking number (optional)").fill("6A12345")
    page.get_by_role("button", name="I have shipped it").click()
    page.wait_for_selector("text=Parcel sent")
    timeline = page.locator(".timeline").inner_text()
    assert "Return requested" in timeline and "Return approved" in timeline and "Parcel sent" in timeline
    screens.shot("shipped")
    total = time.monotonic() - started

    # A question: htmx loads the chosen answer in place; "none of these" opens a message to support.
    loaded = len(navigations)
    page.get_by_label("Choose your question").select_option(label="How do I print the return slip?")
    page.wait_for_selector(".answer")
    assert len(navigations) == loaded  # no page load: htmx swapped the answer in
    page.get_by_label("Choose your question").select_option(value="none")
    page.get_by_label("Your question", exact=True).fill("Can I drop it off in your shop?")
    page.get_by_role("button", name="Send to support").click()
    page.wait_for_selector("text=Your message was sent.")
    screens.shot("question")
    assert Message.objects.get(return_request=rr).body == "Can I drop it off in your shop?"

    rr.refresh_from_db()
    assert (rr.channel, rr.resolution, rr.status) == ("portal", "store_credit", Status.IN_TRANSIT)
    assert (rr.carrier, rr.tracking_number) == ("La Poste", "6A12345")
    assert ReturnPhoto.objects.filter(return_request=rr).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    assert screens_to_confirm <= 4
    assert confirmed_after < 60

    metrics = {
        "screens_to_confirmed_return": screens_to_confirm,
        "seconds_to_confirmed_return": round(confirmed_after, 2),
        "seconds_including_slip_and_shipping": round(total, 2),
        "screenshots": [str(p) for p in screens.paths],
    }
    (SCREENSHOTS / "shopper-metrics.json").write_text(json.dumps(metrics, indent=2))
    with capsys.disabled():
        print(
            f"\nscripted shopper: {screens_to_confirm} screens, {confirmed_after:.2f} s to a confirmed return "
            f"({total:.2f} s with the slip and 'I have shipped it'); screenshots in {SCREENSHOTS}"
        )
