"""How long Retour keeps the records that only serve a while, and their clean-up.

Idempotency records (and the answers they replay), finished task results, expired sessions and
rate-limit counters are deleted once older than their retention (RETOUR_RETAIN_*_DAYS). The
periodic sweep runs ``retention_purge`` every few minutes; ``retour purge`` runs it at once.
Nothing here touches returns, refunds or store credit: those are accounting records.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

RATE_LIMIT_RETENTION = timedelta(days=1)  # the longest window is 15 minutes


def retention_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its retention; returns the count per kind."""
    from django.contrib.sessions.models import Session
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from retour.core.models import IdempotencyRecord
    from retour.core.ratelimit import ratelimit_purge

    now = now or timezone.now()
    idempotency_before = now - timedelta(days=settings.RETAIN_IDEMPOTENCY_DAYS)
    tasks_before = now - timedelta(days=settings.RETAIN_TASK_RESULTS_DAYS)
    finished = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    return {
        "idempotency_records": IdempotencyRecord.objects.filter(created_at__lt=idempotency_before).delete()[
            0
        ],
        "task_results": DBTaskResult.objects.filter(
            status__in=finished, finished_at__lt=tasks_before
        ).delete()[0],
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "rate_limit_counters": ratelimit_purge(before=now - RATE_LIMIT_RETENTION),
    }


def retention_purge_total(*, now: datetime) -> int:
    """``retention_purge`` for the periodic sweep: the number of rows deleted."""
    return sum(retention_purge(now=now).values())
