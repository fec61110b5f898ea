"""The periodic sweep: every job runs, one failure does not stop the others, counts come back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from retour.core import periodic
from retour.core.periodic import periodic_run, periodic_run_task
from retour.notifications.models import Notification
from retour.returns.models import ReturnRequest
from retour.returns.services import LineRequest, return_approve, return_create, return_ship

NOTICE = datetime(2026, 7, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def approved(store, make_order, customer_actor, staff_actor):
    """approved(number, ship=False): a withdrawal return approved on 3 July (expires 30 days later)."""

    def _make(number: str, ship: bool = False) -> ReturnRequest:
        order = make_order(number, now=NOTICE, delivered_days_ago=2)
        rr = return_create(
            order=order,
            actor=customer_actor,
            now=NOTICE,
            lines=[LineRequest(line_id=order.lines.get().id, quantity=2, reason="changed_mind")],
        )
        rr = return_approve(return_request=rr, actor=staff_actor, now=NOTICE)
        if ship:
            rr = return_ship(return_request=rr, actor=customer_actor, now=NOTICE + timedelta(days=1))
        return rr

    return _make


def test_it_runs_every_job_and_returns_their_counts(approved, store):
    store.support_email = "support@shop.test"
    store.save()
    with time_machine.travel(NOTICE):  # the outbox rows are stamped with the real clock
        never_shipped = approved("P-1")
        overdue = approved("P-2", ship=True)
    now = NOTICE + timedelta(days=31)  # the approval lapsed (30 days); the refund was due on 17 July
    results = periodic_run(now=now)
    assert results["returns_expired"] == 1
    assert results["refunds_flagged_overdue"] == 1
    # two returns, each created and approved: their on-commit sends never ran in the test transaction
    assert results["notifications_retried"] == 4
    assert ReturnRequest.objects.get(pk=never_shipped.pk).status == "expired"
    assert ReturnRequest.objects.get(pk=overdue.pk).refund_overdue_flagged_at == now
    assert Notification.objects.filter(kind="return_refund_overdue").count() == 1


def test_running_it_again_does_nothing_more(approved):
    approved("P-1")
    approved("P-2", ship=True)
    now = NOTICE + timedelta(days=31)
    periodic_run(now=now)
    again = periodic_run(now=now + timedelta(minutes=5))
    assert (again["returns_expired"], again["refunds_flagged_overdue"]) == (0, 0)


def test_a_failing_job_is_reported_and_the_others_still_run(approved, monkeypatch):
    approved("P-2", ship=True)

    def broken(*, now):
        raise RuntimeError("boom")

    monkeypatch.setattr("retour.returns.services.return_expire_due", broken)
    results = periodic_run(now=NOTICE + timedelta(days=31))
    assert results["returns_expired"] == periodic.FAILED
    assert results["refunds_flagged_overdue"] == 1


def test_a_database_error_in_one_job_does_not_break_the_next(approved, monkeypatch):
    approved("P-2", ship=True)

    def bad_sql(*, now):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
        return 0

    monkeypatch.setattr("retour.returns.services.return_expire_due", bad_sql)
    results = periodic_run(now=NOTICE + timedelta(days=31))
    assert results["returns_expired"] == periodic.FAILED
    assert results["refunds_flagged_overdue"] == 1  # on PostgreSQL, only the savepoint saves this


def test_a_job_that_does_not_exist_is_skipped(db, monkeypatch):
    monkeypatch.setattr(
        periodic,
        "JOBS",
        (
            ("missing", "retour.nowhere:nothing"),
            ("refunds_flagged_overdue", "retour.resolutions.overdue:refunds_flag_overdue"),
        ),
    )
    assert periodic_run(now=NOTICE) == {"refunds_flagged_overdue": 0}


def test_the_task_runs_the_sweep_with_the_real_clock(approved):
    approved("P-1")
    with time_machine.travel(NOTICE + timedelta(days=31), tick=False):
        results = periodic_run_task.call()
    assert results["returns_expired"] == 1
    assert set(results) == {
        "returns_expired",
        "refunds_flagged_overdue",
        "notifications_retried",
        "webhooks_retried",
        "webhook_log_purged",
        "refunds_sent_or_polled",
        "credit_codes_expired",
        "shops_polled",
        "draft_photos_purged",
        "orphaned_tasks_failed",
        "retention_purged",
    }
