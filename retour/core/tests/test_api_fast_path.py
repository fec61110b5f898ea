"""Bearer-token API calls skip the page middleware (session, CSRF, auth, messages,
X-Frame-Options); pages and key-less API calls keep all of it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_bearer_call_skips_the_page_middleware(api, make_order):
    make_order("1001")
    response = api.get("/api/v1/orders/1001/returnability")
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "user")
    assert not hasattr(request, "_messages")
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_a_bearer_post_needs_no_csrf_token_even_with_checks_on(api_key_admin, make_order):
    make_order("1001")
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {api_key_admin}")
    lines = client.get("/api/v1/orders/1001/returnability").json()["lines"]
    body = {
        "order_number": "1001",
        "lines": [{"line_id": lines[0]["line_id"], "quantity": 1, "reason": "too_small"}],
    }
    response = client.post("/api/v1/returns", body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_call_without_a_key_still_goes_through_the_full_stack():
    response = Client().get("/api/v1/orders/1001/returnability")
    assert response.status_code == 401
    assert response.wsgi_request.session is not None
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_keep_csrf_and_frame_protection(store):
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/fr/portal/{store.slug}/")
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    refused = client.post(f"/fr/portal/{store.slug}/", {"order_number": "1", "contact": "a@example.com"})
    assert refused.status_code == 403  # no CSRF token


def test_a_bearer_header_on_a_page_does_not_skip_anything(store, api_key_admin):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {api_key_admin}")
    refused = client.post(f"/fr/portal/{store.slug}/", {"order_number": "1", "contact": "a@example.com"})
    assert refused.status_code == 403
