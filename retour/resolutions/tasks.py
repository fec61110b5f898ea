"""Background tasks of the resolutions app."""

from __future__ import annotations

from django_tasks import task

from retour.resolutions.overdue import refunds_flag_overdue


@task()
def refunds_flag_overdue_task() -> int:
    """Flag overdue statutory-withdrawal refunds (safe to run at any time, and twice)."""
    return refunds_flag_overdue()


@task()
def refund_send_task(refund_id: int) -> str:
    """Send a refund to its payment provider (claims it first: safe to run twice)."""
    from retour.resolutions.payments.services import refund_send

    return refund_send(refund_id=refund_id)


@task()
def refund_poll_task(refund_id: int) -> str:
    from retour.resolutions.payments.services import refund_poll

    return refund_poll(refund_id=refund_id)
