"""Multipart bodies to the API (issue 9, item 9): the API takes no uploads, so a multipart body
has the JSON limit and Django's own form limits answer 413 problem+json, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from retour.orders.models import Order

pytestmark = pytest.mark.django_db


def _multipart_post(key: str, fields: dict[str, str]):
    return Client().post("/api/v1/orders", fields, HTTP_AUTHORIZATION=f"Bearer {key}")


def _assert_413(response) -> None:
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "payload_too_large"


def test_a_multipart_body_over_the_api_limit_is_413(api_key_admin):
    _assert_413(_multipart_post(api_key_admin, {"number": "x" * (2 * 1024 * 1024)}))
    assert not Order.objects.exists()


def test_a_multipart_body_over_the_form_field_limit_is_413(api_key_admin, settings):
    settings.MAX_BODY_BYTES = 8 * 1024 * 1024  # the body itself is allowed; Django's form limits refuse it
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    _assert_413(_multipart_post(api_key_admin, {"number": "x" * 4096}))


def test_pages_keep_the_upload_limit_for_multipart(client, settings):
    """The portal's photo form still takes bodies above the API's limit."""
    settings.MAX_BODY_BYTES = 1024
    response = client.post("/portal/", {"note": "x" * 4096})
    assert response.status_code != 413
