"""Retour's URLs plus two bare endpoints that serve as floors for the benchmark.

They go through the same stack as the real API (middleware, django-ninja, bearer API-key
authentication, role check) and do the least a write or a read can do: insert one row, read
one row. They exist only under ``bench.settings``, never in the application.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from retour.config.urls import urlpatterns as retour_urlpatterns
from retour.core.api import ApiKeyAuth, api_store, install_exception_handlers, require_role
from retour.core.errors import NotFound
from retour.core.models import IdempotencyRecord
from retour.orders.models import Order
from retour.stores.models import Role

bench_api = NinjaAPI(
    title="Retour bench floors", urls_namespace="bench", auth=ApiKeyAuth(), docs_url=None, openapi_url=None
)
install_exception_handlers(bench_api)


@bench_api.post("/insert", response={201: dict})
def floor_insert(request: HttpRequest) -> Any:
    """Insert one row (an idempotency record of the caller's store)."""
    require_role(request, Role.ADMIN, Role.AGENT)
    record = IdempotencyRecord.objects.create(
        store=api_store(request),
        key=uuid.uuid4().hex,
        method="POST",
        path="/bench/insert",
        body_hash="",
        status_code=201,
        response_body={},
    )
    return 201, {"id": record.pk}


@bench_api.get("/orders/{number}", response=dict)
def floor_read(request: HttpRequest, number: str) -> Any:
    """Read one row (an order of the caller's store, by number)."""
    require_role(request, Role.ADMIN, Role.AGENT, Role.WAREHOUSE)
    row = (
        Order.objects.filter(store=api_store(request), number=number)
        .values("number", "currency", "placed_at")
        .first()
    )
    if row is None:
        raise NotFound()
    return row


urlpatterns = [path("bench/", bench_api.urls), *retour_urlpatterns]
