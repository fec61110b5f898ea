"""Portal test helpers: an order to return, a browser session that found it, URLs per language."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

LINES = [
    {"ref": "L1", "sku": "TSHIRT-M", "title": "T-shirt M", "quantity": 2, "unit_price": "20.00"},
    {"ref": "L2", "sku": "MUG", "title": "Mug", "quantity": 1, "unit_price": "12.00"},
]


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"portal:{name}", kwargs=kwargs)


def jpeg(size=(40, 30)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LOOKUP_RATE_LIMIT = 10


@pytest.fixture
def order(make_order):
    return make_order("1001", lines=LINES)


@pytest.fixture
def shopper(order) -> Client:
    """A browser that looked the order up with its email."""
    client = Client()
    response = client.post(
        url("start", store="shop"), {"order_number": "1001", "contact": "alice@example.com"}
    )
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def line1(order):
    return order.lines.get(ref="L1")


@pytest.fixture
def line2(order):
    return order.lines.get(ref="L2")
