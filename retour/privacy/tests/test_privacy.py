"""retour customer export / erase, and retour purge."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from retour.cli import main
from retour.core.models import IdempotencyRecord, RateLimitCounter
from retour.helpdesk.services import message_post
from retour.notifications.models import Notification
from retour.orders.models import Customer, Order
from retour.resolutions.models import StoreCreditAccount
from retour.returns.models import ReturnEvent, ReturnLine, ReturnRequest
from retour.returns.services import LineRequest, return_create

pytestmark = pytest.mark.django_db

EMAIL = "alice@example.com"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def a_return(store, make_order, customer_actor):
    order = make_order("1001")
    rr = return_create(
        order=order,
        actor=customer_actor,
        channel="portal",
        lines=[LineRequest(order.lines.get().id, 1, "defective", comment="Call me on 06 12 34 56 78")],
    )
    message_post(return_request=rr, author_type="customer", author_name="Alice Martin", body="Where is it?")
    StoreCreditAccount.objects.create(
        store=store, customer=rr.customer, currency="EUR", balance=Decimal("12")
    )
    return rr


def test_export_prints_everything_held_about_the_customer(capsys, a_return):
    code, out, _ = run(capsys, "customer", "export", "ALICE@example.com")

    assert code == 0
    data = json.loads(out)
    [held] = data["stores"]
    assert held["customer"]["email"] == EMAIL and held["customer"]["name"] == "Alice Martin"
    assert held["orders"][0]["number"] == "1001" and held["orders"][0]["shipping_address"]["line1"]
    assert held["returns"][0]["number"] == a_return.number
    assert held["returns"][0]["lines"][0]["comment"] == "Call me on 06 12 34 56 78"
    assert held["returns"][0]["messages"][0]["text"] == "Where is it?"
    assert held["store_credit"][0]["balance"] == "12.000"


def test_export_of_an_unknown_customer_is_an_error(capsys, store):
    code, _, err = run(capsys, "customer", "export", "nobody@example.com")
    assert code == 2 and "no customer" in err


def test_erase_anonymises_personal_data_and_keeps_the_accounting_records(capsys, a_return):
    code, out, _ = run(capsys, "customer", "erase", EMAIL)

    assert code == 0 and "Anonymised 1 customer" in out
    customer = Customer.objects.get(pk=a_return.customer_id)
    assert customer.email.endswith("@erased.invalid") and customer.name == "" and customer.phone == ""
    order = Order.objects.get(pk=a_return.order_id)
    assert order.ship_line1 == order.ship_postal_code == order.ship_name == ""
    assert order.ship_country == "FR"  # where the sale took place stays, for tax and consumer law
    assert ReturnLine.objects.get(return_request=a_return).comment == ""
    assert a_return.messages.get().body == "[erased]"
    assert not Notification.objects.filter(recipient=EMAIL).exists()
    assert not ReturnEvent.objects.filter(actor_name=EMAIL).exists()
    # The accounting survives: the return, its quantities and the credit balance.
    rr = ReturnRequest.objects.get(pk=a_return.pk)
    assert rr.lines.get().quantity == 1
    assert StoreCreditAccount.objects.get(customer=customer).balance == Decimal("12")
    # Nothing of the address is left anywhere in the export of the anonymous customer.
    assert run(capsys, "customer", "export", EMAIL)[0] == 2
    code, out, _ = run(capsys, "customer", "export", customer.email)
    assert EMAIL not in out and "Alice" not in out and "06 12" not in out and "rue" not in out.lower()


def test_erasing_twice_changes_nothing_the_second_time(capsys, a_return):
    assert run(capsys, "customer", "erase", EMAIL)[0] == 0
    alias = Customer.objects.get(pk=a_return.customer_id).email

    assert run(capsys, "customer", "erase", alias)[0] == 0
    assert Customer.objects.get(pk=a_return.customer_id).email == alias


def test_purge_deletes_what_outlived_its_retention_and_keeps_the_rest(capsys, store, settings):
    settings.RETAIN_IDEMPOTENCY_DAYS = 7
    old, fresh = timezone.now() - timedelta(days=8), timezone.now() - timedelta(days=1)
    for key, at in (("old", old), ("fresh", fresh)):
        record = IdempotencyRecord.objects.create(
            store=store, key=key, method="POST", path="/x", body_hash="h"
        )
        IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=at)
    RateLimitCounter.objects.create(key="old", window_start=timezone.now() - timedelta(days=2), count=3)
    RateLimitCounter.objects.create(key="new", window_start=timezone.now(), count=1)
    expired = SessionStore()
    expired.set_expiry(-10)
    expired.save()
    live = SessionStore()
    live.save()

    code, out, _ = run(capsys, "purge")

    assert code == 0
    assert "idempotency records: 1 deleted" in out and "rate limit counters: 1 deleted" in out
    assert "sessions: 1 deleted" in out
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["new"]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_purge_deletes_finished_task_results_past_their_retention(capsys, settings):
    from django_tasks_db.models import DBTaskResult

    from retour.notifications.tasks import notification_send_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.RETAIN_TASK_RESULTS_DAYS = 14
    done_long_ago, done_lately, waiting = (notification_send_task.enqueue(1) for _ in range(3))
    DBTaskResult.objects.filter(pk=done_long_ago.id).update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=15)
    )
    DBTaskResult.objects.filter(pk=done_lately.id).update(status="FAILED", finished_at=timezone.now())

    assert "task results: 1 deleted" in run(capsys, "purge")[1]
    assert {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)} == {
        done_lately.id,
        waiting.id,
    }
