"""Shared fixtures. Data is built through the real services, never by poking rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _default_language():
    """Each test ends back in the default language: a request through LocaleMiddleware leaves
    its language active in the thread, and the next test on the worker would inherit it."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def store(db):
    from retour.stores.services import store_create

    return store_create(slug="shop", name="Maison Test", country="FR", currency="EUR", language="fr")


@pytest.fixture
def other_store(db):
    from retour.stores.services import store_create

    return store_create(slug="other", name="Other Shop", country="DE", currency="EUR", language="en")


def _key(store, role: str) -> str:
    from retour.stores.services import apikey_create

    return apikey_create(store=store, role=role)[1]


@pytest.fixture
def api_key_admin(store) -> str:
    return _key(store, "admin")


@pytest.fixture
def api_key_agent(store) -> str:
    return _key(store, "agent")


@pytest.fixture
def api_key_warehouse(store) -> str:
    return _key(store, "warehouse")


@pytest.fixture
def other_api_key(other_store) -> str:
    return _key(other_store, "admin")


class ApiClient:
    """A Django test client that speaks JSON with a bearer key."""

    def __init__(self, key: str | None, language: str = "en"):
        self.client = Client()
        self.key = key
        self.language = language

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if self.key:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.key}"
        for name, value in (extra or {}).items():
            headers["HTTP_" + name.upper().replace("-", "_")] = value
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        return self.client.get(path, params or {}, **self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self.client.post(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(headers),
        )

    def put(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self.client.put(
            path,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **self._headers(headers),
        )


@pytest.fixture
def api(api_key_admin) -> ApiClient:
    return ApiClient(api_key_admin)


@pytest.fixture
def api_as():
    """api_as(key) → a client with that key (or None for no key)."""
    return ApiClient


def order_payload(
    number: str = "1001",
    *,
    lines: list[dict[str, Any]] | None = None,
    delivered_days_ago: int | None = 3,
    now=None,
    country: str = "FR",
    postal_code: str = "75001",
    **extra: Any,
) -> dict[str, Any]:
    """A contract order body (api-v1.md) delivered ``delivered_days_ago`` days before ``now``."""
    from datetime import timedelta

    from django.utils import timezone

    now = now or timezone.now()
    delivered = (
        (now - timedelta(days=delivered_days_ago)).isoformat() if delivered_days_ago is not None else None
    )
    body: dict[str, Any] = {
        "number": number,
        "channel": "web",
        "placed_at": (now - timedelta(days=(delivered_days_ago or 0) + 2)).isoformat(),
        "currency": "EUR",
        "customer": {"email": "alice@example.com", "name": "Alice Martin", "language": "fr"},
        "shipping_address": {
            "name": "Alice Martin",
            "line1": "1 rue de Rivoli",
            "city": "Paris",
            "postal_code": postal_code,
            "country": country,
        },
        "shipping": {"amount": "9.90", "standard_amount": "4.90"},
        "delivered_at": delivered,
        "lines": lines
        or [{"ref": "L1", "sku": "TSHIRT-M", "title": "T-shirt M", "quantity": 2, "unit_price": "20.00"}],
    }
    body.update(extra)
    return body


@pytest.fixture
def make_order(store):
    """make_order(number, lines=[...], delivered_days_ago=3, store=..., **fields) → Order, via order_upsert."""
    from retour.orders.schemas import OrderIn
    from retour.orders.services import order_upsert

    def _make(number: str = "1001", *, target_store=None, **kwargs: Any):
        order, _created = order_upsert(
            store=target_store or store, data=OrderIn(**order_payload(number, **kwargs))
        )
        return order

    return _make


@pytest.fixture
def staff_actor():
    from retour.core.actors import Actor

    return Actor(type="user", name="agent@shop", role="agent")


@pytest.fixture
def customer_actor():
    from retour.core.actors import Actor

    return Actor.customer("alice@example.com")


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    """Tests marked ``postgres`` skip on SQLite, saying why."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locking, real concurrency); set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _api_responses_match_openapi(request, monkeypatch):
    """Every API response a test sees must be documented by the OpenAPI document: its status
    for the operation, and a JSON body that fits the schema (issue 9, item 12). A test that
    breaks the contract on purpose says so with ``@pytest.mark.openapi_unchecked``."""
    if "openapi_unchecked" in request.keywords:
        yield
        return
    from django.test.client import Client as DjangoClient

    from retour.core.tests.openapi_check import response_problems

    problems: list[str] = []
    original = DjangoClient.request

    def request_and_check(self, **environ):  # noqa: ANN001, ANN202
        response = original(self, **environ)
        problems.extend(response_problems(environ["REQUEST_METHOD"], environ["PATH_INFO"], response))
        return response

    monkeypatch.setattr(DjangoClient, "request", request_and_check)
    yield
    if problems:
        pytest.fail("API responses that the OpenAPI document does not describe:\n" + "\n".join(problems))
