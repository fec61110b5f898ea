"""Enqueue background tasks only once the surrounding transaction commits.

django-tasks does not defer to commit by itself; a task enqueued inside ``atomic()`` could
run before (or without) the rows it needs.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    def _enqueue() -> None:
        task.enqueue(*args, **kwargs)

    transaction.on_commit(_enqueue, robust=True)


# --- task rows whose worker died ---------------------------------------------------------------

ORPHAN_AFTER = timedelta(minutes=30)  # no task of Retour runs this long: its worker is gone
WORKER_LOST = "retour.core.tasks.WorkerLost"


def worker_id_new() -> str:
    """``host:pid:random``: lets a sweep on the same machine see that the worker is dead."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


def _dead_here(worker_id: str) -> bool:
    """True when ``worker_id`` names a process of this machine that no longer exists."""
    host, _, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def tasks_sweep_orphaned(*, now: datetime | None = None) -> int:
    """Mark failed the task rows left ``RUNNING`` by a worker that died (killed, out of memory).

    A row is orphaned when its worker was a process of this machine that is gone, or when it
    started more than ``ORPHAN_AFTER`` ago. Tasks are safe to run twice and the work they stand
    for has its own retry (the notification outbox), so the row is closed rather than re-run.
    Returns the count.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    orphaned = [
        row.pk
        for row in running.only("id", "worker_ids", "started_at")
        if (row.started_at and row.started_at <= now - ORPHAN_AFTER)
        or (row.worker_ids and _dead_here(str(row.worker_ids[-1])))
    ]
    if not orphaned:
        return 0
    count = running.filter(pk__in=orphaned).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=WORKER_LOST,
        traceback="The worker running this task stopped (killed or crashed) before it finished.",
    )
    if count:
        log.warning("%s task rows left running by a dead worker were marked failed", count)
    return count
