"""Every API response the test suite sees is checked against the OpenAPI document (issue 9,
item 12): its status must be documented for the operation, and a JSON body must fit the
documented schema of its content type. Wired in the root ``conftest.py`` for every test."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema_rs

API_PREFIX = "/api/v1/"
_METHODS = ("get", "put", "post", "delete", "patch")


@cache
def openapi_document() -> dict[str, Any]:
    from retour.config.api import api

    return json.loads(json.dumps(api.get_openapi_schema()))


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in openapi_document()["paths"]:
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template))
    # literal paths before templated ones: /returns/export before /returns/{number}
    return sorted(routes, key=lambda route: route[1].count("{"))


@cache
def _validator(template: str, method: str, status: str, content_type: str) -> Any:
    document = openapi_document()
    schema = document["paths"][template][method]["responses"][status]["content"][content_type]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": document.get("components", {})})


def _template(path: str) -> str | None:
    return next((template for pattern, template in _routes() if pattern.match(path)), None)


def response_problems(method: str, path: str, response: Any) -> list[str]:
    """Why ``response`` to ``method path`` does not match the document (empty when it does)."""
    if not path.startswith(API_PREFIX) or method.lower() not in _METHODS:
        return []
    template = _template(path)
    if template is None:  # no operation at this path (a 404 for an unknown path)
        return []
    operations = openapi_document()["paths"][template]
    method = method.lower()
    if method not in operations:  # a 405: not an operation either
        return []
    where = f"{method.upper()} {template} → {response.status_code}"
    responses = operations[method].get("responses", {})
    status = str(response.status_code)
    if status not in responses:
        status = f"{status[0]}XX" if f"{status[0]}XX" in responses else "default"
    if status not in responses:
        return [f"{where}: this status is not documented"]
    content = responses[status].get("content") or {}
    if not content:
        return []
    content_type = (response.get("Content-Type") or "").split(";")[0].strip()
    if content_type not in content:
        return [f"{where}: content type {content_type!r} is not documented (only {sorted(content)})"]
    if not content_type.endswith("json") or "schema" not in content[content_type]:
        return []
    try:
        body = json.loads(response.content)
    except ValueError:
        return [f"{where}: the body is not JSON"]
    validator = _validator(template, method, status, content_type)
    return [
        f"{where}: {error.message} at {list(error.instance_path)}" for error in validator.iter_errors(body)
    ][:5]
