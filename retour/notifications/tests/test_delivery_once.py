"""Delivery that survives crashes: one Message-ID per notification, a short lease kept alive by a
heartbeat while the mail server talks, and the row marked sent before the connection's QUIT."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from retour.notifications.models import Notification
from retour.notifications.services import notification_queue
from retour.notifications.tasks import (
    SENDING_LEASE,
    notification_message_id,
    notification_retry_due,
    notification_send,
)

from .conftest import make_return
from .fake_smtp import FakeSMTP


def test_a_message_resent_after_a_crash_has_the_same_message_id(return_request):
    notification = notification_queue(return_request=return_request, kind="return_created")
    other = notification_queue(return_request=return_request, kind="return_approved")
    assert notification_send(notification_id=notification.pk) == "sent"
    # The worker died after the server took the message, before the row said so.
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    notification_retry_due(now=timezone.now())
    assert notification_send(notification_id=notification.pk) == "sent"
    assert notification_send(notification_id=other.pk) == "sent"

    first, again, second = (m.message()["Message-ID"] for m in mail.outbox)
    assert first == again == notification_message_id(notification)
    assert second != first
    assert first.startswith("<retour.") and first.endswith(">") and "@" in first


def test_the_lease_is_short():
    assert SENDING_LEASE <= timedelta(minutes=2)


@pytest.fixture
def smtp_settings(settings):
    def use(server: FakeSMTP) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10

    return use


def _send_in_thread(notification_id: int) -> tuple[threading.Thread, list[str]]:
    from django.db import connection

    outcome: list[str] = []

    def run() -> None:
        try:
            outcome.append(notification_send(notification_id=notification_id))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.django_db(transaction=True)
def test_the_row_says_sent_while_a_slow_server_still_answers_quit(store, smtp_settings):
    notification = notification_queue(return_request=make_return(store), kind="return_created")
    with FakeSMTP(hold_quit=True) as server:
        smtp_settings(server)
        thread, outcome = _send_in_thread(notification.pk)
        assert server.got_quit.wait(10)

        # A worker killed now, waiting for QUIT, leaves nothing to send again.
        notification.refresh_from_db()
        assert notification.status == "sent"
        notification_retry_due(now=timezone.now() + timedelta(hours=1))
        assert Notification.objects.get(pk=notification.pk).status == "sent"

        server.release_quit.set()
        thread.join(10)
    assert outcome == ["sent"]
    assert [m["Message-ID"] for m in server.messages] == [notification_message_id(notification)]


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_keeps_the_lease_of_a_slow_send(store, smtp_settings, monkeypatch):
    monkeypatch.setattr("retour.notifications.tasks.SENDING_LEASE", timedelta(seconds=1))
    monkeypatch.setattr("retour.notifications.tasks.HEARTBEAT_SECONDS", 0.2)
    notification = notification_queue(return_request=make_return(store), kind="return_created")
    with FakeSMTP(data_delay=2.0) as server:
        smtp_settings(server)
        thread, outcome = _send_in_thread(notification.pk)
        assert server.got_data.wait(10)
        time.sleep(1.3)  # longer than the lease the claim took

        # Another worker's sweep finds the lease renewed: the row is not taken back and resent.
        assert notification_retry_due(now=timezone.now()) == 0
        notification.refresh_from_db()
        assert notification.status == "sending"
        assert notification.next_attempt_at > timezone.now()
        thread.join(10)
    assert outcome == ["sent"]
    assert len(server.messages) == 1
