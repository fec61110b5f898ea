"""Two endpoints: insert one row, read one row by number, behind a bearer token."""

from __future__ import annotations

import os
import secrets
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from bench.floor.models import Item

TOKEN = os.environ.get("BENCH_FLOOR_TOKEN", "floor")
STORE_ID = int(os.environ.get("BENCH_FLOOR_STORE", "1"))


class Bearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return token if secrets.compare_digest(token, TOKEN) else None


api = NinjaAPI(title="floor", urls_namespace="floor", auth=Bearer(), docs_url=None, openapi_url=None)


class ItemIn(Schema):
    number: str | None = None
    data: dict[str, Any] = {}


@api.post("/items", response={201: dict})
def item_insert(request: HttpRequest, payload: ItemIn) -> Any:
    item = Item.objects.create(
        store_id=STORE_ID, number=payload.number or uuid.uuid4().hex, data=payload.data
    )
    return 201, {"id": item.pk, "number": item.number}


@api.get("/items/{number}", response=dict)
def item_read(request: HttpRequest, number: str) -> Any:
    row = Item.objects.filter(store_id=STORE_ID, number=number).values("id", "number", "created_at").first()
    if row is None:
        raise HttpError(404, "not found")
    return row
