"""Personal data: warehouse keys see what receiving needs; logs carry no email in clear."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from retour.core.logging import JsonFormatter, redact
from retour.returns.services import LineRequest, return_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_return(store, make_order, customer_actor):
    order = make_order("1001")
    return return_create(
        order=order,
        actor=customer_actor,
        channel="portal",
        lines=[LineRequest(order.lines.get().id, 1, "defective")],
    )


def test_a_warehouse_key_reads_returns_and_orders_without_the_customers_contact(
    api_as, api_key_warehouse, api_key_agent, a_return
):
    warehouse, agent = api_as(api_key_warehouse), api_as(api_key_agent)
    email = a_return.customer.email

    for path in (
        f"/api/v1/returns/{a_return.number}",
        "/api/v1/returns",
        f"/api/v1/returns/{a_return.number}/events",
        "/api/v1/orders/1001",
        "/api/v1/orders",
    ):
        seen = warehouse.get(path)
        assert seen.status_code == 200, path
        assert email not in seen.content.decode(), path
        assert email in agent.get(path).content.decode(), path

    detail = warehouse.get(f"/api/v1/returns/{a_return.number}").json()
    assert detail["customer_email"] == "" and detail["status_url"] == ""
    assert detail["lines"][0]["sku"]  # what receiving needs is there
    order = warehouse.get("/api/v1/orders/1001").json()
    assert order["shipping_address"]["line1"] == "" and order["shipping_address"]["postal_code"] == ""
    assert order["customer"]["phone"] == "" and order["lines"]


def test_log_lines_carry_no_email_address_in_clear():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("retour.test.personal")
    logger.addHandler(handler)
    try:
        logger.warning("Not Found: /api/v1/customers/Alice.Martin@example.com/store-credit")
        logger.error("lookup of alice.martin%40example.com failed")
    finally:
        logger.removeHandler(handler)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    text = stream.getvalue().lower()
    assert "alice.martin" not in text
    assert (
        lines[0]["message"]
        == "Not Found: /api/v1/customers/[email:" + lines[0]["message"].split("[email:")[1]
    )
    assert redact("alice.martin@example.com") == redact("Alice.Martin@Example.com")  # the same tag


def test_the_request_warning_of_a_customer_url_is_redacted(api, store, caplog):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("django.request").addHandler(handler)
    try:
        api.get("/api/v1/customers/nobody@example.com/store-credit")
        Client().get("/api/v1/customers/nobody@example.com/store-credit")
    finally:
        logging.getLogger("django.request").removeHandler(handler)

    assert stream.getvalue()  # the 404 and 401 were logged
    assert "nobody@example.com" not in stream.getvalue()
