"""Idempotency-Key: the same request is carried out once; a key is not reused for another."""

from __future__ import annotations

import pytest

from retour.core.models import IdempotencyRecord
from retour.orders.models import Order, OrderLine
from retour.orders.tests.helpers import order_body

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "order-1001-attempt"}


def test_the_same_key_and_body_replays_the_first_answer(api):
    first = api.post("/api/v1/orders", order_body(), headers=KEY)
    again = api.post("/api/v1/orders", order_body(), headers=KEY)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 1


def test_without_a_key_a_second_post_updates_and_answers_200(api):
    assert api.post("/api/v1/orders", order_body()).status_code == 201
    assert api.post("/api/v1/orders", order_body()).status_code == 200


def test_the_replay_ignores_spacing_and_key_order(api):
    import json

    body = order_body()
    first = api.post("/api/v1/orders", body, headers=KEY)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
    again = api.client.post(
        "/api/v1/orders",
        reordered,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
        HTTP_IDEMPOTENCY_KEY=KEY["Idempotency-Key"],
    )
    assert again.status_code == 201 and again.json() == first.json()


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api):
    api.post("/api/v1/orders", order_body(), headers=KEY)
    response = api.post("/api/v1/orders", order_body(external_id="changed"), headers=KEY)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.get().external_id == "shop-1001"


def test_the_same_key_on_another_endpoint_is_refused(api):
    api.post("/api/v1/orders", order_body(), headers=KEY)
    response = api.post("/api/v1/returns", {"order_number": "1001", "lines": []}, headers=KEY)
    assert response.json()["code"] in ("idempotency_key_reused", "validation_error")
    assert response.status_code == 422


def test_keys_belong_to_a_store(api, api_as, other_api_key):
    mine = api.post("/api/v1/orders", order_body(), headers=KEY)
    theirs = api_as(other_api_key).post("/api/v1/orders", order_body(), headers=KEY)
    assert mine.status_code == theirs.status_code == 201
    assert Order.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 2


def test_a_refused_request_is_not_recorded_and_may_be_retried_with_its_key(api):
    bad = order_body(currency="XXX1")
    assert api.post("/api/v1/orders", bad, headers=KEY).status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert api.post("/api/v1/orders", order_body(), headers=KEY).status_code == 201


def test_a_domain_refusal_rolls_back_the_key_with_the_change(api):
    api.post("/api/v1/orders", order_body())
    other_currency = order_body(currency="USD")
    response = api.post("/api/v1/orders", other_currency, headers=KEY)
    assert response.json()["code"] == "validation_error"
    assert not IdempotencyRecord.objects.exists()


def test_an_over_long_key_is_refused(api):
    response = api.post("/api/v1/orders", order_body(), headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert not Order.objects.exists()
