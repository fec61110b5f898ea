"""Task rows left RUNNING by a worker that died are closed, by the next worker or the sweep."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from retour.core.periodic import periodic_run
from retour.core.tasks import WORKER_LOST, tasks_sweep_orphaned, worker_id_new
from retour.notifications.tasks import notification_send_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _running(worker_id: str, started_ago: timedelta = timedelta(seconds=5)) -> DBTaskResult:
    result = notification_send_task.enqueue(1)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - started_ago, worker_ids=[worker_id]
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_row_of_a_dead_worker_on_this_machine_is_marked_failed():
    host = socket.gethostname()[:40]
    dead = _running(f"{host}:{_dead_pid()}:abcd")
    alive = _running(worker_id_new())
    elsewhere = _running("other-host:1234:abcd")

    assert tasks_sweep_orphaned() == 1

    dead.refresh_from_db()
    assert dead.status == "FAILED" and dead.exception_class_path == WORKER_LOST
    assert dead.finished_at is not None
    assert DBTaskResult.objects.get(pk=alive.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=elsewhere.pk).status == "RUNNING"


def test_a_row_running_for_over_half_an_hour_is_marked_failed_by_the_periodic_sweep():
    stale = _running("other-host:1234:abcd", started_ago=timedelta(minutes=31))
    recent = _running("other-host:1234:efgh")

    assert periodic_run()["orphaned_tasks_failed"] == 1

    assert DBTaskResult.objects.get(pk=stale.pk).status == "FAILED"
    assert DBTaskResult.objects.get(pk=recent.pk).status == "RUNNING"


def test_worker_ids_name_this_machine_and_process():
    host, pid, _ = worker_id_new().split(":")
    assert host == socket.gethostname()[:40] and int(pid) == os.getpid()
    assert len(worker_id_new()) <= 64
