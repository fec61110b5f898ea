"""One place for 'now', so services take ``now=`` and tests pin time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar day of ``moment`` in the given time zone (the consumer's day)."""
    return moment.astimezone(ZoneInfo(tz_name)).date()
