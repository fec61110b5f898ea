"""Writes for the return policy and the reason catalogue."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from retour.core.errors import NotFound, ValidationFailed
from retour.core.money import quantize
from retour.policies.models import (
    COMMERCIAL_RESOLUTIONS,
    Policy,
    RefundTrigger,
    ReturnReason,
    WindowStart,
)
from retour.stores.models import Store

DEFAULT_REASONS: list[tuple[str, str, str, bool, bool]] = [
    # code, English, French, seller fault, photo required. The English labels are catalogue
    # messages: the languages without a column of their own show their translation (label()).
    ("too_small", gettext_noop("Too small"), "Trop petit", False, False),
    ("too_large", gettext_noop("Too large"), "Trop grand", False, False),
    ("changed_mind", gettext_noop("Changed my mind"), "J'ai changé d'avis", False, False),
    ("not_as_described", gettext_noop("Not as described"), "Non conforme à la description", True, False),
    ("defective", gettext_noop("Defective or not working"), "Défectueux ou ne fonctionne pas", True, True),
    ("damaged_in_transit", gettext_noop("Damaged in transit"), "Endommagé pendant le transport", True, True),
    ("wrong_item", gettext_noop("Wrong item received"), "Mauvais article reçu", True, False),
    ("arrived_late", gettext_noop("Arrived too late"), "Arrivé trop tard", False, False),
    ("other", gettext_noop("Other"), "Autre", False, False),
]


def policy_create_default(*, store: Store) -> Policy:
    policy, _ = Policy.objects.get_or_create(store=store)
    return policy


def reasons_create_defaults(*, store: Store) -> None:
    for position, (code, en, fr, fault, photo) in enumerate(DEFAULT_REASONS):
        ReturnReason.objects.get_or_create(
            store=store,
            code=code,
            defaults={
                "label_en": en,
                "label_fr": fr,
                "seller_fault": fault,
                "requires_photo": photo,
                "position": position,
            },
        )


def reason_categories_set(*, store: Store, code: str, categories: list[str]) -> ReturnReason:
    """Offer the reason ``code`` only for items of ``categories`` (an empty list: every item).
    Saved one by one so the reason catalogue's version changes and every process sees it."""
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise ValidationFailed(
            _("The reason was not changed."),
            errors=[
                {"loc": ["categories"], "code": "invalid_value", "message": _("Must be a list of codes.")}
            ],
        )
    reason = ReturnReason.objects.filter(store=store, code=code).first()
    if reason is None:
        raise NotFound(_("No such return reason."))
    reason.categories = sorted({c.strip().casefold() for c in categories if c.strip()})
    reason.save(update_fields=["categories"])
    return reason


POLICY_FIELDS = {
    "window_days",
    "window_starts",
    "restocking_fee_percent",
    "return_shipping_fee",
    "store_credit_bonus_percent",
    "allowed_resolutions",
    "refund_trigger",
    "auto_approve",
    "store_credit_expiry_months",
    "keep_it_max_value",
    "keep_it_reasons",
    "keep_it_categories",
    "apply_statutory_rights",
    "return_costs_borne_by_customer",
}


@transaction.atomic
def policy_update(*, store: Store, changes: dict[str, Any]) -> Policy:
    """Apply a subset of the policy fields, after checking each one."""
    policy = Policy.objects.select_for_update().get(store=store)
    errors = []
    for field, value in changes.items():
        if field not in POLICY_FIELDS:
            errors.append({"loc": [field], "code": "unknown_field", "message": _("Unknown field.")})
            continue
        problem = _policy_value_problem(field, value)
        if problem:
            errors.append({"loc": [field], "code": "invalid_value", "message": problem})
        else:
            setattr(policy, field, value)
    if errors:
        raise ValidationFailed(_("The policy was not changed."), errors=errors)
    # the flat fee is money: kept with the currency's decimals whoever changes it (API, admin, CLI)
    policy.return_shipping_fee = quantize(policy.return_shipping_fee, store.currency)
    policy.keep_it_max_value = quantize(policy.keep_it_max_value, store.currency)
    policy.save()
    return policy


def _policy_value_problem(field: str, value: Any) -> Any:
    """A translatable message when ``value`` does not fit ``field``, else None."""
    if field == "window_starts" and value not in WindowStart.values:
        return _("Must be one of: %(expected)s.") % {"expected": ", ".join(WindowStart.values)}
    if field == "refund_trigger" and value not in RefundTrigger.values:
        return _("Must be one of: %(expected)s.") % {"expected": ", ".join(RefundTrigger.values)}
    if field == "allowed_resolutions":
        if not value or any(v not in COMMERCIAL_RESOLUTIONS for v in value):
            return _("Must be a non-empty list of: %(expected)s.") % {
                "expected": ", ".join(COMMERCIAL_RESOLUTIONS)
            }
    if field in ("restocking_fee_percent", "store_credit_bonus_percent") and not (0 <= value <= 100):
        return _("Must be between 0 and 100.")
    if field in ("keep_it_reasons", "keep_it_categories") and (
        not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
    ):
        return _("Must be a list of codes.")
    if (
        field in ("return_shipping_fee", "window_days", "store_credit_expiry_months", "keep_it_max_value")
        and value < 0
    ):
        return _("Must not be negative.")
    return None
