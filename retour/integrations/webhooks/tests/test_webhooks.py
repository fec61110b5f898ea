"""Outgoing webhooks: outbox rows written with the change, signed deliveries, retries, the log,
replays, and an endpoint disabled (with an email to the store's admins) after days of failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from retour.core.actors import Actor
from retour.core.events import webhook_event_emit
from retour.integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from retour.integrations.webhooks.services import webhook_delivery_replay, webhook_endpoint_create
from retour.integrations.webhooks.tasks import webhook_delivery_send, webhook_retry_due
from retour.integrations.webhooks.tests.helpers import make_return, send_all
from retour.returns.services import return_approve

pytestmark = pytest.mark.django_db


def test_a_change_writes_its_delivery_and_the_receiver_verifies_it(
    store, endpoint, receiver, api, dummy_tasks
):
    rr = make_return(store)
    approved = return_approve(return_request=rr, actor=Actor.system("test"))

    assert send_all() == ["succeeded", "succeeded"]
    types = [c["payload"]["type"] for c in receiver.calls]
    assert types == ["return.created", "return.approved"]
    assert receiver.rejected == 0
    body = receiver.calls[1]["payload"]
    # data is the return exactly as the API gives it (nothing changed since the approval)
    assert body["data"] == api.get(f"/api/v1/returns/{approved.number}").json()
    assert body["data"]["status"] == "approved"
    assert receiver.calls[0]["payload"]["data"]["status"] == "requested"
    headers = {k.lower(): v for k, v in receiver.calls[1]["headers"].items()}
    message = WebhookMessage.objects.get(type="return.approved")
    assert headers["webhook-id"] == message.event_id and message.event_id.startswith("msg_")
    assert headers["webhook-signature"].startswith("v1,")
    delivery = WebhookDelivery.objects.get(message=message)
    assert delivery.status == "succeeded" and delivery.last_status_code == 200
    assert list(delivery.log.values_list("status_code", "succeeded")) == [(200, True)]
    endpoint.refresh_from_db()
    assert endpoint.last_success_at is not None and endpoint.consecutive_failures == 0


def test_a_delivery_is_sent_only_after_commit(store, endpoint, dummy_tasks):
    make_return(store)
    # the outbox row exists with the change; its send task is enqueued once the change commits
    assert WebhookDelivery.objects.filter(message__type="return.created").count() == 1
    with transaction.atomic():
        rr = make_return(store, number="1002")
        before = len(dummy_tasks.results)
        assert WebhookDelivery.objects.filter(message__type="return.created").count() == 2
        transaction.set_rollback(True)
    assert len(dummy_tasks.results) == before
    assert WebhookDelivery.objects.filter(message__type="return.created").count() == 1
    assert rr.number


def test_a_rolled_back_change_sends_nothing(store, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            make_return(store)
            raise RuntimeError("boom")
    assert WebhookMessage.objects.count() == 0 and WebhookDelivery.objects.count() == 0
    assert callbacks == []


def test_no_endpoint_wants_it_costs_one_query_and_no_payload(store, django_assert_num_queries):
    def data_fn() -> dict:
        raise AssertionError("the payload must not be built when nobody wants the event")

    with django_assert_num_queries(1):
        assert webhook_event_emit(store=store, type="return.approved", data_fn=data_fn) is None


def test_endpoints_get_only_the_types_they_chose_and_disabled_ones_nothing(store, receiver):
    wants, _s = webhook_endpoint_create(store=store, url=receiver.url, events=["return.approved"])
    off, _s = webhook_endpoint_create(store=store, url=receiver.url, events=["return.created"])
    WebhookEndpoint.objects.filter(pk=off.pk).update(status="disabled")
    make_return(store)
    assert WebhookDelivery.objects.count() == 0
    webhook_event_emit(store=store, type="return.approved", data_fn=lambda: {"number": "x"})
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [wants.pk]


def test_an_unknown_event_type_is_a_programming_error(store):
    with pytest.raises(ValueError):
        webhook_event_emit(store=store, type="return.teleported", data_fn=dict)


def test_a_failed_try_is_logged_and_retried_later_with_backoff(store, endpoint, receiver, dummy_tasks):
    receiver.script = [500, 503]
    make_return(store)
    now = timezone.now()
    assert send_all(now) == ["retry"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status_code == 500
    assert delivery.next_attempt_at == now + timedelta(seconds=30)
    # not due yet: nothing is sent
    assert webhook_delivery_send(delivery_id=delivery.pk, now=now + timedelta(seconds=10)) == "skipped"
    assert webhook_delivery_send(delivery_id=delivery.pk, now=now + timedelta(seconds=31)) == "retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == now + timedelta(seconds=31 + 60)
    assert webhook_delivery_send(delivery_id=delivery.pk, now=now + timedelta(seconds=100)) == "succeeded"
    log = list(
        WebhookAttempt.objects.filter(delivery=delivery).order_by("at").values_list("status_code", flat=True)
    )
    assert log == [500, 503, 200]
    assert len(set(receiver.ids())) == 1  # the same event id each time
    endpoint.refresh_from_db()
    assert endpoint.last_error == "HTTP 503" and endpoint.consecutive_failures == 0


def test_an_unreachable_endpoint_is_logged_without_a_code(store, dummy_tasks):
    endpoint, _s = webhook_endpoint_create(
        store=store, url="http://127.0.0.1:9/nothing", events=["return.created"]
    )
    make_return(store)
    assert send_all() == ["retry"]
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("ConnectError")
    endpoint.refresh_from_db()
    assert endpoint.last_failure_at is not None and endpoint.consecutive_failures == 1


def test_retries_stop_after_three_days_and_the_endpoint_is_disabled_with_an_email(
    store, endpoint, receiver, dummy_tasks
):
    from django.contrib.auth.models import User

    from retour.notifications.models import Notification
    from retour.notifications.tasks import notification_send
    from retour.stores.models import StoreMembership

    admin = User.objects.create_user("boss", email="boss@example.com", is_staff=True)
    StoreMembership.objects.create(store=store, user=admin, role="admin")
    receiver.script = [500] * 100
    make_return(store)
    delivery = WebhookDelivery.objects.get()
    start = delivery.created_at
    now, outcomes = start, []
    while True:
        outcome = webhook_delivery_send(delivery_id=delivery.pk, now=now)
        outcomes.append(outcome)
        if outcome != "retry":
            break
        delivery.refresh_from_db()
        assert delivery.next_attempt_at <= start + timedelta(days=3)
        now = delivery.next_attempt_at
    assert outcomes[-1] == "failed" and now == start + timedelta(days=3)
    assert 12 <= len(outcomes) <= 20  # exponential: 30 s, 1 min, 2 min … capped at 12 h
    endpoint.refresh_from_db()
    assert endpoint.status == "disabled" and endpoint.disabled_at == now
    email = Notification.objects.get(kind="webhook_endpoint_disabled")
    assert email.recipient == "boss@example.com" and email.return_request is None
    assert notification_send(notification_id=email.pk) == "sent"
    assert endpoint.url in mail.outbox[-1].body and "désactivé" in mail.outbox[-1].subject
    # while disabled, new events are not queued for it
    webhook_event_emit(store=store, type="return.approved", data_fn=dict)
    assert WebhookDelivery.objects.count() == 1


def test_a_replay_sends_the_same_event_again(store, endpoint, receiver, dummy_tasks):
    make_return(store)
    send_all()
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_replay(delivery=delivery) is True
    assert send_all() == ["succeeded"]
    first, second = receiver.calls
    assert first["id"] == second["id"] and first["payload"] == second["payload"]
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


def test_the_sweep_takes_back_a_delivery_whose_sender_died(store, endpoint, receiver, dummy_tasks):
    make_return(store)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    # a worker claimed it and died before answering: the row is left "sending" under a lease
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, next_attempt_at=now + timedelta(seconds=60)
    )
    assert webhook_retry_due(now=now) == 0
    assert webhook_retry_due(now=now + timedelta(seconds=61)) == 1
    assert webhook_delivery_send(delivery_id=delivery.pk, now=now + timedelta(seconds=61)) == "succeeded"
    assert receiver.ids() == [delivery.message.event_id]


def test_the_log_of_finished_events_is_forgotten_after_30_days(store, endpoint, receiver, dummy_tasks):
    from retour.integrations.webhooks.tasks import webhook_log_purge

    make_return(store)
    send_all()
    receiver.script = [500]
    make_return(store, number="1002")
    send_all()  # this one is still being retried
    later = timezone.now() + timedelta(days=31)
    assert webhook_log_purge(now=timezone.now()) == 0
    assert webhook_log_purge(now=later) == 1
    assert list(WebhookMessage.objects.values_list("deliveries__status", flat=True)) == ["pending"]
    assert WebhookAttempt.objects.count() == 1
