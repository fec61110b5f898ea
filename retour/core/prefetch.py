"""Fill Django's prefetch cache with rows already in hand, so that ``obj.rel.all()`` costs no query."""

from __future__ import annotations

from typing import Any


def cache_related(instance: Any, name: str, objects: list[Any]) -> None:
    """After this, ``getattr(instance, name).all()`` answers ``objects`` without a query, as if
    they had been prefetched (Django's own prefetch does the same)."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
