"""Fixed-window rate limits counted in the database, so every web process shares them.

A window opens at a key's first hit and lasts ``window`` seconds; each hit inside it adds one
to the count until ``limit`` is reached, after which hits are refused (and not counted) until
the window ends. Every change is a conditional update, so two processes racing on the same key
can never both take the last slot or both reset the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from retour.core import clock
from retour.core.models import RateLimitCounter

_KEY_MAX = 200


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    retry_after: int  # seconds until the window ends; 0 when allowed
    count: int


def ratelimit_hit(*, key: str, limit: int, window: int, now: datetime | None = None) -> RateLimitResult:
    """Count one hit on ``key``: allowed while fewer than ``limit`` hits fell in the window.

    ``window`` is in seconds. A refused hit is not counted, so a client that keeps trying is
    let in again as soon as the window ends, never later.
    """
    now = now or clock.now()
    key = key[:_KEY_MAX]
    counter = _counter(key, now)
    if counter is None:  # created by this hit
        return RateLimitResult(True, 0, 1)
    rows = RateLimitCounter.objects.filter(key=key)
    # The window has ended: start a new one with this hit (only one racer wins the reset).
    if rows.filter(window_start__lte=now - timedelta(seconds=window)).update(window_start=now, count=1):
        return RateLimitResult(True, 0, 1)
    if rows.filter(count__lt=limit, window_start__gt=now - timedelta(seconds=window)).update(
        count=F("count") + 1
    ):
        return RateLimitResult(True, 0, rows.values_list("count", flat=True).first() or limit)
    current = rows.values("window_start", "count").first() or {"window_start": now, "count": limit}
    ends = current["window_start"] + timedelta(seconds=window)
    return RateLimitResult(False, max(1, math.ceil((ends - now).total_seconds())), current["count"])


def _counter(key: str, now: datetime) -> RateLimitCounter | None:
    """The key's counter, or None when this call created it (with a count of one)."""
    existing = RateLimitCounter.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            RateLimitCounter.objects.create(key=key, window_start=now, count=1)
        return None
    except IntegrityError:  # another process created it first: count on its row
        return RateLimitCounter.objects.get(key=key)


def ratelimit_peek(*, key: str, limit: int, window: int, now: datetime | None = None) -> RateLimitResult:
    """Whether ``key`` is used up, without counting a hit."""
    now = now or clock.now()
    current = RateLimitCounter.objects.filter(key=key[:_KEY_MAX]).values("window_start", "count").first()
    if current is None or current["window_start"] <= now - timedelta(seconds=window):
        return RateLimitResult(True, 0, 0)
    if current["count"] < limit:
        return RateLimitResult(True, 0, current["count"])
    ends = current["window_start"] + timedelta(seconds=window)
    return RateLimitResult(False, max(1, math.ceil((ends - now).total_seconds())), current["count"])


def ratelimit_release(*, key: str) -> None:
    """Take back one hit of ``key`` (a try that turned out not to count, e.g. a successful login)."""
    RateLimitCounter.objects.filter(key=key[:_KEY_MAX], count__gt=0).update(count=F("count") - 1)


def ratelimit_purge(*, before: datetime) -> int:
    """Delete counters whose window started before ``before`` (they no longer limit anything)."""
    deleted, _ = RateLimitCounter.objects.filter(window_start__lt=before).delete()
    return deleted
