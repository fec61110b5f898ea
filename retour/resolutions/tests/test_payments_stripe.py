"""Refunds to the original payment through Stripe: the real ``stripe`` library against a local
fake that speaks Stripe's API (idempotency, errors, 429, timeouts, webhooks)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core import mail

from conftest import order_payload
from retour.notifications.models import Notification
from retour.resolutions.models import PaymentProviderConfig, Refund
from retour.resolutions.payments.services import (
    payment_provider_check,
    payment_provider_set,
    refund_send,
    refunds_retry_due,
)
from retour.resolutions.tests.conftest import STRIPE_KEY, STRIPE_WHSEC

pytestmark = pytest.mark.django_db
PI = "pi_3Retour0001"


def _paid_order(api, number="1001", reference=PI, provider="stripe"):
    body = order_payload(number, payment={"provider": provider, "reference": reference})
    response = api.post("/api/v1/orders", body)
    assert response.status_code == 201, response.content
    return response.json()


def _approved_return(api, fake, number="1001", amount=4490):
    order = _paid_order(api, number)
    fake.add_payment(PI, amount)
    line_id = order["lines"][0]["id"]
    created = api.post(
        "/api/v1/returns",
        {
            "order_number": number,
            "resolution": "refund",
            "lines": [{"line_id": line_id, "quantity": 2, "reason": "defective"}],
        },
    )
    assert created.status_code == 201, created.content
    rn = created.json()["number"]
    assert api.post(f"/api/v1/returns/{rn}/approve", {}).status_code == 200
    return rn


def _refund(api, rn, **body):
    response = api.post(f"/api/v1/returns/{rn}/refunds", {"method": "original_payment", **body})
    assert response.status_code == 201, response.content
    return response.json()


def _kinds():
    return sorted(Notification.objects.values_list("kind", flat=True))


def test_the_store_sets_stripe_and_the_answer_never_shows_the_secrets(api, store):
    response = api.put(
        "/api/v1/payment-provider",
        {"provider": "stripe", "secret_key": "sk_test_51Hsecret4242", "webhook_secret": "whsec_topsecret"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["provider"] == "stripe" and body["secret_key_set"] and body["webhook_secret_set"]
    assert body["secret_key_hint"] == "sk_test_…4242"
    assert body["webhook_url"].endswith(f"/hooks/payments/stripe/{store.slug}")
    assert (
        "sk_test_51Hsecret4242" not in response.content.decode()
        and "topsecret" not in response.content.decode()
    )
    stored = PaymentProviderConfig.objects.get(store=store)
    assert "sk_test_51Hsecret4242" not in stored.secret_key_encrypted and stored.secret_key_encrypted
    assert "topsecret" not in stored.webhook_secret_encrypted
    # Changing nothing but the webhook secret keeps the key.
    again = api.put("/api/v1/payment-provider", {"provider": "stripe", "webhook_secret": "whsec_other"})
    assert again.status_code == 200 and again.json()["secret_key_hint"] == "sk_test_…4242"


def test_setting_the_provider_needs_the_admin_role_and_a_plausible_key(api, api_as, api_key_agent, store):
    agent = api_as(api_key_agent)
    refused = agent.put("/api/v1/payment-provider", {"provider": "manual"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bad = api.put("/api/v1/payment-provider", {"provider": "stripe", "secret_key": "pk_test_public"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["secret_key"]
    missing = api.put("/api/v1/payment-provider", {"provider": "mollie"})
    assert missing.status_code == 422
    unknown = api.put("/api/v1/payment-provider", {"provider": "paypal", "secret_key": "x"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "validation_error"
    assert not PaymentProviderConfig.objects.filter(store=store).exists()


def test_an_order_carries_its_payment_reference(api):
    order = _paid_order(api)
    assert order["payment"] == {"provider": "stripe", "reference": PI}
    assert api.get("/api/v1/orders/1001").json()["payment"] == {"provider": "stripe", "reference": PI}
    no_ref = api.post("/api/v1/orders", order_payload("1002", payment={"provider": "stripe"}))
    assert no_ref.status_code == 422


def test_a_refund_goes_to_stripe_once_after_commit_and_succeeds(api, stripe_store, fake_stripe):
    rn = _approved_return(api, fake_stripe)
    answered = _refund(api, rn)
    assert [r["status"] for r in answered["refunds"]] == ["pending"]
    assert fake_stripe.refund_posts() == []  # nothing reaches the provider inside the request
    assert "refund_issued" not in _kinds()  # nor is the customer told yet

    refund = Refund.objects.get()
    assert refund_send(refund_id=refund.pk) == "succeeded"

    posts = fake_stripe.refund_posts()
    assert len(posts) == 1
    sent = posts[0]
    assert sent["headers"]["Idempotency-Key"] == refund.idempotency_key
    assert refund.amount == Decimal(
        "44.90"
    )  # both units and the standard delivery (a whole-order withdrawal)
    assert "payment_intent=pi_3Retour0001" in sent["body"].decode() and "amount=4490" in sent["body"].decode()
    detail = api.get(f"/api/v1/returns/{rn}").json()
    assert detail["refunds"][0]["status"] == "succeeded"
    assert detail["refunds"][0]["provider"] == "stripe"
    assert detail["refunds"][0]["provider_reference"].startswith("re_")
    assert _kinds().count("refund_issued") == 1
    # Running the task again changes nothing and calls nobody.
    assert refund_send(refund_id=refund.pk) == "skipped"
    assert len(fake_stripe.refund_posts()) == 1


def test_the_refund_task_is_enqueued_only_when_the_request_commits(
    api, stripe_store, fake_stripe, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    rn = _approved_return(api, fake_stripe)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _refund(api, rn)
    assert callbacks
    assert Refund.objects.get().status == "succeeded" and len(fake_stripe.refund_posts()) == 1


def test_minor_units_follow_the_currency(api, stripe_store, fake_stripe):
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn, amount="12.35")
    refund_send(refund_id=Refund.objects.get().pk)
    assert "amount=1235" in fake_stripe.refund_posts()[0]["body"].decode()


def test_429_and_5xx_are_retried_with_the_same_key_and_pay_once(api, stripe_store, fake_stripe):
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    refund = Refund.objects.get()
    fake_stripe.script = ["429", "500"]
    assert refund_send(refund_id=refund.pk) == "retry"
    refund.refresh_from_db()
    assert (
        refund.status == "pending"
        and refund.provider_state == "queued"
        and "too many requests" in refund.last_error.lower()
    )
    assert refund_send(refund_id=refund.pk) == "skipped"  # not due yet
    assert refund_send(refund_id=refund.pk, now=refund.next_attempt_at) == "retry"
    refund.refresh_from_db()
    assert refund_send(refund_id=refund.pk, now=refund.next_attempt_at) == "succeeded"
    keys = {p["headers"]["Idempotency-Key"] for p in fake_stripe.refund_posts()}
    assert keys == {refund.idempotency_key} and len(fake_stripe.refunds) == 1
    assert "refund_failed" not in _kinds()


def test_a_timeout_after_stripe_made_the_refund_never_pays_twice(api, stripe_store, fake_stripe):
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    refund = Refund.objects.get()
    fake_stripe.script, fake_stripe.hang_seconds = ["timeout"], 2.5  # the answer is lost, the refund made
    assert refund_send(refund_id=refund.pk) == "retry"
    refund.refresh_from_db()
    assert refund_send(refund_id=refund.pk, now=refund.next_attempt_at) == "succeeded"
    assert len(fake_stripe.refund_posts()) == 2 and len(fake_stripe.refunds) == 1
    assert fake_stripe.payments[PI]["refunded"] == 4490


def test_a_refusal_fails_the_refund_alerts_staff_and_puts_the_return_back_to_refund(
    api, stripe_store, fake_stripe
):
    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    fake_stripe.script = ["decline"]
    assert refund_send(refund_id=Refund.objects.get().pk) == "failed"
    detail = api.get(f"/api/v1/returns/{rn}").json()
    assert detail["refunds"][0]["status"] == "failed" and detail["refunds"][0]["failed_at"]
    assert detail["refundable"] == "44.90"  # the money is owed again
    queue = api.get("/api/v1/returns", {"to_refund": "true"}).json()["items"]
    assert [r["number"] for r in queue] == [rn]
    assert "refund_issued" not in _kinds()
    alert = Notification.objects.get(kind="refund_failed")
    assert alert.recipient == "support@shop.example"
    events = [e["action"] for e in api.get(f"/api/v1/returns/{rn}/events").json()["items"]]
    assert events[-1] == "refund_failed"


def test_a_worker_that_died_mid_send_is_taken_back_by_the_sweep_with_the_same_key(
    api, stripe_store, fake_stripe, settings
):
    from datetime import timedelta

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    refund = Refund.objects.get()
    # The worker claimed it and Stripe made the refund, then the worker died before writing.
    now = timezone.now()
    Refund.objects.filter(pk=refund.pk).update(
        provider_state="sending", attempts=1, next_attempt_at=now + timedelta(minutes=5)
    )
    fake_stripe.payments[PI]["refunded"] = 0
    from retour.resolutions.payments.base import RefundCall
    from retour.resolutions.payments.stripe_adapter import StripeAdapter

    StripeAdapter(secret_key=STRIPE_KEY).refund(
        RefundCall(refund.idempotency_key, PI, refund.amount, "EUR", refund.pk, rn)
    )
    default_task_backend.clear()
    assert refunds_retry_due(now=now) == 0  # the lease still runs
    assert refunds_retry_due(now=now + timedelta(minutes=6)) == 1
    assert refund_send(refund_id=refund.pk, now=now + timedelta(minutes=6)) == "succeeded"
    assert len(fake_stripe.refunds) == 1 and fake_stripe.payments[PI]["refunded"] == 4490


def test_a_pending_refund_settles_on_the_signed_webhook_and_a_replay_changes_nothing(
    api, stripe_store, fake_stripe, client
):
    from retour.resolutions.tests.fake_providers import stripe_signature

    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    fake_stripe.script = ["pending"]
    refund = Refund.objects.get()
    assert refund_send(refund_id=refund.pk) == "pending"
    refund.refresh_from_db()
    assert refund.status == "pending" and refund.provider_state == "submitted"
    provider_refund = dict(fake_stripe.refunds[refund.provider_reference], status="succeeded")
    payload = json.dumps(fake_stripe.event("refund.updated", provider_refund, "evt_1")).encode()
    url = f"/hooks/payments/stripe/{stripe_store.slug}"

    forged = client.post(
        url,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, "whsec_wrong"),
    )
    assert forged.status_code == 400
    assert Refund.objects.get().status == "pending"

    signed = stripe_signature(payload, STRIPE_WHSEC)
    ok = client.post(url, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed)
    assert ok.status_code == 200 and ok.json()["status"] == "handled"
    assert Refund.objects.get().status == "succeeded"
    again = client.post(url, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert _kinds().count("refund_issued") == 1


def test_an_old_signed_webhook_is_refused(api, stripe_store, fake_stripe, client):
    import time

    from retour.resolutions.tests.fake_providers import stripe_signature

    payload = json.dumps(
        fake_stripe.event("refund.updated", {"id": "re_x", "object": "refund", "status": "succeeded"})
    ).encode()
    stale = stripe_signature(payload, STRIPE_WHSEC, timestamp=int(time.time()) - 3600)
    response = client.post(
        f"/hooks/payments/stripe/{stripe_store.slug}",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stale,
    )
    assert response.status_code == 400


def test_a_failed_webhook_fails_the_refund(api, stripe_store, fake_stripe, client):
    from retour.resolutions.tests.fake_providers import stripe_signature

    rn = _approved_return(api, fake_stripe)
    _refund(api, rn)
    fake_stripe.script = ["pending"]
    refund_send(refund_id=Refund.objects.get().pk)
    refund = Refund.objects.get()
    failed = dict(
        fake_stripe.refunds[refund.provider_reference],
        status="failed",
        failure_reason="expired_or_canceled_card",
    )
    payload = json.dumps(fake_stripe.event("refund.failed", failed)).encode()
    response = client.post(
        f"/hooks/payments/stripe/{stripe_store.slug}",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, STRIPE_WHSEC),
    )
    assert response.status_code == 200
    refund.refresh_from_db()
    assert refund.status == "failed" and "expired_or_canceled_card" in refund.last_error
    assert "refund_failed" in _kinds() and "refund_issued" not in _kinds()


def test_the_order_of_another_provider_or_without_reference_is_refused_before_anything(
    api, stripe_store, fake_stripe
):
    response = api.post(
        "/api/v1/orders", order_payload("2001", payment={"provider": "mollie", "reference": "tr_1"})
    )
    assert response.status_code == 201
    line_id = response.json()["lines"][0]["id"]
    rn = api.post(
        "/api/v1/returns",
        {"order_number": "2001", "lines": [{"line_id": line_id, "quantity": 1, "reason": "defective"}]},
    ).json()["number"]
    api.post(f"/api/v1/returns/{rn}/approve", {})
    refused = api.post(f"/api/v1/returns/{rn}/refunds", {"method": "original_payment"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "payment_provider_not_configured"
    assert not Refund.objects.exists()


def test_payments_check_says_whether_the_keys_work(stripe_store, fake_stripe):
    assert "works" in payment_provider_check(store=stripe_store)
    payment_provider_set(store=stripe_store, provider="stripe", secret_key="sk_test_wrong")
    from retour.resolutions.payments.base import PaymentError

    with pytest.raises(PaymentError):
        payment_provider_check(store=stripe_store)


def test_the_manual_provider_records_the_refund_as_paid(api, store):
    order = api.post("/api/v1/orders", order_payload("3001")).json()
    api.put("/api/v1/policy", {"refund_trigger": "on_approval"})
    rn = api.post(
        "/api/v1/returns",
        {
            "order_number": "3001",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": "defective"}],
        },
    ).json()["number"]
    api.post(f"/api/v1/returns/{rn}/approve", {})
    _refund(api, rn)
    refund = Refund.objects.get()
    assert refund.provider == "manual" and refund.status == "pending"
    assert refund_send(refund_id=refund.pk) == "succeeded"
    assert Refund.objects.get().provider_reference == f"manual-{refund.pk}"
    assert "refund_issued" in _kinds()
    mail.outbox.clear()


def test_the_cli_check_tells_whether_the_keys_work(stripe_store, fake_stripe, capsys):
    from retour.cli import main

    assert main(["payments", "check", "--store", stripe_store.slug]) == 0
    assert "stripe: the secret key works" in capsys.readouterr().out
    payment_provider_set(store=stripe_store, provider="stripe", secret_key="sk_test_revoked")
    assert main(["payments", "check", "--store", stripe_store.slug]) == 1
    assert "does not work" in capsys.readouterr().err


def test_the_admin_sets_the_provider_without_ever_showing_the_secret(store, client):
    from django.contrib.auth import get_user_model

    from retour.stores.models import StoreMembership

    user = get_user_model().objects.create_user("boss", password="pw-boss-123", is_staff=True)
    StoreMembership.objects.create(store=store, user=user, role="admin")
    client.force_login(user)
    url = "/admin/resolutions/paymentproviderconfig/add/"
    bad = client.post(url, {"store": store.pk, "provider": "stripe", "secret_key": "nope"})
    assert bad.status_code == 200 and not PaymentProviderConfig.objects.exists()
    ok = client.post(url, {"store": store.pk, "provider": "stripe", "secret_key": "sk_test_admin9876"})
    assert ok.status_code == 302
    config = PaymentProviderConfig.objects.get(store=store)
    assert config.provider == "stripe" and config.secret_key_hint == "sk_test_…9876"
    page = client.get(f"/admin/resolutions/paymentproviderconfig/{config.pk}/change/")
    assert page.status_code == 200 and "sk_test_admin9876" not in page.content.decode()
