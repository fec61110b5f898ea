"""Webhook endpoints in the admin: a store admin adds one and sees the secret once; members of
other stores do not see it; the list shows health without a query per row; replay is an action."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from retour.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint
from retour.integrations.webhooks.tests.helpers import make_return, send_all
from retour.stores.services import staff_add

pytestmark = pytest.mark.django_db

LIST = "admin:webhooks_webhookendpoint_changelist"
ADD = "admin:webhooks_webhookendpoint_add"


def _client(store, username, role):
    client = Client()
    client.force_login(staff_add(store=store, username=username, role=role).user)
    return client


def test_a_store_admin_adds_an_endpoint_and_the_secret_is_shown_once(store):
    client = _client(store, "boss", "admin")
    response = client.post(
        reverse(ADD),
        {
            "store": store.pk,
            "url": "https://erp.example.com/h",
            "description": "",
            "events": ["return.approved"],
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["return.approved"] and endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()  # the message after saving
    change = client.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()
    assert endpoint.secret not in client.get(reverse(LIST)).content.decode()


def test_an_agent_may_look_but_not_add_and_other_stores_see_nothing(store, other_store):
    from retour.integrations.webhooks.services import webhook_endpoint_create

    webhook_endpoint_create(store=store, url="https://erp.example.com/h", events=["return.created"])
    agent = _client(store, "agent", "agent")
    assert agent.get(reverse(ADD)).status_code == 403
    assert "erp.example.com" in agent.get(reverse(LIST)).content.decode()
    stranger = _client(other_store, "stranger", "admin")
    assert "erp.example.com" not in stranger.get(reverse(LIST)).content.decode()


def test_the_list_shows_health_without_a_query_per_row(store, receiver, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from retour.integrations.webhooks.services import webhook_endpoint_create

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = _client(store, "boss", "admin")
    webhook_endpoint_create(store=store, url=receiver.url, events=["return.created"])

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(LIST)).status_code == 200
        return len(ctx.captured_queries)

    one = cost()
    for _i in range(4):
        webhook_endpoint_create(store=store, url=receiver.url, events=["return.created"])
    assert cost() == one


def test_the_replay_action_queues_a_delivery_again(store, endpoint, receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    make_return(store)
    send_all()
    delivery = WebhookDelivery.objects.get()
    client = _client(store, "boss", "admin")
    response = client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "replay", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert send_all() == ["succeeded"]
    assert len(receiver.ids()) == 2 and len(set(receiver.ids())) == 1
