"""The store's reason catalogue, read once per process and kept while the store's settings
do not change.

``Policy.settings_version`` takes a new random value whenever the policy or one of the store's
reasons is saved or deleted (signals below, so admin edits, bulk deletes and services all
count). Every request reads the policy anyway (API calls with their key, in one query), so
comparing its version with the cached one costs nothing, and an edit made by any process is
seen by the next request of every other process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from retour.policies.models import Policy, ReturnReason, new_settings_version


@dataclass(frozen=True)
class ReasonCatalogue:
    active: dict[str, bool]  # code → seller's fault, for the active reasons
    seller_fault: frozenset[str]  # codes of every reason (active or not) that is the seller's fault


_cache: dict[int, tuple[int, ReasonCatalogue]] = {}
_lock = threading.Lock()


def reason_catalogue(policy: Policy) -> ReasonCatalogue:
    """The reasons of ``policy``'s store, from this process's cache while its version holds.
    ``policy`` must have been read in this request (its version is what is compared)."""
    hit = _cache.get(policy.store_id)
    if hit is not None and hit[0] == policy.settings_version:
        return hit[1]
    rows = list(
        ReturnReason.objects.filter(store_id=policy.store_id).values_list("code", "seller_fault", "active")
    )
    catalogue = ReasonCatalogue(
        active={code: fault for code, fault, active in rows if active},
        seller_fault=frozenset(code for code, fault, _active in rows if fault),
    )
    with _lock:
        _cache[policy.store_id] = (policy.settings_version, catalogue)
    return catalogue


def settings_changed(store_id: int) -> None:
    """Give the store's settings a new version: every process re-reads them at its next request."""
    Policy.objects.filter(store_id=store_id).update(settings_version=new_settings_version())


def _reason_changed(sender: Any, instance: ReturnReason, **kwargs: Any) -> None:
    settings_changed(instance.store_id)


def _policy_saving(sender: Any, instance: Policy, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        instance.settings_version = new_settings_version()  # written by the save itself


def _policy_saved(sender: Any, instance: Policy, raw: bool = False, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if not raw and fields is not None and "settings_version" not in fields:  # a save(update_fields=…)
        Policy.objects.filter(pk=instance.pk).update(settings_version=instance.settings_version)


def connect_signals() -> None:
    """Cache invalidation only (no domain behaviour): called by PoliciesConfig.ready."""
    post_save.connect(_reason_changed, sender=ReturnReason, dispatch_uid="catalogue-reason-saved")
    post_delete.connect(_reason_changed, sender=ReturnReason, dispatch_uid="catalogue-reason-deleted")
    pre_save.connect(_policy_saving, sender=Policy, dispatch_uid="catalogue-policy-saving")
    post_save.connect(_policy_saved, sender=Policy, dispatch_uid="catalogue-policy-saved")
