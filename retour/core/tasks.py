"""Enqueue background tasks only once the surrounding transaction commits.

django-tasks does not defer to commit by itself; a task enqueued inside ``atomic()`` could
run before (or without) the rows it needs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    def _enqueue() -> None:
        task.enqueue(*args, **kwargs)

    transaction.on_commit(_enqueue, robust=True)
