"""Photos of a received item: warehouse staff (and admins, and a partner on its own location's
returns) attach them to a line while receiving or grading; they are checked as the shopper's
photos are (a real image, size, pixels), shown on the return's page and served only to staff of
the store."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from retour.backoffice.tests.conftest import url
from retour.returns.models import PhotoSource, ReturnEvent, ReturnPhoto

pytestmark = pytest.mark.django_db


def jpeg(size=(64, 48), name="item.jpg") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _post(client, rr, files, *, line=None, next_=""):
    data = {"line": str(line if line is not None else rr.lines.get().id), "photos": files}
    if next_:
        data["next"] = next_
    return client.post(url("return_action", number=rr.number, name="photos"), data, follow=True)


def test_warehouse_adds_photos_of_a_received_item_and_they_show_on_the_return_page(make_return, signed_in):
    rr = make_return("1001", status="received")
    client = signed_in("warehouse")
    page = client.get(url("return", number=rr.number)).content.decode()
    assert 'name="photos"' in page and 'enctype="multipart/form-data"' in page
    response = _post(client, rr, [jpeg(), jpeg(name="two.jpg")])
    assert response.status_code == 200
    assert "Photos added." in response.content.decode()
    photos = list(ReturnPhoto.objects.filter(return_request=rr))
    assert len(photos) == 2
    assert {p.source for p in photos} == {PhotoSource.RECEIVED_ITEM}
    assert {p.return_line_id for p in photos} == {rr.lines.get().id}
    page = client.get(url("return", number=rr.number)).content.decode()
    assert "Photos of the received items" in page
    assert "Photo 1 of the received item: T-shirt M" in page
    for p in photos:
        assert p.thumbnail.url in page and p.image.url in page
        assert client.get(p.image.url).status_code == 200
    assert "from the customer" not in page  # no shopper photo here
    event = ReturnEvent.objects.get(return_request=rr, action="photos_added")
    assert event.data == {"line": rr.lines.get().id, "count": 2}
    assert "2 photos of T-shirt M" in page  # the timeline, in words


def test_the_receiving_station_offers_the_form_and_comes_back_to_it(make_return, signed_in):
    rr = make_return("1001", status="received")
    client = signed_in("warehouse")
    page = client.get(url("receive_return", number=rr.number)).content.decode()
    assert 'name="photos"' in page
    response = _post(client, rr, [jpeg()], next_="receive")
    assert response.redirect_chain[-1][0] == url("receive_return", number=rr.number)
    assert ReturnPhoto.objects.filter(return_request=rr).count() == 1


def test_the_french_page_says_it_in_french(make_return, signed_in):
    rr = make_return("1001", status="received")
    client = signed_in("warehouse")
    _post(client, rr, [jpeg()])
    page = client.get(url("return", "fr", number=rr.number)).content.decode()
    assert "Photos de l’article reçu" in page and "Ajouter les photos" in page


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(make_return, signed_in):
    rr = make_return("1001", status="received")
    fake = SimpleUploadedFile("item.jpg", b"%PDF-1.4 not a picture" * 20, content_type="image/jpeg")
    response = _post(signed_in("warehouse"), rr, [jpeg(), fake])
    assert "not a picture we can read" in response.content.decode()
    assert ReturnPhoto.objects.count() == 0
    assert not ReturnEvent.objects.filter(action="photos_added").exists()


def test_too_many_pixels_is_refused_by_the_shared_check(make_return, signed_in, monkeypatch):
    monkeypatch.setattr("retour.returns.photos.MAX_PIXELS", 100 * 100)
    rr = make_return("1001", status="received")
    response = _post(signed_in("warehouse"), rr, [jpeg(size=(200, 200))])
    assert "too many pixels" in response.content.decode()
    assert ReturnPhoto.objects.count() == 0


def test_at_most_five_photos_per_item(make_return, signed_in):
    rr = make_return("1001", status="received")
    client = signed_in("warehouse")
    _post(client, rr, [jpeg(name=f"{n}.jpg") for n in range(4)])
    response = _post(client, rr, [jpeg(name="5.jpg"), jpeg(name="6.jpg")])
    assert "at most 5 photos" in response.content.decode()
    assert ReturnPhoto.objects.count() == 4


def test_an_item_not_received_yet_cannot_be_photographed(make_return, signed_in):
    rr = make_return("1001", status="approved")
    client = signed_in("warehouse")
    assert 'name="photos"' not in client.get(url("return", number=rr.number)).content.decode()
    response = _post(client, rr, [jpeg()])
    assert "Receive the item before adding photos of it." in response.content.decode()
    assert ReturnPhoto.objects.count() == 0


def test_an_agent_may_not_add_photos(make_return, signed_in):
    rr = make_return("1001", status="received")
    response = _post(signed_in("agent"), rr, [jpeg()])
    assert response.status_code == 403
    assert ReturnPhoto.objects.count() == 0


def test_another_stores_staff_and_another_locations_partner_get_404(make_return, signed_in):
    rr = make_return("1001", status="received")
    _post(signed_in("warehouse"), rr, [jpeg()])
    photo = ReturnPhoto.objects.get()
    for person in ("outsider", "partner"):  # an admin of another store; a partner of the depot
        client = signed_in(person)
        assert client.get(photo.image.url).status_code == 404
        assert client.get(photo.thumbnail.url).status_code == 404
        assert _post(client, rr, [jpeg()]).status_code == 404
    from django.test import Client

    assert Client().get(photo.image.url).status_code == 404  # nobody signed in
    assert ReturnPhoto.objects.count() == 1


def test_a_partner_photographs_a_return_routed_to_its_location(make_return, signed_in):
    rr = make_return("1001", status="received", location="depot")
    client = signed_in("partner")
    _post(client, rr, [jpeg()])
    photo = ReturnPhoto.objects.get()
    assert client.get(photo.image.url).status_code == 200
    assert signed_in("partner_main").get(photo.image.url).status_code == 404


def test_a_line_of_another_return_is_refused(make_return, signed_in):
    rr = make_return("1001", status="received")
    other = make_return("1002", status="received")
    response = _post(signed_in("warehouse"), rr, [jpeg()], line=other.lines.get().id)
    assert "This line is not part of the return." in response.content.decode()
    assert ReturnPhoto.objects.count() == 0
