"""Refunds to the original payment under real concurrency (PostgreSQL): parallel requests, parallel
workers, and a worker killed between Stripe's answer and its own write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from conftest import ApiClient, order_payload
from retour.resolutions.models import Refund
from retour.resolutions.payments.services import refund_send, refunds_retry_due
from retour.returns.tests.test_concurrency import _race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PI = "pi_3RetourConcurrent"


def _ready_return(api_key, fake):
    api = ApiClient(api_key)
    order = api.post(
        "/api/v1/orders", order_payload("1001", payment={"provider": "stripe", "reference": PI})
    ).json()
    fake.add_payment(PI, 4490)
    rn = api.post(
        "/api/v1/returns",
        {
            "order_number": "1001",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 2, "reason": "defective"}],
        },
    ).json()["number"]
    assert api.post(f"/api/v1/returns/{rn}/approve", {}).status_code == 200
    return rn


def test_twelve_parallel_refund_requests_make_one_refund_and_one_provider_call(
    api_key_admin, stripe_store, fake_stripe
):
    rn = _ready_return(api_key_admin, fake_stripe)

    def request():
        return ApiClient(api_key_admin).post(f"/api/v1/returns/{rn}/refunds", {"method": "original_payment"})

    answers = _race(12, request)
    assert len(answers) == 12, "a thread did not answer"
    statuses = sorted(getattr(a, "status_code", 0) for a in answers)
    assert statuses == [201] + [422] * 11, statuses
    assert {a.json()["code"] for a in answers if a.status_code == 422} == {"refund_exceeds_refundable"}
    refund = Refund.objects.get()

    # Twelve workers picking the same refund: one claims it, one call reaches Stripe.
    outcomes = _race(12, lambda: refund_send(refund_id=refund.pk))
    assert len(outcomes) == 12, "a worker did not answer"
    assert sorted(outcomes) == ["skipped"] * 11 + ["succeeded"]
    assert len(fake_stripe.refund_posts()) == 1 and len(fake_stripe.refunds) == 1
    assert Refund.objects.get().status == "succeeded"


def test_a_worker_killed_between_the_provider_call_and_its_write_never_pays_twice(
    api_key_admin, stripe_store, fake_stripe
):
    rn = _ready_return(api_key_admin, fake_stripe)
    assert (
        ApiClient(api_key_admin)
        .post(f"/api/v1/returns/{rn}/refunds", {"method": "original_payment"})
        .status_code
        == 201
    )
    refund = Refund.objects.get()

    fake_stripe.hold.set()  # Stripe makes the refund, then its answer waits until we say so
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "RETOUR_SECRET_KEY": settings.SECRET_KEY,
        "RETOUR_STRIPE_API_BASE": fake_stripe.url,
        "RETOUR_PAYMENT_TIMEOUT": "60",
        "DJANGO_SETTINGS_MODULE": "retour.config.settings",
    }
    script = (
        "import django; django.setup()\n"
        "from retour.resolutions.payments.services import refund_send\n"
        f"refund_send(refund_id={refund.pk})\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=Path(settings.BASE_DIR).parent)
    try:
        assert fake_stripe.arrived.wait(90), "the worker never reached Stripe"
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        fake_stripe.release.set()
    fake_stripe.hold.clear()
    killed = Refund.objects.get()
    assert (killed.status, killed.provider_state, killed.provider_reference) == ("pending", "sending", "")
    assert len(fake_stripe.refunds) == 1  # Stripe did pay

    later = timezone.now() + timedelta(minutes=6)  # the dead worker's lease is over
    assert refunds_retry_due(now=later) == 1
    assert refund_send(refund_id=refund.pk, now=later) == "succeeded"
    posts = fake_stripe.refund_posts()
    assert len(posts) == 2 and {p["headers"]["Idempotency-Key"] for p in posts} == {refund.idempotency_key}
    assert len(fake_stripe.refunds) == 1 and fake_stripe.payments[PI]["refunded"] == 4490
    assert Refund.objects.get().status == "succeeded"
