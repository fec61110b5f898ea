"""Background tasks of the resolutions app."""

from __future__ import annotations

from django_tasks import task

from retour.resolutions.overdue import refunds_flag_overdue


@task()
def refunds_flag_overdue_task() -> int:
    """Flag overdue statutory-withdrawal refunds (safe to run at any time, and twice)."""
    return refunds_flag_overdue()
