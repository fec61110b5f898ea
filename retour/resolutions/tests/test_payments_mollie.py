"""Refunds through Mollie: the real ``mollie-api-python`` against a local fake of Mollie's API."""

from __future__ import annotations

import json

import pytest

from conftest import order_payload
from retour.notifications.models import Notification
from retour.resolutions.models import Refund
from retour.resolutions.payments.services import payment_provider_check, payment_provider_set, refund_send
from retour.resolutions.tests.conftest import MOLLIE_KEY, MOLLIE_SECRET
from retour.resolutions.tests.fake_providers import mollie_signature

pytestmark = pytest.mark.django_db
TR = "tr_WDqYK6vllg"


def _approved_return(api, fake, value="44.90"):
    body = order_payload("1001", payment={"provider": "mollie", "reference": TR})
    order = api.post("/api/v1/orders", body).json()
    fake.add_payment(TR, value)
    rn = api.post(
        "/api/v1/returns",
        {
            "order_number": "1001",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 2, "reason": "defective"}],
        },
    ).json()["number"]
    assert api.post(f"/api/v1/returns/{rn}/approve", {}).status_code == 200
    response = api.post(f"/api/v1/returns/{rn}/refunds", {"method": "original_payment"})
    assert response.status_code == 201, response.content
    return rn


def _kinds():
    return sorted(Notification.objects.values_list("kind", flat=True))


def test_a_refund_is_created_on_the_payment_with_the_refunds_key(api, mollie_store, fake_mollie):
    _approved_return(api, fake_mollie)
    refund = Refund.objects.get()
    assert refund.provider == "mollie" and refund.payment_reference == TR
    assert refund_send(refund_id=refund.pk) == "pending"  # Mollie queues refunds
    posts = fake_mollie.refund_posts()
    assert len(posts) == 1 and posts[0]["path"] == f"/v2/payments/{TR}/refunds"
    assert posts[0]["headers"]["Idempotency-Key"] == refund.idempotency_key
    sent = json.loads(posts[0]["body"])
    assert sent["amount"] == {"currency": "EUR", "value": "44.90"}
    assert sent["metadata"]["retour_refund_id"] == str(refund.pk)
    refund.refresh_from_db()
    assert refund.status == "pending" and refund.provider_reference.startswith("re_")
    assert "refund_issued" not in _kinds()


def test_the_webhook_reads_the_refund_back_and_settles_it_once(api, mollie_store, fake_mollie, client):
    _approved_return(api, fake_mollie)
    refund = Refund.objects.get()
    refund_send(refund_id=refund.pk)
    refund.refresh_from_db()
    url = f"/hooks/payments/mollie/{mollie_store.slug}"
    # Mollie's classic notification names the payment only; nothing changed yet at Mollie.
    assert client.post(url, f"id={TR}", content_type="application/x-www-form-urlencoded").status_code == 200
    assert Refund.objects.get().status == "pending"
    fake_mollie.refunds[refund.provider_reference]["status"] = "refunded"
    for _ in range(2):  # Mollie calls again; the second call finds it settled already
        assert (
            client.post(url, f"id={TR}", content_type="application/x-www-form-urlencoded").status_code == 200
        )
    assert Refund.objects.get().status == "succeeded"
    assert _kinds().count("refund_issued") == 1


def test_a_forged_notification_cannot_settle_anything(api, mollie_store, fake_mollie, client):
    _approved_return(api, fake_mollie)
    refund_send(refund_id=Refund.objects.get().pk)
    url = f"/hooks/payments/mollie/{mollie_store.slug}"
    # Whatever a forger posts, the state comes from Mollie's API with the store's key.
    forged = json.dumps({"id": "re_fake", "status": "refunded", "paymentId": TR}).encode()
    client.post(url, forged, content_type="application/json")
    assert Refund.objects.get().status == "pending"
    # With a signing secret set, an unsigned or wrongly signed notification is refused.
    payment_provider_set(store=mollie_store, provider="mollie", webhook_secret=MOLLIE_SECRET)
    body = f"id={TR}".encode()
    refused = client.post(
        url, body, content_type="application/x-www-form-urlencoded", HTTP_X_MOLLIE_SIGNATURE="sha256=00"
    )
    assert refused.status_code == 400
    event = json.dumps({"id": "event_1", "type": "payment.updated", "entityId": TR}).encode()
    fake_mollie.refunds[Refund.objects.get().provider_reference]["status"] = "failed"
    signed = mollie_signature(event, MOLLIE_SECRET)
    ok = client.post(url, event, content_type="application/json", HTTP_X_MOLLIE_SIGNATURE=signed)
    assert ok.status_code == 200 and ok.json()["status"] == "handled"
    assert Refund.objects.get().status == "failed" and "refund_failed" in _kinds()
    replay = client.post(url, event, content_type="application/json", HTTP_X_MOLLIE_SIGNATURE=signed)
    assert replay.json()["status"] == "duplicate"


def test_errors_429_and_timeouts_retry_with_the_same_key_and_refund_once(api, mollie_store, fake_mollie):
    _approved_return(api, fake_mollie)
    refund = Refund.objects.get()
    fake_mollie.script, fake_mollie.hang_seconds = ["429", "500", "timeout"], 2.5
    outcomes = [refund_send(refund_id=refund.pk)]
    for _ in range(3):
        refund.refresh_from_db()
        outcomes.append(refund_send(refund_id=refund.pk, now=refund.next_attempt_at))
    refund.refresh_from_db()
    assert outcomes == ["retry", "retry", "retry", "pending"]
    assert refund.provider_reference and len(fake_mollie.refunds) == 1
    assert {p["headers"]["Idempotency-Key"] for p in fake_mollie.refund_posts()} == {refund.idempotency_key}
    assert fake_mollie.payments[TR]["refunded"] == "44.90"


def test_a_refusal_fails_the_refund(api, mollie_store, fake_mollie):
    _approved_return(api, fake_mollie, value="10.00")  # less than asked: Mollie refuses
    assert refund_send(refund_id=Refund.objects.get().pk) == "failed"
    refund = Refund.objects.get()
    assert refund.status == "failed" and "higher than the amount" in refund.last_error
    assert "refund_failed" in _kinds()


def test_the_check_tells_whether_the_key_works(mollie_store, fake_mollie):
    assert "works" in payment_provider_check(store=mollie_store)
    payment_provider_set(store=mollie_store, provider="mollie", secret_key="test_wrongwrongwrongwrongwrong12")
    from retour.resolutions.payments.base import PaymentError

    with pytest.raises(PaymentError):
        payment_provider_check(store=mollie_store)
    assert MOLLIE_KEY
