"""Shared fixtures. Data is built through the real services, never by poking rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


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
        return self.client.post(path, json.dumps(body if body is not None else {}), content_type="application/json",
                                **self._headers(headers))

    def put(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return self.client.put(path, json.dumps(body if body is not None else {}), content_type="application/json",
                               **self._headers(headers))


@pytest.fixture
def api(api_key_admin) -> ApiClient:
    return ApiClient(api_key_admin)


@pytest.fixture
def api_as():
    """api_as(key) → a client with that key (or None for no key)."""
    return ApiClient
