from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from retour.notifications.models import Notification
from retour.notifications.services import KINDS, notification_queue
from retour.notifications.tasks import (
    MAX_ATTEMPTS,
    SENDING_LEASE,
    notification_retry_due,
    notification_send,
)

from .conftest import make_return

pytestmark = pytest.mark.django_db(transaction=False)

SEND = "django.core.mail.EmailMultiAlternatives.send"


def _refund(rr, amount="25.00", method="original_payment"):
    from retour.resolutions.models import Refund

    return Refund.objects.create(
        store=rr.store, return_request=rr, amount=Decimal(amount), currency="EUR", method=method, status="succeeded",
        idempotency_key=f"k-{rr.pk}-{amount}", created_at=timezone.now(),
    )


def test_the_row_is_written_with_the_change_and_sent_only_after_commit(
    return_request, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notification = notification_queue(return_request=return_request, kind="return_created")
            assert Notification.objects.filter(pk=notification.pk, status="pending").exists()
            assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.attempts == 1 and notification.sent_at
    assert notification.subject == mail.outbox[0].subject


def test_nothing_is_written_or_sent_when_the_change_rolls_back(
    return_request, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notification_queue(return_request=return_request, kind="return_created")
            raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_email_is_in_french_for_a_customer_of_a_french_store(return_request):
    notification = notification_queue(return_request=return_request, kind="return_approved")
    assert notification.language == "fr" and notification.recipient == "alice@example.com"
    assert notification_send(notification_id=notification.pk) == "sent"
    message = mail.outbox[0]
    assert message.subject.startswith("Retour R-") and "accepté" in message.subject
    assert "Prochaine étape : imprimez le bon de retour" in message.body
    assert "https://returns.example.com/portal/r/" + return_request.token in message.body
    assert "T-shirt bleu M × 2" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and '<html lang="fr">' in html and "Imprimer le bon de retour" in html


def test_the_email_is_in_the_customers_own_language_over_the_stores(store):
    rr = make_return(store, email="bob@example.de", language="en-GB", name="Bob")
    notification = notification_queue(return_request=rr, kind="return_approved")
    notification_send(notification_id=notification.pk)
    message = mail.outbox[0]
    assert notification.language == "en"
    assert "Next step: print the return slip" in message.body
    assert '<html lang="en">' in message.alternatives[0][0]


def test_an_unknown_language_falls_back_to_english(other_store):
    rr = make_return(other_store, language="de")
    assert notification_queue(return_request=rr, kind="return_created").language == "en"


def test_return_created_links_to_the_status_page_and_the_slip(return_request):
    notification_send(notification_id=notification_queue(return_request=return_request, kind="return_created").pk)
    body = mail.outbox[0].body
    url = f"https://returns.example.com/portal/r/{return_request.token}"
    assert f"{url}/slip.pdf" in body and f"Suivre votre retour : {url}" in body


def test_money_and_dates_are_written_the_french_way(return_request):
    _refund(return_request, "1234.50")
    notification_send(notification_id=notification_queue(return_request=return_request, kind="refund_issued").pk)
    message = mail.outbox[0]
    assert "1\u202f234,50\xa0€" in message.subject or "1 234,50 €" in message.subject.replace("\u202f", " ").replace(
        "\xa0", " "
    )
    assert "sur le moyen de paiement utilisé pour la commande" in message.body


def test_money_and_dates_are_written_the_english_way(store):
    rr = make_return(store, email="carol@example.co.uk", language="en")
    _refund(rr, "1234.50", method="store_credit")
    notification_send(notification_id=notification_queue(return_request=rr, kind="refund_issued").pk)
    assert "€1,234.50" in mail.outbox[0].subject
    assert "as store credit" in mail.outbox[0].body


def test_the_acknowledgement_of_a_withdrawal_gives_the_date_and_time_of_receipt(store):
    rr = make_return(store, language="en")
    received = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)
    type(rr).objects.filter(pk=rr.pk).update(created_at=received)
    rr.refresh_from_db()
    notification_send(notification_id=notification_queue(return_request=rr, kind="withdrawal_acknowledged").pk)
    assert "received on 14 March 2025 at 10:30" in mail.outbox[0].body  # Europe/Paris, the store's time zone


def test_a_rejection_says_why(return_request):
    notification = notification_queue(return_request=return_request, kind="return_rejected",
                                      data={"reason": "Article porté"})
    notification_send(notification_id=notification.pk)
    assert "Motif : Article porté" in mail.outbox[0].body


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(store, kind, language):
    store.support_email = "support@maison.example"
    store.save()
    rr = make_return(store, language=language)
    _refund(rr)
    notification = notification_queue(return_request=rr, kind=kind)
    assert notification_send(notification_id=notification.pk) == "sent"
    message = mail.outbox[0]
    assert message.subject and "{{" not in message.body and "{%" not in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.subject
    assert message.alternatives[0][0].lstrip().startswith("<!doctype html>")


def test_the_overdue_refund_alert_goes_to_the_store_and_is_skipped_without_an_address(store):
    rr = make_return(store)
    assert notification_queue(return_request=rr, kind="return_refund_overdue") is None
    store.support_email = "support@maison.example"
    store.save()
    rr.refresh_from_db()
    notification = notification_queue(return_request=rr, kind="return_refund_overdue")
    assert notification.recipient == "support@maison.example"


def test_an_unknown_kind_is_refused(return_request):
    with pytest.raises(ValueError):
        notification_queue(return_request=return_request, kind="return_exploded")


def test_running_the_task_twice_sends_once(return_request):
    notification = notification_queue(return_request=return_request, kind="return_created")
    assert notification_send(notification_id=notification.pk) == "sent"
    assert notification_send(notification_id=notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_being_sent_is_not_claimed_by_a_second_worker(return_request):
    notification = notification_queue(return_request=return_request, kind="return_created")
    Notification.objects.filter(pk=notification.pk).update(status="sending", next_attempt_at=timezone.now()
                                                            + SENDING_LEASE)
    assert notification_send(notification_id=notification.pk) == "skipped"
    assert mail.outbox == []


def test_a_failure_is_recorded_and_retried_later_with_backoff(
    return_request, dummy_tasks, django_capture_on_commit_callbacks
):
    notification = notification_queue(return_request=return_request, kind="return_created")
    dummy_tasks.clear()
    with mock.patch(SEND, side_effect=SMTPException("421 try again later")), \
            django_capture_on_commit_callbacks(execute=True):
        before = timezone.now()
        assert notification_send(notification_id=notification.pk) == "retry"
    notification.refresh_from_db()
    assert notification.status == "pending" and notification.attempts == 1
    assert "421 try again later" in notification.last_error
    assert before + timedelta(seconds=59) <= notification.next_attempt_at <= timezone.now() + timedelta(seconds=61)
    [retry] = dummy_tasks.results
    assert retry.args == [notification.pk] and retry.task.run_after == notification.next_attempt_at
    # Not due yet: an early run does nothing.
    assert notification_send(notification_id=notification.pk) == "skipped"
    # Second failure waits twice as long.
    with mock.patch(SEND, side_effect=SMTPException("still down")):
        later = notification.next_attempt_at
        assert notification_send(notification_id=notification.pk, now=later) == "retry"
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.next_attempt_at >= timezone.now() + timedelta(seconds=119)
    # Then the server is back.
    assert notification_send(notification_id=notification.pk, now=notification.next_attempt_at) == "sent"
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.attempts == 3 and notification.last_error == ""
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt(return_request, dummy_tasks, django_capture_on_commit_callbacks):
    notification = notification_queue(return_request=return_request, kind="return_created")
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    dummy_tasks.clear()
    with mock.patch(SEND, side_effect=SMTPException("550 mailbox unavailable")), \
            django_capture_on_commit_callbacks(execute=True):
        assert notification_send(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == "failed" and notification.next_attempt_at is None
    assert "550 mailbox unavailable" in notification.last_error
    assert dummy_tasks.results == []
    assert notification_retry_due(now=timezone.now() + timedelta(days=1)) == 0
    assert notification_send(notification_id=notification.pk, now=timezone.now() + timedelta(days=1)) == "skipped"


def test_a_row_stuck_in_sending_is_taken_back_after_its_lease(
    return_request, dummy_tasks, django_capture_on_commit_callbacks
):
    notification = notification_queue(return_request=return_request, kind="return_created")
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(status="sending", attempts=1,
                                                            next_attempt_at=now + SENDING_LEASE)
    dummy_tasks.clear()
    assert notification_retry_due(now=now + timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_retry_due(now=now + SENDING_LEASE + timedelta(seconds=1)) == 1
    notification.refresh_from_db()
    assert notification.status == "pending" and "Interrupted" in notification.last_error
    assert [r.args for r in dummy_tasks.results] == [[notification.pk]]


def test_the_sweep_enqueues_rows_whose_task_was_lost(return_request, dummy_tasks):
    notification = notification_queue(return_request=return_request, kind="return_created")
    dummy_tasks.clear()
    assert notification_retry_due(now=timezone.now()) == 0  # its own task is on its way
    assert notification_retry_due(now=timezone.now() + timedelta(minutes=2)) == 1
    assert notification_send(notification_id=notification.pk) == "sent"
    assert notification_retry_due(now=timezone.now() + timedelta(minutes=2)) == 0
