"""A store paid through Stripe (or Mollie), its provider a local fake that speaks the real API."""

from __future__ import annotations

import pytest

from retour.resolutions.tests.fake_providers import FakeMollie, FakeStripe, serve

STRIPE_KEY = "sk_test_retour123"
STRIPE_WHSEC = "whsec_retour_test_secret"
MOLLIE_KEY = "test_retourMollieKey1234567890abc"
MOLLIE_SECRET = "mollie_signing_secret"


@pytest.fixture
def fake_mollie(settings):
    fake = FakeMollie(MOLLIE_KEY)
    with serve(fake):
        settings.MOLLIE_API_BASE = fake.url
        settings.PAYMENT_TIMEOUT = 1
        yield fake


@pytest.fixture
def mollie_store(store, fake_mollie):
    from retour.policies.services import policy_update
    from retour.resolutions.payments.services import payment_provider_set

    payment_provider_set(store=store, provider="mollie", secret_key=MOLLIE_KEY)
    policy_update(store=store, changes={"refund_trigger": "on_approval"})
    store.support_email = "support@shop.example"
    store.save()
    return store


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe(STRIPE_KEY)
    with serve(fake):
        settings.STRIPE_API_BASE = fake.url
        settings.PAYMENT_TIMEOUT = 1
        yield fake


@pytest.fixture
def stripe_store(store, fake_stripe):
    from retour.policies.services import policy_update
    from retour.resolutions.payments.services import payment_provider_set

    payment_provider_set(store=store, provider="stripe", secret_key=STRIPE_KEY, webhook_secret=STRIPE_WHSEC)
    policy_update(store=store, changes={"refund_trigger": "on_approval"})
    store.support_email = "support@shop.example"
    store.save()
    return store
