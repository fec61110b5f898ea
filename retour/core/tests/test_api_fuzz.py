"""A short, bounded schemathesis run in the normal suite (issue 9, item 12): every operation of
the OpenAPI document gets generated requests, valid and invalid, with an admin key over data;
no answer may be a server error, and every answer must be documented (status, content type,
body schema). `make fuzz` runs the long version against a live server."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Valid and invalid cases per operation, generated afresh (no example database, fixed seed):
# 25 operations x 2 modes x 4 cases = 200 calls, a few seconds.
EXAMPLES_PER_MODE = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_key(store, api_key_admin, make_order):
    """An order with a return in the store of the key, so that some generated calls find data."""
    from retour.core.actors import Actor
    from retour.returns.services import LineRequest, return_create

    order = make_order("1001")
    return_create(
        order=order,
        actor=Actor.system("test"),
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
    )
    return api_key_admin


@pytest.mark.openapi_unchecked  # schemathesis checks these answers itself
def test_every_operation_answers_generated_requests_as_documented(transactional_db, fuzz_key):
    # Each request commits on its own, as on a live server: inside one test transaction a
    # database error of one request (PostgreSQL aborts the transaction) would poison the rest.
    from retour.config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {fuzz_key}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_MODE,
                database=None,
                derandomize=True,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):  # noqa: ANN001, ANN202
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                call()
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
