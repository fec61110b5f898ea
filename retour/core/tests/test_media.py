"""Return photos are served only to staff of the photo's store."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from retour.returns.models import ReturnPhoto
from retour.returns.services import LineRequest, return_create
from retour.stores.services import staff_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(store, make_order, customer_actor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = make_order()
    rr = return_create(
        order=order, actor=customer_actor, lines=[LineRequest(order.lines.get().id, 1, "defective")]
    )
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return ReturnPhoto.objects.create(
        return_request=rr,
        image=ContentFile(buf.getvalue(), "p.jpg"),
        thumbnail=ContentFile(buf.getvalue(), "t.jpg"),
    )


def _client(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_staff_of_the_store_sees_the_photo(store, photo):
    staff_add(store=store, username="agent", role="agent")
    response = _client("agent").get(f"/media/{photo.image.name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_staff_of_another_store_and_strangers_get_404(store, other_store, photo):
    staff_add(store=other_store, username="intruder", role="admin")
    assert _client("intruder").get(f"/media/{photo.image.name}").status_code == 404
    assert Client().get(f"/media/{photo.image.name}").status_code == 404
    staff_add(store=store, username="agent", role="agent")
    assert _client("agent").get("/media/returns/photos/none.jpg").status_code == 404
