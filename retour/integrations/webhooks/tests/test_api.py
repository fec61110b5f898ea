"""/api/v1/webhook-endpoints: admin keys only, the secret shown once, tenancy, the delivery log."""

from __future__ import annotations

import pytest

from retour.integrations.webhooks.models import WebhookEndpoint
from retour.integrations.webhooks.tests.helpers import make_return, send_all

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhook-endpoints"


def test_an_admin_creates_an_endpoint_and_sees_the_secret_only_then(api):
    response = api.post(URL, {"url": "https://erp.example.com/hooks", "events": ["return.approved"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["url"] == "https://erp.example.com/hooks" and body["events"] == ["return.approved"]
    assert body["status"] == "active" and body["next_retry_at"] is None
    listed = api.get(URL).json()
    assert [e["id"] for e in listed["items"]] == [body["id"]]
    assert "secret" not in listed["items"][0]
    assert "secret" not in api.get(f"{URL}/{body['id']}").json()
    assert body["secret"] not in api.get(URL).content.decode()


def test_delete_removes_it(api):
    created = api.post(URL, {"url": "https://erp.example.com/hooks", "events": ["return.created"]}).json()
    assert api.client.delete(f"{URL}/{created['id']}", **api._headers(None)).status_code == 204
    assert api.get(URL).json()["items"] == []
    assert api.client.delete(f"{URL}/{created['id']}", **api._headers(None)).status_code == 404


@pytest.mark.parametrize(
    ("body", "loc", "code"),
    [
        ({"url": "ftp://example.com/x", "events": ["return.created"]}, ["url"], "invalid_url"),
        ({"url": "not a url", "events": ["return.created"]}, ["url"], "invalid_url"),
        (
            {"url": "https://example.com/x", "events": ["return.teleported"]},
            ["events", 0],
            "unknown_event_type",
        ),
        ({"url": "https://example.com/x", "events": []}, ["events"], "missing"),
    ],
)
def test_a_bad_endpoint_is_refused_and_nothing_is_stored(api, body, loc, code):
    response = api.post(URL, body)
    assert response.status_code == 422
    assert response["content-type"].startswith("application/problem+json")
    assert {"loc": loc, "code": code} in [
        {"loc": e["loc"], "code": e["code"]} for e in response.json()["errors"]
    ]
    assert WebhookEndpoint.objects.count() == 0


def test_other_roles_are_forbidden_and_no_key_is_unauthenticated(api_as, api_key_agent, api_key_warehouse):
    for key in (api_key_agent, api_key_warehouse):
        client = api_as(key)
        assert (
            client.post(URL, {"url": "https://e.example/x", "events": ["return.created"]}).status_code == 403
        )
        assert client.get(URL).status_code == 403
    assert api_as(None).get(URL).status_code == 401
    assert WebhookEndpoint.objects.count() == 0


def test_another_stores_endpoint_is_not_found(api, api_as, other_api_key):
    created = api.post(URL, {"url": "https://erp.example.com/hooks", "events": ["return.created"]}).json()
    other = api_as(other_api_key)
    assert other.get(URL).json()["items"] == []
    assert other.get(f"{URL}/{created['id']}").status_code == 404
    assert other.client.delete(f"{URL}/{created['id']}", **other._headers(None)).status_code == 404
    assert WebhookEndpoint.objects.count() == 1


def test_the_same_idempotency_key_replays_the_creation(api):
    body = {"url": "https://erp.example.com/hooks", "events": ["return.created"]}
    first = api.post(URL, body, headers={"Idempotency-Key": "k1"})
    again = api.post(URL, body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert WebhookEndpoint.objects.count() == 1


def test_the_delivery_log_shows_codes_and_a_replay_queues_it_again(api, store, receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    created = api.post(URL, {"url": receiver.url, "events": ["return.created"]}).json()
    receiver.secret = created["secret"]
    receiver.script = [502]
    make_return(store)
    send_all()
    endpoint = api.get(f"{URL}/{created['id']}").json()
    assert endpoint["last_error"] == "HTTP 502" and endpoint["next_retry_at"] is not None
    log = api.get(f"{URL}/{created['id']}/deliveries").json()["items"]
    assert len(log) == 1 and log[0]["type"] == "return.created" and log[0]["status"] == "pending"
    assert [a["status_code"] for a in log[0]["log"]] == [502]
    replay = api.post(f"{URL}/{created['id']}/deliveries/{log[0]['id']}/replay")
    assert replay.status_code == 202 and replay.json()["attempts"] == 0
    assert send_all() == ["succeeded"]
    assert api.get(f"{URL}/{created['id']}").json()["last_success_at"] is not None


def test_lists_cost_the_same_queries_for_one_and_many_rows(
    api, store, receiver, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path).status_code == 200
        return len(ctx.captured_queries)

    first = api.post(URL, {"url": receiver.url, "events": ["return.created"]}).json()
    make_return(store)
    one_endpoint, one_delivery = cost(URL), cost(f"{URL}/{first['id']}/deliveries")
    for _i in range(3):
        api.post(URL, {"url": receiver.url, "events": ["return.created"]})
    for n in range(3):
        make_return(store, number=f"20{n}")
    send_all()
    assert cost(URL) == one_endpoint
    assert cost(f"{URL}/{first['id']}/deliveries") == one_delivery
