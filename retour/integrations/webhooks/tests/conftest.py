from __future__ import annotations

import pytest

from retour.integrations.webhooks.tests.receiver import Receiver


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BASE_URL = "https://returns.example.com"


@pytest.fixture(autouse=True)
def _local_receivers(settings):
    """The test receivers listen on http://127.0.0.1: open what production keeps closed.
    The tests of the address checks (test_ssrf.py) close it again."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are recorded, not run: the test sends deliveries itself, as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def endpoint(store, receiver):
    from retour.integrations.webhooks.services import webhook_endpoint_create

    endpoint, secret = webhook_endpoint_create(
        store=store, url=receiver.url, events=["return.created", "return.approved", "return.rejected"]
    )
    receiver.secret = secret
    return endpoint
