"""The OpenAPI document tells the truth (issue 9, item 12)."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse
from django.test import Client

from retour.core.openapi import ERROR_RESPONSES
from retour.core.tests.openapi_check import openapi_document, response_problems

pytestmark = pytest.mark.django_db


def _served() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_reasons_are_documented_as_they_are_answered(api):
    document = _served()
    schema = document["paths"]["/api/v1/reasons"]["get"]["responses"]["200"]["content"]["application/json"]
    item = schema["schema"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][item]["properties"]) == {
        "code",
        "label",
        "seller_fault",
        "requires_photo",
    }
    assert set(api.get("/api/v1/reasons").json()[0]) == {"code", "label", "seller_fault", "requires_photo"}
    returnability = document["components"]["schemas"]["LineReturnabilityOut"]["properties"]["reasons"]
    other = returnability["items"]["$ref"].rsplit("/", 1)[-1]
    assert other != item and set(document["components"]["schemas"][other]["properties"]) == {
        "code",
        "message",
    }


def test_every_operation_documents_its_error_answers_as_problems():
    document = _served()
    operations = [
        (path, method, op) for path, item in document["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 20
    for path, method, operation in operations:
        for status in (401, 403, 404, 409, 413, 422, 429):
            response = operation["responses"].get(str(status))
            assert response is not None, (method, path, status)
            assert response["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
    assert set(ERROR_RESPONSES) >= {401, 403, 404, 409, 413, 422, 429}
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code", "detail"}


def _json(status: int, body: object, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type=content_type)


def test_the_response_check_finds_an_undocumented_status_and_a_body_that_does_not_fit():
    assert openapi_document()
    [problem] = response_problems("GET", "/api/v1/reasons", _json(418, {}))
    assert "not documented" in problem
    [problem, *_] = response_problems("GET", "/api/v1/reasons", _json(200, [{"code": "x", "message": "y"}]))
    assert "GET /api/v1/reasons → 200" in problem
    assert (
        response_problems(
            "GET",
            "/api/v1/reasons",
            _json(200, [{"code": "a", "label": "A", "seller_fault": False, "requires_photo": False}]),
        )
        == []
    )
    problem_body = {"type": "about:blank", "title": "t", "status": 404, "code": "not_found", "detail": "d"}
    assert (
        response_problems("GET", "/api/v1/returns/R-1", _json(404, problem_body, "application/problem+json"))
        == []
    )
    assert response_problems(
        "GET", "/api/v1/returns/R-1", _json(404, {"oops": 1}, "application/problem+json")
    )
    assert "content type" in response_problems("GET", "/api/v1/returns/R-1", _json(404, problem_body))[0]


def test_paths_that_are_no_operation_are_left_alone():
    assert response_problems("GET", "/api/v1/nowhere", _json(404, {})) == []
    assert response_problems("GET", "/portal/", _json(500, {})) == []


def test_a_url_too_long_for_the_web_server_is_documented():
    """make fuzz found gunicorn's 414 to a query over its request-line limit undocumented."""
    for item in _served()["paths"].values():
        for operation in item.values():
            assert "414" in operation["responses"]
    assert response_problems("GET", "/api/v1/inventory", HttpResponse("too long", status=414)) == []
