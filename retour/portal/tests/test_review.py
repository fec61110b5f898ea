"""Screen 3: resolution, fees and estimate before confirming; confirming creates the return."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from retour.catalog.models import Product
from retour.core.actors import Actor
from retour.notifications.models import Notification
from retour.policies.services import policy_update
from retour.portal.tests.conftest import jpeg, url
from retour.returns.models import ExchangeItem, ReturnEvent, ReturnPhoto, ReturnRequest
from retour.returns.services import LineRequest, return_create

pytestmark = pytest.mark.django_db


def choose(client: Client, line, quantity=1, reason="too_small", **files):
    data = {f"qty_{line.id}": str(quantity), f"reason_{line.id}": reason}
    response = client.post(url("order", store="shop"), {**data, **files})
    assert response.status_code == 302, response.content.decode()


def confirm(client: Client, lang: str = "en", **data):
    return client.post(url("review", lang, store="shop"), data)


def test_the_summary_needs_chosen_items(shopper):
    response = shopper.get(url("review", store="shop"))

    assert response.status_code == 302 and response.url == url("order", store="shop")


def test_the_summary_shows_fees_estimate_credit_bonus_and_dates(shopper, store, line1):
    policy_update(
        store=store,
        changes={"return_shipping_fee": Decimal("5.00"), "store_credit_bonus_percent": Decimal("10")},
    )
    choose(shopper, line1, quantity=2, reason="changed_mind")

    html = shopper.get(url("review", store="shop")).content.decode()

    assert "Return shipping" in html and "€5.00" in html
    # 2 × 20.00 − 5.00 + 3.76, the T-shirts' share (40 of 52) of the 4.90 standard delivery
    assert "Delivery costs refunded" in html and "€3.76" in html
    assert "€38.76" in html
    assert "including a €3.87 bonus" in html or "including a €3.88 bonus" in html
    assert "Send the parcel by" in html
    assert "Refund at the latest by" in html  # within the withdrawal period the law sets a date
    assert "This return uses your legal right of withdrawal." in html


def test_the_summary_in_french_formats_money_the_french_way(shopper, store, line1):
    choose(shopper, line1, quantity=2)

    html = shopper.get(url("review", "fr", store="shop")).content.decode()

    assert "43,76\xa0€" in html  # 40.00 + 3.76 of the standard delivery


def test_the_estimate_writes_nothing(shopper, store, line1):
    policy_update(store=store, changes={"auto_approve": True})
    choose(shopper, line1)

    assert shopper.get(url("review", store="shop")).status_code == 200

    assert not ReturnRequest.objects.exists()
    assert not ReturnEvent.objects.exists()
    assert not Notification.objects.exists()


def test_confirming_creates_the_portal_return_with_its_photos(shopper, store, line1, settings):
    choose(shopper, line1, reason="defective", **{f"photos_{line1.id}": jpeg()})

    response = confirm(shopper, resolution="store_credit")

    rr = ReturnRequest.objects.get()
    assert response.status_code == 302 and response.url == url("status", token=rr.token)
    assert (rr.channel, rr.resolution) == ("portal", "store_credit")
    assert list(rr.lines.values_list("order_line_id", "quantity", "reason")) == [(line1.id, 1, "defective")]
    photo = ReturnPhoto.objects.get()
    assert photo.return_line == rr.lines.get()
    assert f"portal:{store.pk}:draft" not in shopper.session
    assert rr.events.get().actor_type == "customer"


def test_draft_photos_are_deleted_once_attached(
    shopper, store, line1, settings, django_capture_on_commit_callbacks
):
    choose(shopper, line1, reason="defective", **{f"photos_{line1.id}": jpeg()})
    draft_name = shopper.session[f"portal:{store.pk}:draft"]["lines"][0]["photos"][0]

    with django_capture_on_commit_callbacks(execute=True):
        confirm(shopper, resolution="refund")

    assert not (settings.MEDIA_ROOT / draft_name).exists()
    assert (settings.MEDIA_ROOT / ReturnPhoto.objects.get().image.name).exists()


def test_a_resolution_the_policy_does_not_offer_is_refused(shopper, store, line1):
    policy_update(store=store, changes={"allowed_resolutions": ["refund"]})
    choose(shopper, line1)

    response = confirm(shopper, resolution="store_credit")

    assert response.status_code == 200
    assert "Choose how you would like to be reimbursed." in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_an_exchange_needs_the_wanted_variant(shopper, line1):
    choose(shopper, line1)

    response = confirm(shopper, resolution="exchange")

    assert "Tell us which size or colour you would like instead." in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_an_exchange_offers_the_other_variants_of_the_catalogue(shopper, store, line1):
    Product.objects.create(
        store=store, sku="TSHIRT-M", title="T-shirt", group="TSHIRT", options={"size": "M"}
    )
    Product.objects.create(
        store=store, sku="TSHIRT-L", title="T-shirt", group="TSHIRT", options={"size": "L"}
    )
    choose(shopper, line1)

    assert "T-shirt (L)" in shopper.get(url("review", store="shop")).content.decode()
    confirm(shopper, resolution="exchange", **{f"exchange_sku_{line1.id}": "TSHIRT-L"})

    item = ExchangeItem.objects.get()
    assert (item.sku, item.quantity, item.order_line_id) == ("TSHIRT-L", 1, line1.id)


def test_an_exchange_without_catalogue_takes_a_free_text_wish(shopper, line1):
    choose(shopper, line1)

    confirm(shopper, resolution="exchange", **{f"exchange_wish_{line1.id}": "Size L please"})

    assert ExchangeItem.objects.get().wish == "Size L please"


def test_units_taken_meanwhile_are_explained_and_nothing_is_created(shopper, order, line1):
    choose(shopper, line1, quantity=2)
    return_create(
        order=order, actor=Actor.customer("alice@example.com"), lines=[LineRequest(line1.id, 1, "too_small")]
    )

    response = confirm(shopper, resolution="refund")

    assert response.status_code == 200
    assert "Only 1 unit(s) of this item can be returned." in response.content.decode()
    assert ReturnRequest.objects.count() == 1


def test_the_review_of_a_session_that_expired_goes_back_to_the_search(order):
    assert Client().post(url("review", store="shop"), {"resolution": "refund"}).status_code == 302


def test_confirming_the_same_draft_twice_creates_one_return(shopper, store, line1):
    choose(shopper, line1, quantity=1)
    key = shopper.session[f"portal:{store.pk}:draft"]["key"]
    page = shopper.get(url("review", store="shop")).content.decode()
    assert f'name="draft_key" value="{key}"' in page

    first = confirm(shopper, resolution="refund", draft_key=key)
    again = confirm(shopper, resolution="refund", draft_key=key)  # a double click, the back button

    rr = ReturnRequest.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == url("status", token=rr.token)


def test_a_new_draft_after_a_confirm_gets_a_new_key(shopper, store, line1):
    choose(shopper, line1, quantity=1)
    key = shopper.session[f"portal:{store.pk}:draft"]["key"]
    confirm(shopper, resolution="refund", draft_key=key)
    choose(shopper, line1, quantity=1)
    assert shopper.session[f"portal:{store.pk}:draft"]["key"] != key
    confirm(shopper, resolution="refund", draft_key=shopper.session[f"portal:{store.pk}:draft"]["key"])
    assert ReturnRequest.objects.count() == 2


def test_another_orders_draft_key_shows_nothing(shopper, store, line1, make_order):
    choose(shopper, line1, quantity=1)
    key = shopper.session[f"portal:{store.pk}:draft"]["key"]
    confirm(shopper, resolution="refund", draft_key=key)
    make_order("2002")
    other = Client()
    other.post(url("start", store="shop"), {"order_number": "2002", "contact": "alice@example.com"})
    response = confirm(other, resolution="refund", draft_key=key)
    assert response.status_code == 302 and response["Location"] == url("order", store="shop")
