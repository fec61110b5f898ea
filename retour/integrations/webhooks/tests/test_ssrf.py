"""A merchant's webhook URL cannot reach our own networks: refused when configured (422
``webhook_url_not_allowed``) and, after DNS resolution, on every delivery (failed at once, with the
reason, never retried); https only unless allowed; redirects are not followed.

The package's conftest opens http and private addresses for the local receivers; these tests
close them again, as production has them.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from retour.core.outbound import ip_refusal
from retour.integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from retour.integrations.webhooks.tests.helpers import make_return, send_all

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints"


@pytest.fixture
def production(settings):
    settings.WEBHOOKS_ALLOW_HTTP = False
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    return settings


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://127.0.0.1/hooks", "internal_address"),
        ("https://localhost:8443/hooks", "internal_address"),  # a name, resolved
        ("https://169.254.169.254/latest/meta-data/", "internal_address"),  # cloud metadata
        ("https://10.1.2.3/hooks", "internal_address"),
        ("https://192.168.1.10/hooks", "internal_address"),
        ("https://172.16.0.1/hooks", "internal_address"),
        ("https://100.64.0.1/hooks", "internal_address"),
        ("https://0.0.0.0/hooks", "internal_address"),
        ("https://224.0.0.1/hooks", "internal_address"),
        ("https://240.0.0.1/hooks", "internal_address"),
        ("https://2130706433/hooks", "internal_address"),  # 127.0.0.1 written as a number
        ("https://[::1]/hooks", "internal_address"),
        ("https://[::ffff:127.0.0.1]/hooks", "internal_address"),
        ("https://[::ffff:169.254.169.254]/hooks", "internal_address"),
        ("https://[fe80::1]/hooks", "internal_address"),
        ("https://[fc00::1]/hooks", "internal_address"),
        ("https://[ff02::1]/hooks", "internal_address"),
        ("https://[2002:a00:1::1]/hooks", "internal_address"),  # 6to4 of 10.0.0.1
        ("http://93.184.215.14/hooks", "https_required"),
    ],
)
def test_an_internal_or_plain_http_url_is_refused_with_its_code(api, production, url, code):
    response = api.post(URL, {"url": url, "events": ["return.created"]})
    assert response.status_code == 422, response.content
    assert response["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "webhook_url_not_allowed"
    assert [(e["loc"], e["code"]) for e in body["errors"]] == [(["url"], code)]
    assert WebhookEndpoint.objects.count() == 0


def test_a_public_https_address_is_accepted(api, production):
    response = api.post(URL, {"url": "https://93.184.215.14/hooks", "events": ["return.created"]})
    assert response.status_code == 201, response.content


def test_the_settings_open_http_and_private_addresses_one_at_a_time(api, production):
    body = {"url": "http://127.0.0.1:9/hooks", "events": ["return.created"]}
    production.WEBHOOKS_ALLOW_HTTP = True
    assert api.post(URL, body).json()["errors"][0]["code"] == "internal_address"
    production.WEBHOOKS_ALLOW_HTTP, production.WEBHOOKS_ALLOW_PRIVATE = False, True
    assert api.post(URL, body).json()["errors"][0]["code"] == "https_required"
    production.WEBHOOKS_ALLOW_HTTP = True
    assert api.post(URL, body).status_code == 201


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("8.8.8.8", None),
        ("2a00:1450:4007:80e::200e", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),  # NAT64 of 8.8.8.8
        ("127.0.0.53", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::a9fe:a9fe", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),
        ("fd00:ec2::254", "private"),  # AWS metadata over IPv6
        ("::", "unspecified"),
        ("239.255.255.250", "multicast"),
        ("255.255.255.255", "reserved"),
    ],
)
def test_the_address_rules(address, refused):
    assert ip_refusal(ipaddress.ip_address(address)) == refused


def _delivery_to(store, url, dummy_tasks, settings):
    """An endpoint configured while the address was allowed (or resolved elsewhere), then a
    delivery to it once it is not: the check at delivery time is the one that counts."""
    from retour.integrations.webhooks.services import webhook_endpoint_create

    webhook_endpoint_create(store=store, url=url, events=["return.created"])
    make_return(store)
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    dummy_tasks.clear()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_delivery_to_an_internal_address_fails_at_once_with_the_reason(
    store, receiver, dummy_tasks, settings, host
):
    url = receiver.url.replace("127.0.0.1", host)
    _delivery_to(store, url, dummy_tasks, settings)
    assert send_all() == ["failed"]
    assert receiver.ids() == [] and receiver.rejected == 0  # nothing reached the receiver
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.next_attempt_at is None and delivery.attempts == 1
    assert "loopback" in delivery.last_error and host in delivery.last_error
    attempt = WebhookAttempt.objects.get()
    assert not attempt.succeeded and attempt.error == delivery.last_error
    assert dummy_tasks.results == []  # no retry queued
    assert "loopback" in WebhookEndpoint.objects.get().last_error


def test_a_plain_http_endpoint_is_not_sent_to_once_http_is_closed(store, receiver, dummy_tasks, settings):
    _delivery_to(store, receiver.url, dummy_tasks, settings)
    settings.WEBHOOKS_ALLOW_PRIVATE, settings.WEBHOOKS_ALLOW_HTTP = True, False
    assert send_all() == ["failed"]
    assert receiver.ids() == [] and receiver.rejected == 0
    assert "http" in WebhookDelivery.objects.get().last_error


class _Redirector:
    """Answers every POST with 307 to ``target``, like a receiver that moved to an internal host."""

    def __init__(self, target: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self.send_response(307)
                self.send_header("location", target)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/moved"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_redirect_is_not_followed(store, receiver, dummy_tasks):
    from retour.integrations.webhooks.services import webhook_endpoint_create

    redirector = _Redirector(receiver.url)
    try:
        webhook_endpoint_create(store=store, url=redirector.url, events=["return.created"])
        make_return(store)
        assert send_all() == ["retry"]
    finally:
        redirector.close()
    assert receiver.ids() == [] and receiver.rejected == 0
    assert WebhookDelivery.objects.get().last_status_code == 307


def test_the_admin_form_refuses_an_internal_address(store, production):
    from retour.stores.services import staff_add

    client = Client()
    client.force_login(staff_add(store=store, username="boss", role="admin").user)
    response = client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "store": store.pk,
            "url": "https://169.254.169.254/latest/meta-data/",
            "description": "",
            "events": ["return.approved"],
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "169.254.169.254" in response.content.decode()
    assert "internal network" in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0
