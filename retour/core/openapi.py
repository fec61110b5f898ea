"""The OpenAPI document tells the truth about errors: every operation documents the
``application/problem+json`` answers the API may give (see ``retour.core.api``)."""

from __future__ import annotations

from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"

# status → what the description says; every operation may answer any of them.
ERROR_RESPONSES: dict[int, str] = {
    401: "`unauthenticated`: no or invalid API key",
    403: "`forbidden`: the key's role may not do this",
    404: "`not_found`: unknown, or of another store",
    409: "`invalid_transition`: not allowed in the return's current status",
    413: "`payload_too_large`: the body is over the limit",
    422: "`validation_error` (per-field `errors`) or a domain refusal with its code",
    429: "`rate_limited`: too many requests (see `Retry-After`)",
    500: "`server_error`: an unexpected error on our side, logged; the request may be retried",
    503: "the service is unavailable for a moment (e.g. the database does not answer); retry later",
}

# Answered by the web server (gunicorn) before Retour sees the request: no problem document.
SERVER_RESPONSES: dict[int, str] = {
    414: "the request line (the URL with its query) is too long; answered by the web server",
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document; `code` is stable, texts are in the caller's language.",
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable error code"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
    },
    "required": ["type", "title", "status", "code", "detail"],
}

PROBLEM_FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "type": "object",
    "properties": {
        "loc": {
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "description": 'Where in the request, e.g. ["lines", 0, "quantity"]',
        },
        "code": {"type": "string", "description": "Stable per-field code"},
        "message": {"type": "string"},
    },
    "required": ["loc", "code", "message"],
}

_METHODS = ("get", "put", "post", "delete", "patch", "options", "head")


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem schemas and each error response to every operation of ``schema``."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = PROBLEM_FIELD_ERROR_SCHEMA
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(str(status), {"description": description, "content": problem})
            for status, description in SERVER_RESPONSES.items():
                responses.setdefault(str(status), {"description": description})
    return schema
