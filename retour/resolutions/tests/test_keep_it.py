"""Returnless refunds ("keep it"): under the policy's threshold the money goes back without the
item; the audit names the rule and the customer is told to keep or donate the item."""

from __future__ import annotations

import pytest

from conftest import order_payload
from retour.notifications.models import Notification
from retour.resolutions.models import Refund, StoreCreditCode
from retour.resolutions.payments.services import refund_send

pytestmark = pytest.mark.django_db


def _return(api, number, *, resolution="refund", reason="too_small", price="20.00", category="apparel"):
    lines = [
        {
            "ref": "L1",
            "sku": "SOCKS",
            "title": "Socks",
            "quantity": 1,
            "unit_price": price,
            "category": category,
        }
    ]
    order = api.post("/api/v1/orders", order_payload(number, lines=lines, is_business=True)).json()
    created = api.post(
        "/api/v1/returns",
        {
            "order_number": number,
            "resolution": resolution,
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": reason}],
        },
    )
    assert created.status_code == 201, created.content
    return created.json()["number"]


def _events(api, rn):
    return api.get(f"/api/v1/returns/{rn}/events").json()["items"]


def test_a_return_worth_less_than_the_threshold_is_refunded_without_the_item(api, store):
    policy = api.put("/api/v1/policy", {"keep_it_max_value": "25.00", "return_shipping_fee": "4.90"})
    assert policy.status_code == 200 and policy.json()["keep_it_max_value"] == "25.00"
    rn = _return(api, "1001", price="20.00")
    approved = api.post(f"/api/v1/returns/{rn}/approve", {}).json()
    assert approved["status"] == "approved" and approved["fees"] == []  # nothing ships back
    keep = [e for e in _events(api, rn) if e["action"] == "keep_it"]
    assert keep and keep[0]["data"] == {"rule": "value_under", "value": "20.00", "threshold": "25.00"}
    kinds = list(Notification.objects.values_list("kind", flat=True))
    assert "keep_it" in kinds and "return_approved" not in kinds  # no slip to print
    refund = Refund.objects.get()
    assert refund.method == "original_payment" and refund.amount == 20
    refund_send(refund_id=refund.pk)  # the worker; the store pays by hand (manual)
    detail = api.get(f"/api/v1/returns/{rn}").json()
    assert detail["status"] == "completed" and detail["refunded_total"] == "20.00"
    assert "refund_issued" in list(Notification.objects.values_list("kind", flat=True))


def test_above_the_threshold_the_item_must_come_back(api, store):
    api.put("/api/v1/policy", {"keep_it_max_value": "25.00"})
    rn = _return(api, "1002", price="30.00")
    approved = api.post(f"/api/v1/returns/{rn}/approve", {}).json()
    assert approved["status"] == "approved" and approved["refundable"] == "0.00"
    assert not any(e["action"] == "keep_it" for e in _events(api, rn))
    assert not Refund.objects.exists()
    assert "return_approved" in list(Notification.objects.values_list("kind", flat=True))


def test_a_reason_rule_issues_store_credit_and_names_the_rule(api, store):
    api.put("/api/v1/policy", {"keep_it_reasons": ["damaged_in_transit"], "refund_trigger": "on_receipt"})
    rn = _return(api, "1003", resolution="store_credit", reason="damaged_in_transit", price="80.00")
    approved = api.post(f"/api/v1/returns/{rn}/approve", {}).json()
    assert approved["status"] == "completed"
    keep = [e for e in _events(api, rn) if e["action"] == "keep_it"][0]
    assert keep["data"] == {"rule": "reason", "reasons": ["damaged_in_transit"]}
    assert StoreCreditCode.objects.get().amount == 80


def test_a_category_rule(api, store):
    api.put("/api/v1/policy", {"keep_it_categories": ["food"]})
    rn = _return(api, "1004", category="food", price="50.00")
    api.post(f"/api/v1/returns/{rn}/approve", {})
    assert [e["data"]["rule"] for e in _events(api, rn) if e["action"] == "keep_it"] == ["category"]


def test_an_exchange_never_qualifies(api, store):
    api.put("/api/v1/policy", {"keep_it_max_value": "100.00"})
    order = api.post("/api/v1/orders", order_payload("1005", is_business=True)).json()
    rn = api.post(
        "/api/v1/returns",
        {
            "order_number": "1005",
            "resolution": "exchange",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": "too_small"}],
            "exchange_items": [{"line_id": order["lines"][0]["id"], "sku": "TSHIRT-L", "quantity": 1}],
        },
    ).json()["number"]
    api.post(f"/api/v1/returns/{rn}/approve", {})
    assert not any(e["action"] == "keep_it" for e in _events(api, rn))


def test_keep_it_settings_are_checked(api, store):
    bad = api.put("/api/v1/policy", {"keep_it_max_value": "-1"})
    assert bad.status_code == 422
    worse = api.put("/api/v1/policy", {"keep_it_reasons": [""]})
    assert worse.status_code == 422


def test_the_keep_it_email_says_keep_or_donate_in_french(api, store):
    from retour.notifications.render import notification_render

    api.put("/api/v1/policy", {"keep_it_max_value": "25.00"})
    rn = _return(api, "1006")
    api.post(f"/api/v1/returns/{rn}/approve", {})
    email = notification_render(Notification.objects.get(kind="keep_it"))
    assert "gardez les articles, ou donnez-les" in email.text and "rien à nous renvoyer" in email.text
