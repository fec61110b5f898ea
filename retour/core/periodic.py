"""The periodic sweep: time-driven work that no request triggers.

``periodic_run`` expires approved returns that were never shipped, flags overdue
statutory-withdrawal refunds, re-sends notifications and webhook deliveries whose retry is due, closes task rows of dead
workers and deletes records past their retention (``retour.core.retention``). Each job runs on its
own: one that fails is logged and reported as -1, and the others still run. Every job is safe to
run twice and at any interval (the worker calls this every few minutes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from importlib import import_module

from django.db import connection, transaction
from django_tasks import task

from retour.core import clock

log = logging.getLogger(__name__)

FAILED = -1

# result key → "module:function"; each function takes ``now=`` and returns a count.
JOBS: tuple[tuple[str, str], ...] = (
    ("returns_expired", "retour.returns.services:return_expire_due"),
    ("refunds_flagged_overdue", "retour.resolutions.overdue:refunds_flag_overdue"),
    ("notifications_retried", "retour.notifications.tasks:notification_retry_due"),
    ("webhooks_retried", "retour.integrations.webhooks.tasks:webhook_retry_due"),
    ("webhook_log_purged", "retour.integrations.webhooks.tasks:webhook_log_purge"),
    ("refunds_sent_or_polled", "retour.resolutions.payments.services:refunds_retry_due"),
    ("shops_polled", "retour.integrations.shops.services:shop_connectors_poll"),
    ("credit_codes_expired", "retour.resolutions.credit:credit_codes_expire_due"),
    ("draft_photos_purged", "retour.portal.services:draft_photos_purge"),
    ("retention_purged", "retour.core.retention:retention_purge_total"),
    ("orphaned_tasks_failed", "retour.core.tasks:tasks_sweep_orphaned"),
)


def _resolve(path: str) -> Callable[..., int] | None:
    module_name, _, name = path.partition(":")
    try:
        return getattr(import_module(module_name), name)
    except (ImportError, AttributeError):
        return None


def _run(name: str, job: Callable[..., int], now: datetime) -> int:
    # Inside a transaction (a caller's, or a test's), a savepoint keeps one job's database error
    # from breaking the transaction for the jobs after it.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    try:
        with guard:
            return int(job(now=now))
    except Exception:  # noqa: BLE001 - one failing job must not stop the others
        log.exception("periodic job %s failed", name)
        return FAILED


def periodic_run(*, now: datetime | None = None) -> dict[str, int]:
    """Run every periodic job once; returns each job's count (-1 when it failed)."""
    now = now or clock.now()
    results: dict[str, int] = {}
    for name, path in JOBS:
        job = _resolve(path)
        if job is None:
            log.warning("periodic job %s is not available (%s)", name, path)
            continue
        results[name] = _run(name, job, now)
    return results


@task()
def periodic_run_task() -> dict[str, int]:
    return periodic_run()
