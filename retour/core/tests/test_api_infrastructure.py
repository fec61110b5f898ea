"""What every endpoint shares: keys, problem+json errors, languages, limits, docs."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from retour.orders.tests.helpers import order_body
from retour.stores.models import ApiKey
from retour.stores.services import apikey_revoke

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "code", "detail"}

CONTRACT_PATHS = [
    "/api/v1/orders",
    "/api/v1/orders/{number}",
    "/api/v1/orders/{number}/returnability",
    "/api/v1/returns",
    "/api/v1/returns/{number}",
    "/api/v1/returns/{number}/events",
    "/api/v1/returns/{number}/approve",
    "/api/v1/returns/{number}/reject",
    "/api/v1/returns/{number}/cancel",
    "/api/v1/returns/{number}/ship",
    "/api/v1/returns/{number}/receive",
    "/api/v1/returns/{number}/inspect",
    "/api/v1/returns/{number}/refunds",
    "/api/v1/returns/{number}/close",
    "/api/v1/reasons",
    "/api/v1/policy",
    "/api/v1/inventory",
    "/api/v1/customers/{email}/store-credit",
    "/api/v1/legal/withdrawal",
    "/api/v1/legal/refund-due",
    "/api/v1/legal/guarantee",
    "/api/v1/legal/late-refund",
]


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"]
    return body


# Authentication ---------------------------------------------------------------------------------


def test_a1_no_key_is_refused_with_401(api_as):
    response = api_as(None).get("/api/v1/policy")
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer rt_not-a-key", "Bearer ", "Basic dXNlcjpwYXNz", "rt_xyz"])
def test_a1_a_wrong_key_is_refused_with_401(store, header):
    response = Client().get("/api/v1/policy", HTTP_AUTHORIZATION=header)
    assert_problem(response, 401, "unauthenticated")


def test_a_revoked_key_is_refused(api_as, api_key_admin):
    apikey_revoke(key=ApiKey.objects.get())
    assert_problem(api_as(api_key_admin).get("/api/v1/policy"), 401, "unauthenticated")


def test_a_valid_key_is_let_in_and_its_use_noted(api):
    assert api.get("/api/v1/policy").status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


# problem+json -----------------------------------------------------------------------------------


def test_a_body_that_does_not_fit_gives_per_field_errors(api):
    body = order_body()
    del body["number"]
    body["lines"][0]["quantity"] = "two"
    body["customer"]["email"] = "not-an-email"
    problem = assert_problem(api.post("/api/v1/orders", body), 422, "validation_error")
    errors = {tuple(e["loc"]): e for e in problem["errors"]}
    assert errors[("number",)]["code"] == "missing"
    assert errors[("lines", 0, "quantity")]["code"] == "int_parsing"
    assert errors[("customer", "email")]["code"] == "invalid_email"
    assert all(set(e) == {"loc", "code", "message"} and e["message"] for e in problem["errors"])


def test_unknown_fields_are_refused(api):
    problem = assert_problem(api.post("/api/v1/orders", order_body(colour="blue")), 422, "validation_error")
    assert problem["errors"] == [{"loc": ["colour"], "code": "extra_forbidden", "message": "Unknown field."}]


def test_a_query_that_does_not_fit_is_a_validation_error(api):
    problem = assert_problem(api.get("/api/v1/returns", {"limit": 201}), 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["limit"]
    assert problem["errors"][0]["code"] == "less_than_equal"


def test_a_body_that_is_not_json_is_a_validation_error(api):
    response = api.client.post(
        "/api/v1/orders", "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {api.key}"
    )
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["code"] == "json_invalid"


def test_messages_follow_accept_language(api_as, api_key_admin):
    body = order_body()
    del body["number"]
    body["customer"]["email"] = "nope"
    english = api_as(api_key_admin, "en").post("/api/v1/orders", body).json()
    french = api_as(api_key_admin, "fr").post("/api/v1/orders", body).json()
    assert english["code"] == french["code"] == "validation_error"
    messages = {tuple(e["loc"]): e["message"] for e in french["errors"]}
    assert messages[("number",)] == "Ce champ est obligatoire."
    assert messages[("customer", "email")] == "Saisissez une adresse de courriel valide."
    assert {tuple(e["loc"]): e["message"] for e in english["errors"]}[
        ("number",)
    ] == "This field is required."


def test_an_unknown_api_path_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/nothing-here"), 404, "not_found")


def test_a_method_not_allowed_is_a_405_problem(api):
    response = api.client.delete("/api/v1/policy", HTTP_AUTHORIZATION=f"Bearer {api.key}")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PUT"}


def test_an_unexpected_error_is_a_500_problem_without_internals(api, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("retour.catalog.api.stock_levels", boom)
    problem = assert_problem(api.get("/api/v1/inventory"), 500, "server_error")
    assert "secret" not in json.dumps(problem)


def test_a_body_over_one_mib_is_refused_with_413(api):
    body = order_body(external_id="x" * (1024 * 1024 + 1))
    assert_problem(api.post("/api/v1/orders", body), 413, "payload_too_large")


def test_the_413_is_in_the_callers_language(api):
    body = order_body(external_id="x" * (1024 * 1024 + 1))
    api.language = "fr"
    problem = assert_problem(api.post("/api/v1/orders", body), 413, "payload_too_large")
    assert problem["title"] == "Le corps de la requête est trop volumineux"
    assert problem["detail"] == "Le corps de la requête ne doit pas dépasser 1048576 octets."


# Rate limit -------------------------------------------------------------------------------------


def test_a_key_over_its_rate_limit_gets_429(api, settings):
    settings.API_RATE_LIMIT = 2
    assert api.get("/api/v1/policy").status_code == 200
    assert api.get("/api/v1/policy").status_code == 200
    response = api.get("/api/v1/policy")
    assert_problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_the_rate_limit_counts_per_key(api, api_as, api_key_agent, settings):
    settings.API_RATE_LIMIT = 1
    assert api.get("/api/v1/policy").status_code == 200
    assert api_as(api_key_agent).get("/api/v1/policy").status_code == 200
    assert api.get("/api/v1/policy").status_code == 429


def test_without_a_limit_nothing_is_counted(api, settings):
    from retour.core.models import RateLimitCounter

    settings.API_RATE_LIMIT = 0
    for _ in range(3):
        assert api.get("/api/v1/policy").status_code == 200
    assert not RateLimitCounter.objects.exists()


# Documentation ----------------------------------------------------------------------------------


def test_openapi_json_is_served_without_a_key_and_has_the_contract_paths(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == "1"
    missing = [p for p in CONTRACT_PATHS if p not in schema["paths"]]
    assert missing == []
    assert set(schema["paths"]["/api/v1/orders"]) >= {"post", "get"}
    assert set(schema["paths"]["/api/v1/policy"]) == {"get", "put"}


def test_the_docs_page_is_served(db):
    assert Client().get("/api/v1/docs").status_code == 200


def test_healthz_answers_ok(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
