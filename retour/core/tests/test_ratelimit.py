from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from retour.core.models import RateLimitCounter
from retour.core.ratelimit import ratelimit_hit, ratelimit_purge

pytestmark = pytest.mark.django_db


def test_hits_up_to_the_limit_are_allowed_then_refused_with_the_time_left():
    now = timezone.now()
    results = [ratelimit_hit(key="k", limit=3, window=900, now=now + timedelta(seconds=i)) for i in range(4)]

    assert [r.allowed for r in results] == [True, True, True, False]
    assert results[2].count == 3
    assert results[3].retry_after == 900 - 3


def test_a_refused_hit_is_not_counted_and_the_window_does_not_move():
    now = timezone.now()
    for _ in range(2):
        ratelimit_hit(key="k", limit=2, window=60, now=now)
    for i in range(5):
        assert not ratelimit_hit(key="k", limit=2, window=60, now=now + timedelta(seconds=10 + i)).allowed

    counter = RateLimitCounter.objects.get(key="k")
    assert counter.count == 2
    assert counter.window_start == now


def test_a_new_window_starts_when_the_old_one_has_ended():
    now = timezone.now()
    ratelimit_hit(key="k", limit=1, window=60, now=now)
    assert not ratelimit_hit(key="k", limit=1, window=60, now=now + timedelta(seconds=59)).allowed

    later = ratelimit_hit(key="k", limit=1, window=60, now=now + timedelta(seconds=60))

    assert later.allowed and later.count == 1
    assert RateLimitCounter.objects.get(key="k").window_start == now + timedelta(seconds=60)


def test_keys_are_counted_apart():
    now = timezone.now()
    assert ratelimit_hit(key="ip:1", limit=1, window=60, now=now).allowed
    assert ratelimit_hit(key="ip:2", limit=1, window=60, now=now).allowed
    assert not ratelimit_hit(key="ip:1", limit=1, window=60, now=now).allowed


def test_retry_after_is_at_least_one_second():
    now = timezone.now()
    ratelimit_hit(key="k", limit=1, window=60, now=now)

    refused = ratelimit_hit(key="k", limit=1, window=60, now=now + timedelta(seconds=59, milliseconds=900))

    assert refused.retry_after == 1


def test_purge_deletes_only_old_counters():
    now = timezone.now()
    ratelimit_hit(key="old", limit=5, window=60, now=now - timedelta(hours=2))
    ratelimit_hit(key="new", limit=5, window=60, now=now)

    assert ratelimit_purge(before=now - timedelta(hours=1)) == 1
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_hits_never_exceed_the_limit():
    now = timezone.now()
    results: list[bool] = []
    lock = threading.Lock()

    def hit() -> None:
        try:
            outcome = ratelimit_hit(key="race", limit=5, window=60, now=now).allowed
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results.count(True) == 5
    assert RateLimitCounter.objects.get(key="race").count == 5
