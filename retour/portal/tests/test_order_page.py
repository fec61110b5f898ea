"""Screen 2: what can be returned and until when; choosing items, reasons and photos."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from retour.portal.tests.conftest import jpeg, url
from retour.returns.models import ReturnRequest

pytestmark = pytest.mark.django_db


def choose(client: Client, data: dict, **files):
    return client.post(url("order", store="shop"), {**data, **files})


def draft(client: Client, store) -> dict:
    return client.session[f"portal:{store.pk}:draft"]


def test_every_line_shows_quantities_and_until_when_it_can_be_returned(shopper, order):
    html = shopper.get(url("order", store="shop")).content.decode()

    assert "Order 1001" in html
    assert "T-shirt M" in html and "Mug" in html
    assert "Ordered: 2" in html and "Delivered: 2" in html
    assert "Returnable until" in html
    assert "Legal right of withdrawal until" in html and "Our return policy until" in html
    assert 'class="thumb"' in html
    assert 'name="qty_' in html and 'name="photos_' in html
    assert 'enctype="multipart/form-data"' in html


SALE_LINES = [
    {"ref": "L1", "sku": "A", "title": "Sale coat", "quantity": 1, "unit_price": "10.00", "final_sale": True},
    {"ref": "L2", "sku": "B", "title": "Mug", "quantity": 1, "unit_price": "10.00"},
]


def _look_up() -> Client:
    client = Client()
    client.post(url("start", store="shop"), {"order_number": "1001", "contact": "alice@example.com"})
    return client


def test_a_line_that_cannot_be_returned_says_why(store, make_order):
    make_order("1001", lines=SALE_LINES, delivered_days_ago=20)  # the withdrawal period is over

    html = _look_up().get(url("order", store="shop")).content.decode()

    assert "The last day was" not in html  # the policy window still runs: only the final sale stops it
    assert html.count('name="qty_') == 2  # the coat only for a defect (legal guarantee), and the mug
    assert "We do not take this item back, but a defect is covered by the legal guarantee until" in html


def test_a_final_sale_line_is_returnable_within_the_withdrawal_period(store, make_order):
    make_order("1001", lines=SALE_LINES, delivered_days_ago=3)

    html = _look_up().get(url("order", store="shop")).content.decode()

    assert "Final-sale items cannot be returned." not in html
    assert html.count('name="qty_') == 2
    assert html.count("Legal right of withdrawal</span>") == 2


def test_the_order_page_lists_the_orders_returns_with_links_to_their_status(shopper, order, line1, line2):
    from retour.core.actors import Actor
    from retour.returns.services import LineRequest, return_cancel, return_create

    first = return_create(
        order=order, actor=Actor.customer("alice@example.com"), lines=[LineRequest(line1.id, 2, "too_small")]
    )
    second = return_create(
        order=order, actor=Actor.customer("alice@example.com"), lines=[LineRequest(line2.id, 1, "too_small")]
    )
    return_cancel(return_request=second, actor=Actor.customer("alice@example.com"))

    html = shopper.get(url("order", store="shop")).content.decode()

    assert "Your returns for this order" in html
    for rr in (first, second):
        assert f'href="{url("status", token=rr.token)}"' in html
        assert f"Return {rr.number}" in html
    assert "Requested</span>" in html and "Cancelled</span>" in html
    assert html.index(second.number) < html.index(first.number)  # newest first


def test_an_order_without_returns_shows_no_returns_list(shopper):
    assert "Your returns for this order" not in shopper.get(url("order", store="shop")).content.decode()


def test_the_french_order_page_shows_french_dates(shopper, order):
    response = shopper.get(url("order", "fr", store="shop"))

    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


def test_choosing_nothing_is_refused(shopper, line1, line2):
    response = choose(shopper, {f"qty_{line1.id}": "0", f"qty_{line2.id}": "0"})

    assert response.status_code == 200
    assert "Choose at least one item to return." in response.content.decode()


def test_a_reason_is_required(shopper, line1):
    response = choose(shopper, {f"qty_{line1.id}": "1", f"reason_{line1.id}": ""})

    assert "Choose a reason." in response.content.decode()


def test_more_than_returnable_is_refused(shopper, line1):
    response = choose(shopper, {f"qty_{line1.id}": "3", f"reason_{line1.id}": "too_small"})

    assert "Only 2 unit(s) of this item can be returned." in response.content.decode()


def test_a_line_of_another_order_is_refused(shopper, make_order):
    other = make_order("1002").lines.get()

    response = choose(shopper, {f"qty_{other.id}": "1", f"reason_{other.id}": "too_small"})

    assert response.status_code == 400
    assert "This item is not part of your order." in response.content.decode()


def test_valid_choices_lead_to_the_summary(shopper, store, line1):
    response = choose(
        shopper, {f"qty_{line1.id}": "2", f"reason_{line1.id}": "too_small", f"comment_{line1.id}": "Tight"}
    )

    assert response.status_code == 302 and response.url == url("review", store="shop")
    assert draft(shopper, store)["lines"] == [
        {
            "line_id": line1.id,
            "quantity": 2,
            "reason": "too_small",
            "comment": "Tight",
            "photos": [],
            "seal_opened": None,
        }
    ]
    assert not ReturnRequest.objects.exists()


def test_a_reason_that_needs_a_photo_asks_for_one(shopper, line1):
    response = choose(shopper, {f"qty_{line1.id}": "1", f"reason_{line1.id}": "defective"})

    assert "Please add a photo that shows the problem." in response.content.decode()


def test_a_photo_is_checked_and_kept_for_the_confirmation(shopper, store, line1, settings):
    response = choose(
        shopper, {f"qty_{line1.id}": "1", f"reason_{line1.id}": "defective"}, **{f"photos_{line1.id}": jpeg()}
    )

    assert response.status_code == 302
    names = draft(shopper, store)["lines"][0]["photos"]
    assert len(names) == 1 and names[0].startswith("portal/drafts/")
    assert (settings.MEDIA_ROOT / names[0]).exists()


def test_the_photos_already_added_are_kept_when_the_form_is_sent_again(shopper, store, line1):
    fields = {f"qty_{line1.id}": "1", f"reason_{line1.id}": "defective"}
    choose(shopper, fields, **{f"photos_{line1.id}": jpeg()})

    response = choose(shopper, fields)

    assert response.status_code == 302
    assert len(draft(shopper, store)["lines"][0]["photos"]) == 1


def test_a_file_that_is_not_an_image_is_refused(shopper, line1):
    fake = SimpleUploadedFile("cat.jpg", b"not a picture", content_type="image/jpeg")

    response = choose(
        shopper, {f"qty_{line1.id}": "1", f"reason_{line1.id}": "too_small"}, **{f"photos_{line1.id}": fake}
    )

    assert response.status_code == 200
    assert "cat.jpg: This file is not a picture we can read" in response.content.decode()


def test_a_photo_over_the_size_limit_is_refused(shopper, line1, monkeypatch):
    monkeypatch.setattr("retour.returns.photos.MAX_BYTES", 200)

    response = choose(
        shopper,
        {f"qty_{line1.id}": "1", f"reason_{line1.id}": "too_small"},
        **{f"photos_{line1.id}": jpeg((300, 300))},
    )

    assert "A photo may be at most 10 MB." in response.content.decode()


def test_a_tiny_file_of_30000_by_30000_pixels_is_refused_for_its_pixels(shopper, line1):
    from retour.returns.tests.test_photos import png_claiming

    huge = SimpleUploadedFile("huge.png", png_claiming(30_000, 30_000), content_type="image/png")

    response = choose(
        shopper, {f"qty_{line1.id}": "1", f"reason_{line1.id}": "too_small"}, **{f"photos_{line1.id}": huge}
    )

    html = response.content.decode()
    assert "huge.png: This picture has too many pixels: at most 40 megapixels." in html
    assert "10 MB." not in html.split("huge.png:")[1][:200]


def test_more_than_five_photos_are_refused(shopper, store, line1):
    response = choose(
        shopper,
        {f"qty_{line1.id}": "1", f"reason_{line1.id}": "too_small"},
        **{f"photos_{line1.id}": [jpeg() for _ in range(6)]},
    )

    assert "A return may have at most 5 photos." in response.content.decode()
    assert draft(shopper, store)["lines"][0]["photos"] == []


def test_the_withdrawal_function_is_offered_while_the_period_runs(shopper):
    html = shopper.get(url("order", store="shop")).content.decode()

    assert "This order is still within the legal withdrawal period" in html
    assert url("withdraw", store="shop") + "?order=1001" in html


def test_no_withdrawal_function_once_the_period_is_over(store, make_order):
    make_order("1001", delivered_days_ago=20)
    client = Client()
    client.post(url("start", store="shop"), {"order_number": "1001", "contact": "alice@example.com"})

    html = client.get(url("order", store="shop")).content.decode()

    assert "This order is still within the legal withdrawal period" not in html
    assert "Our return policy until" in html


def test_draft_photos_of_abandoned_returns_are_purged(shopper, store, line1, settings):
    from datetime import timedelta

    from django.utils import timezone

    from retour.portal.services import draft_photos_purge

    choose(
        shopper, {f"qty_{line1.id}": "1", f"reason_{line1.id}": "defective"}, **{f"photos_{line1.id}": jpeg()}
    )
    name = draft(shopper, store)["lines"][0]["photos"][0]

    assert draft_photos_purge(now=timezone.now()) == 0
    assert draft_photos_purge(now=timezone.now() + timedelta(days=2)) == 1
    assert not (settings.MEDIA_ROOT / name).exists()


def _look_up(number="1001"):
    client = Client()
    client.post(url("start", store="shop"), {"order_number": number, "contact": "alice@example.com"})
    return client


def test_after_the_windows_a_defect_can_still_be_claimed_under_the_guarantee(store, make_order):
    order = make_order("1001", delivered_days_ago=40)
    line = order.lines.get()
    client = _look_up()

    html = client.get(url("order", store="shop")).content.decode()

    assert "a defect is covered by the legal guarantee until" in html
    assert 'value="defective"' in html and 'value="too_small"' not in html
    refused = choose(client, {f"qty_{line.id}": "1", f"reason_{line.id}": "too_small"})
    assert "Choose a reason." in refused.content.decode()
    accepted = choose(
        client, {f"qty_{line.id}": "1", f"reason_{line.id}": "defective"}, **{f"photos_{line.id}": jpeg()}
    )
    assert accepted.status_code == 302
    client.post(url("review", store="shop"), {"resolution": "refund"})
    assert ReturnRequest.objects.get().right == "guarantee"


def test_a_line_past_every_period_says_when_the_last_day_was(store, make_order):
    make_order("1001", delivered_days_ago=3 * 366)

    html = _look_up().get(url("order", store="shop")).content.decode()

    assert "The return period for this item has ended." in html
    assert "The last day was" in html
    assert 'name="qty_' not in html


SERUM = [
    {
        "ref": "L1",
        "sku": "SERUM",
        "title": "Serum",
        "quantity": 1,
        "unit_price": "42.00",
        "legal_exclusion": "sealed_hygiene",
    }
]


def test_a_sealed_item_asks_whether_the_seal_was_opened(store, make_order):
    make_order("1001", lines=SERUM)
    client = _look_up()
    serum = store.orders.get().lines.get()
    html = client.get(url("order", store="shop")).content.decode()
    assert "Has the seal been opened?" in html
    assert f'name="seal_{serum.id}"' in html

    unanswered = choose(client, {f"qty_{serum.id}": "1", f"reason_{serum.id}": "changed_mind"})
    assert "Tell us whether the seal has been opened." in unanswered.content.decode()

    opened = choose(
        client, {f"qty_{serum.id}": "1", f"reason_{serum.id}": "changed_mind", f"seal_{serum.id}": "yes"}
    )
    assert "cannot be returned for health and hygiene reasons" in opened.content.decode()
    assert 'value="yes" checked' in opened.content.decode()  # the answer is kept

    sealed = choose(
        client, {f"qty_{serum.id}": "1", f"reason_{serum.id}": "changed_mind", f"seal_{serum.id}": "no"}
    )
    assert sealed.status_code == 302
    assert draft(client, store)["lines"][0]["seal_opened"] is False
    client.post(
        url("review", store="shop"), {"resolution": "refund", "draft_key": draft(client, store)["key"]}
    )
    rr = ReturnRequest.objects.get()
    assert (rr.right, rr.lines.get().seal_opened) == ("withdrawal", False)


def test_an_ordinary_item_is_not_asked_about_a_seal(shopper):
    assert "Has the seal been opened?" not in shopper.get(url("order", store="shop")).content.decode()


MIXED = [
    {
        "ref": "L1",
        "sku": "TEE-M",
        "title": "T-shirt M",
        "quantity": 1,
        "unit_price": "29.00",
        "category": "Apparel",
    },
    {
        "ref": "L2",
        "sku": "EARBUDS",
        "title": "Earbuds",
        "quantity": 1,
        "unit_price": "79.00",
        "category": "electronics",
    },
    {"ref": "L3", "sku": "MUG", "title": "Mug", "quantity": 1, "unit_price": "12.00"},
]


def _reason_options(html: str, line_id: int) -> set[str]:
    import re

    select = re.search(rf'<select[^>]*name="reason_{line_id}".*?</select>', html, re.S)
    assert select, f"no reason list for line {line_id}"
    return set(re.findall(r'<option value="([a-z_]+)"', select.group(0)))


def test_size_reasons_are_offered_only_for_the_categories_they_fit(store, make_order):
    from retour.policies.services import reason_categories_set

    reason_categories_set(store=store, code="too_small", categories=["apparel", " Shoes "])
    make_order("1001", lines=MIXED)
    tee, earbuds, mug = store.orders.get().lines.order_by("ref")
    client = _look_up()
    html = client.get(url("order", store="shop")).content.decode()

    assert "too_small" in _reason_options(html, tee.id)  # the category matches whatever its case
    assert "too_small" not in _reason_options(html, earbuds.id)
    assert "too_small" in _reason_options(html, mug.id)  # no category: nothing rules it out
    assert {"changed_mind", "defective"} <= _reason_options(html, earbuds.id)

    # A reason the page did not offer is refused, not recorded.
    refused = choose(client, {f"qty_{earbuds.id}": "1", f"reason_{earbuds.id}": "too_small"})
    assert refused.status_code == 200 and "Choose a reason." in refused.content.decode()
    kept = choose(client, {f"qty_{tee.id}": "1", f"reason_{tee.id}": "too_small"})
    assert kept.status_code == 302 and draft(client, store)["lines"][0]["reason"] == "too_small"


def test_reason_categories_must_be_a_list_of_codes(store):
    from retour.core.errors import NotFound, ValidationFailed
    from retour.policies.services import reason_categories_set

    with pytest.raises(ValidationFailed):
        reason_categories_set(store=store, code="too_small", categories="apparel")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        reason_categories_set(store=store, code="no_such_reason", categories=[])
    assert store.reasons.get(code="too_small").categories == []
