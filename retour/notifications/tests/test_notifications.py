from __future__ import annotations

from datetime import UTC, datetime, timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from retour.core.actors import Actor
from retour.notifications.models import Notification
from retour.notifications.services import KINDS, notification_queue
from retour.notifications.tasks import MAX_ATTEMPTS, SENDING_LEASE, notification_retry_due, notification_send
from retour.returns.services import LineRequest, return_approve, return_create, return_receive, return_reject

from .conftest import make_order, make_return, send_all

SEND = "django.core.mail.EmailMultiAlternatives.send"
STAFF = Actor(type="user", name="Sam", role="admin")


def _approve(rr):
    return return_approve(return_request=rr, actor=STAFF)


def _refund(rr, amount=None, method="original_payment"):
    from retour.resolutions.services import refund_issue

    if rr.status == "requested":
        rr = _approve(rr)
    rr = return_receive(
        return_request=rr,
        actor=STAFF,
        lines=[{"id": ln.id, "quantity": ln.quantity} for ln in rr.lines.all()],
    )
    if method != "store_credit":
        from retour.returns.services import return_inspect

        return_inspect(
            return_request=rr,
            actor=STAFF,
            entries=[
                {
                    "id": ln.id,
                    "quantity": ln.quantity,
                    "condition": "new",
                    "disposition": "restock",
                    "accepted": True,
                }
                for ln in rr.lines.all()
            ],
        )
    refund = refund_issue(return_request=rr, actor=STAFF, method=method, amount=amount)
    if refund.provider:  # to the original payment: "refunded" is written once the provider says so
        from retour.resolutions.payments.services import refund_send

        refund_send(refund_id=refund.pk)
    return refund


def _last(kind):
    return Notification.objects.filter(kind=kind).latest("id")


# --- the outbox and the transaction ---------------------------------------------------------


def test_the_row_is_written_with_the_change_and_sent_only_after_commit(
    store, immediate_tasks, django_capture_on_commit_callbacks
):
    order = make_order(store, number="1001")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rr = return_create(
            order=order,
            actor=Actor.customer("alice@example.com"),
            channel="portal",
            lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
        )
        notification = Notification.objects.get(return_request=rr)
        assert notification.kind == "return_created" and notification.status == "pending"
        assert mail.outbox == []  # the transaction is committed, its callbacks not yet run
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.attempts == 1 and notification.sent_at
    assert notification.subject == mail.outbox[0].subject


def test_nothing_is_written_or_sent_when_the_change_rolls_back(
    store, immediate_tasks, django_capture_on_commit_callbacks
):
    order = make_order(store, number="1001")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            return_create(
                order=order,
                actor=Actor.customer("alice@example.com"),
                channel="portal",
                lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="too_small")],
            )
            raise RuntimeError("something after the change failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_each_step_of_a_return_writes_its_own_email(return_request):
    _refund(return_request)
    assert list(Notification.objects.order_by("id").values_list("kind", flat=True)) == [
        "return_created",
        "return_approved",
        "return_received",
        "refund_issued",
    ]


# --- languages and content -------------------------------------------------------------------


def test_the_email_is_in_french_for_a_customer_of_a_french_store(return_request):
    _approve(return_request)
    notification = _last("return_approved")
    assert notification.language == "fr" and notification.recipient == "alice@example.com"
    assert notification_send(notification_id=notification.pk) == "sent"
    message = mail.outbox[0]
    assert "accepté" in message.subject and return_request.number in message.subject
    assert "Prochaine étape : imprimez le bon de retour" in message.body
    assert "https://returns.example.com/portal/r/" + return_request.token in message.body
    assert "T-shirt bleu M × 2" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and '<html lang="fr">' in html and "Imprimer le bon de retour" in html
    assert message.from_email.startswith("Maison Test <")  # the shop's name, the configured address


def test_the_email_is_in_the_customers_own_language_over_the_stores(store):
    make_return(store, email="bob@example.de", language="en-GB", name="Bob")
    notification = _last("return_created")
    assert notification.language == "en"
    notification_send(notification_id=notification.pk)
    message = mail.outbox[0]
    assert "Next step: nothing to do for now" in message.body
    assert '<html lang="en">' in message.alternatives[0][0]


def test_a_language_without_templates_falls_back_to_english(other_store):
    make_return(other_store, language="pt")
    assert _last("return_created").language == "en"


def test_return_created_links_to_the_status_page_and_the_slip(store):
    rr = make_return(store)
    send_all()
    body = mail.outbox[0].body
    url = f"https://returns.example.com/portal/r/{rr.token}"
    assert f"{url}/slip.pdf" in body and f"Suivre votre retour : {url}" in body


def test_the_approval_gives_the_return_address_with_the_country_in_words(return_request):
    _approve(return_request)
    send_all()
    assert "Maison Test\nFrance\n" in mail.outbox[0].body


def test_money_is_written_the_french_way(return_request):
    _refund(return_request, amount="12.50")
    mail.outbox.clear()
    notification_send(notification_id=_last("refund_issued").pk)
    message = mail.outbox[0]
    assert "12,50\xa0€" in message.subject
    assert "sur le moyen de paiement utilisé pour la commande" in message.body


def test_money_is_written_the_english_way(store):
    rr = make_return(store, email="carol@example.co.uk", language="en")
    _refund(rr, amount="12.50")
    notification_send(notification_id=_last("refund_issued").pk)
    assert "€12.50" in mail.outbox[-1].subject
    assert "to the payment method you used for the order" in mail.outbox[-1].body


def test_the_acknowledgement_of_a_withdrawal_gives_the_date_and_time_of_receipt(store):
    received = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    order = make_order(store, number="2001", language="en", delivered=received - timedelta(days=2))
    return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        channel="portal",
        withdrawal_statement=True,
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="changed_mind")],
        now=received,
    )
    notification = _last("withdrawal_acknowledged")
    notification_send(notification_id=notification.pk)
    assert "received on 14 March 2026 at 10:30" in mail.outbox[0].body  # Europe/Paris, the store's time zone


def test_a_rejection_says_why(return_request):
    return_reject(
        return_request=return_request, actor=STAFF, reason="Article porté", note="Étiquette retirée."
    )
    send_all()
    body = mail.outbox[0].body
    assert "Motif : Article porté" in body and "Étiquette retirée." in body
    assert "merci de ne pas envoyer les articles" in body


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(store, kind, language):
    store.support_email = "support@maison.example"
    store.save()
    rr = make_return(store, language=language)
    _refund(rr)
    mail.outbox.clear()
    notification = notification_queue(return_request=rr, kind=kind)
    assert notification_send(notification_id=notification.pk) == "sent"
    message = mail.outbox[0]
    assert message.subject and "{{" not in message.body and "{%" not in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.subject
    assert message.alternatives[0][0].lstrip().startswith("<!doctype html>")
    assert message.reply_to == ["support@maison.example"]


def test_the_overdue_refund_alert_goes_to_the_store_and_is_skipped_without_an_address(store):
    rr = make_return(store)
    assert notification_queue(return_request=rr, kind="return_refund_overdue") is None
    store.support_email = "support@maison.example"
    store.save()
    rr.refresh_from_db()
    notification = notification_queue(return_request=rr, kind="return_refund_overdue")
    assert notification.recipient == "support@maison.example" and notification.language == "fr"


def test_an_unknown_kind_is_refused(return_request):
    with pytest.raises(ValueError):
        notification_queue(return_request=return_request, kind="return_exploded")


# --- at most once, retries -------------------------------------------------------------------


def test_running_the_task_twice_sends_once(return_request):
    notification = notification_queue(return_request=return_request, kind="return_created")
    assert notification_send(notification_id=notification.pk) == "sent"
    assert notification_send(notification_id=notification.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_no_transaction_is_held_open_while_the_mail_server_talks(return_request):
    from django.db import connection

    notification = notification_queue(return_request=return_request, kind="return_created")
    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen = []

    def smtp(*args, **kwargs):
        seen.append((len(connection.atomic_blocks), Notification.objects.get(pk=notification.pk).status))
        return 1

    with mock.patch(SEND, side_effect=smtp):
        assert notification_send(notification_id=notification.pk) == "sent"
    assert seen == [(depth, "sending")]  # the claim is already written, nothing is left open


def test_a_row_being_sent_is_not_claimed_by_a_second_worker(return_request):
    notification = notification_queue(return_request=return_request, kind="return_created")
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", next_attempt_at=timezone.now() + SENDING_LEASE
    )
    assert notification_send(notification_id=notification.pk) == "skipped"
    assert mail.outbox == []


def test_a_failure_is_recorded_and_retried_later_with_backoff(
    return_request, dummy_tasks, django_capture_on_commit_callbacks
):
    notification = notification_queue(return_request=return_request, kind="return_created")
    dummy_tasks.clear()
    with (
        mock.patch(SEND, side_effect=SMTPException("421 try again later")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        before = timezone.now()
        assert notification_send(notification_id=notification.pk) == "retry"
    notification.refresh_from_db()
    assert notification.status == "pending" and notification.attempts == 1
    assert "421 try again later" in notification.last_error
    assert (
        before + timedelta(seconds=59)
        <= notification.next_attempt_at
        <= timezone.now() + timedelta(seconds=61)
    )
    [retry] = dummy_tasks.results
    assert retry.args == [notification.pk] and retry.task.run_after == notification.next_attempt_at
    # Not due yet: an early run does nothing.
    assert notification_send(notification_id=notification.pk) == "skipped"
    # The second failure waits twice as long.
    with mock.patch(SEND, side_effect=SMTPException("still down")):
        assert notification_send(notification_id=notification.pk, now=notification.next_attempt_at) == "retry"
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.next_attempt_at >= timezone.now() + timedelta(
        seconds=119
    )
    # Then the server is back.
    assert notification_send(notification_id=notification.pk, now=notification.next_attempt_at) == "sent"
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.attempts == 3 and notification.last_error == ""
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt(return_request, dummy_tasks, django_capture_on_commit_callbacks):
    notification = notification_queue(return_request=return_request, kind="return_created")
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    dummy_tasks.clear()
    with (
        mock.patch(SEND, side_effect=SMTPException("550 mailbox unavailable")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert notification_send(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == "failed" and notification.next_attempt_at is None
    assert "550 mailbox unavailable" in notification.last_error
    assert dummy_tasks.results == []
    later = timezone.now() + timedelta(days=1)
    assert notification_retry_due(now=later) == 0
    assert notification_send(notification_id=notification.pk, now=later) == "skipped"


def test_a_row_stuck_in_sending_is_taken_back_after_its_lease(
    return_request, dummy_tasks, django_capture_on_commit_callbacks
):
    notification = notification_queue(return_request=return_request, kind="return_created")
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        status="sending", attempts=1, next_attempt_at=now + SENDING_LEASE
    )
    dummy_tasks.clear()
    assert notification_retry_due(now=now + timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_retry_due(now=now + SENDING_LEASE + timedelta(seconds=1)) == 1
    notification.refresh_from_db()
    assert notification.status == "pending" and "Interrupted" in notification.last_error
    assert [r.args for r in dummy_tasks.results] == [[notification.pk]]


def test_the_sweep_enqueues_rows_whose_task_was_lost(return_request, dummy_tasks):
    notification = notification_queue(return_request=return_request, kind="return_created")
    assert notification_retry_due(now=timezone.now()) == 0  # its own task is on its way
    assert notification_retry_due(now=timezone.now() + timedelta(minutes=2)) == 1
    assert notification_send(notification_id=notification.pk) == "sent"
    assert notification_retry_due(now=timezone.now() + timedelta(minutes=2)) == 0


def test_the_overdue_refund_alert_says_how_late_and_how_much_in_the_stores_language(store):
    store.support_email = "support@maison.example"
    store.save()
    rr = make_return(store)
    data = {"days_late": 3, "amount_due": "25.00", "surcharge_amount": "2.50", "refund_due_by": "2026-07-17"}
    notification = notification_queue(return_request=rr, kind="return_refund_overdue", data=data)
    mail.outbox.clear()
    notification_send(notification_id=notification.pk)
    message = mail.outbox[0]
    assert message.to == ["support@maison.example"]
    assert "échéance le 17 juillet 2026" in message.subject
    assert "Retard : 3 jours. Reste dû : 25,00\xa0€." in message.body
    assert "2,50\xa0€ de majoration" in message.body and "/admin/returns/returnrequest/" in message.body


def test_a_german_customer_gets_the_approval_in_german(store):
    rr = make_return(store, email="greta@example.de", language="de-DE", name="Greta")
    send_all()
    mail.outbox.clear()
    _approve(rr)
    notification = _last("return_approved")
    assert notification.language == "de"

    assert notification_send(notification_id=notification.pk) == "sent"

    message = mail.outbox[0]
    assert message.subject.startswith(f"Rücksendung {rr.number} genehmigt")
    assert "Guten Tag Greta," in message.body
    assert "Nächster Schritt: Drucken Sie den Rücksendeschein aus" in message.body
    assert "T-shirt bleu M × 2" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="de">' in html and "Rücksendeschein drucken" in html


def test_a_german_refund_email_writes_money_the_german_way(store):
    rr = make_return(store, email="greta@example.de", language="de", name="Greta")
    _refund(rr, amount="12.50")
    mail.outbox.clear()
    notification_send(notification_id=_last("refund_issued").pk)
    assert "Erstattung von 12,50\xa0€" in mail.outbox[-1].subject


def test_a_staff_alert_in_a_language_without_its_templates_is_in_english():
    from retour.notifications.services import email_language

    assert email_language("de", kind="return_approved") == "de"
    assert email_language("de", kind="message_received") == "en"
    assert email_language("pt", "fr", kind="return_created") == "fr"


@pytest.mark.parametrize("language", ["de", "es", "it", "nl"])
def test_every_customer_email_exists_in_the_shopper_languages(language):
    from datetime import date

    from django.template.loader import render_to_string
    from django.utils import translation

    from retour.notifications.services import CUSTOMER_KINDS

    context = {
        "customer_name": "Greta",
        "return_number": "R-1",
        "order_number": "1001",
        "store_name": "Maison Test",
        "status": "approved",
        "created_at": datetime(2026, 3, 5, 10, 30, tzinfo=UTC),
        "expires_at": datetime(2026, 3, 19, 10, 30, tzinfo=UTC),
        "refund_due_by": date(2026, 3, 19),
        "refund_amount": "12,50 €",
        "refund_method": "original_payment",
        "lines": [{"title": "T-shirt", "quantity": 1, "approved_quantity": 1}],
        "return_address": ["Maison Test", "France"],
        "message_body": "Merci",
        "statement_name": "Greta",
    }
    with translation.override(language):
        for kind in CUSTOMER_KINDS:
            subject = render_to_string(f"notifications/{language}/{kind}.subject.txt", context)
            text = render_to_string(f"notifications/{language}/{kind}.txt", context)
            html = render_to_string(f"notifications/{language}/{kind}.html", context)
            assert "R-1" in subject or "1001" in subject, kind
            assert "Hello" not in text and "Next step" not in text, kind
            assert f'<html lang="{language}">' in html, kind
        approved = render_to_string(f"notifications/{language}/return_approved.txt", context)
    month = {"de": "März", "es": "marzo", "it": "marzo", "nl": "maart"}[language]
    assert f"19 {month}" in approved.replace("19. ", "19 ").replace(
        "19 de ", "19 "
    )  # the date in the language


@pytest.mark.parametrize(
    ("language", "promised", "cost"),
    [
        (
            "de",
            "Wir erstatten Ihnen 10,50\xa0€",
            "abzüglich 2,00\xa0€ für die unmittelbaren Kosten der Rücksendung",
        ),
        ("es", "Le reembolsaremos 10,50\xa0€", "menos 2,00\xa0€ por el coste directo de la devolución"),
        ("it", "Le rimborseremo 10,50\xa0€", "meno 2,00\xa0€ per il costo diretto della restituzione"),
        ("nl", "We betalen u €\xa010,50 terug", "min €\xa02,00 voor de directe kosten van het terugsturen"),
    ],
)
def test_the_withdrawal_acknowledgement_says_what_is_refunded_in_every_shopper_language(
    store, language, promised, cost
):
    """Art. 13/14: the acknowledgement names the amount and the return cost the consumer bears,
    not "the payments received", in German, Spanish, Italian and Dutch as in French and English."""
    from decimal import Decimal

    from retour.policies.services import policy_update

    policy_update(store=store, changes={"return_shipping_fee": Decimal("2.00")})
    order = make_order(store, number="2001", language=language)
    return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        channel="portal",
        withdrawal_statement=True,
        lines=[LineRequest(line_id=order.lines.get().id, quantity=1, reason="changed_mind")],
    )
    assert notification_send(notification_id=_last("withdrawal_acknowledged").pk) == "sent"
    text, html = mail.outbox[-1].body, mail.outbox[-1].alternatives[0][0]
    assert promised in text and cost in text, text
    assert "12,50" in text  # what was paid for the item withdrawn
    assert cost in html and "10,50" in html
