"""/api/v1/reasons and /api/v1/policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router

from retour.core.api import api_store, require_role
from retour.core.errors import ValidationFailed, line_error
from retour.core.money import money_str
from retour.policies.models import Policy, ReturnReason
from retour.policies.schemas import PolicyIn, PolicyOut, ReasonOut
from retour.policies.services import policy_update
from retour.stores.models import Role

router = Router(tags=["policy"])

READ_ROLES = (Role.ADMIN, Role.AGENT, Role.WAREHOUSE)


@router.get("/reasons", response=list[ReasonOut], summary="The store's return reasons")
def reason_list_endpoint(request: HttpRequest) -> list[dict[str, Any]]:
    require_role(request, *READ_ROLES)
    reasons = ReturnReason.objects.filter(store=api_store(request), active=True).order_by("position", "code")
    return [
        {
            "code": r.code,
            "label": r.label(),
            "seller_fault": r.seller_fault,
            "requires_photo": r.requires_photo,
        }
        for r in reasons
    ]


@router.get("/policy", response=PolicyOut, summary="The store's return policy")
def policy_get_endpoint(request: HttpRequest) -> dict[str, Any]:
    require_role(request, *READ_ROLES)
    store = api_store(request)
    return policy_out(Policy.objects.get(store=store), store.currency)


@router.put("/policy", response=PolicyOut, summary="Change the return policy (admin)")
def policy_put_endpoint(request: HttpRequest, payload: PolicyIn) -> dict[str, Any]:
    """The body may give any subset of the fields."""
    require_role(request, Role.ADMIN)
    store = api_store(request)
    changes = payload.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise ValidationFailed(
            _("The policy was not changed."),
            errors=[
                line_error([name], "null_not_allowed", _("Give a value or leave the field out."))
                for name in nulls
            ],
        )
    for name in ("window_starts", "refund_trigger"):
        if name in changes:
            changes[name] = str(changes[name].value)
    if "allowed_resolutions" in changes:
        changes["allowed_resolutions"] = list(
            dict.fromkeys(str(r.value) for r in changes["allowed_resolutions"])
        )
    return policy_out(policy_update(store=store, changes=changes), store.currency)


def _percent(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def policy_out(policy: Policy, currency: str) -> dict[str, Any]:
    return {
        "window_days": policy.window_days,
        "window_starts": policy.window_starts,
        "restocking_fee_percent": _percent(policy.restocking_fee_percent),
        "return_shipping_fee": money_str(policy.return_shipping_fee, currency),
        "store_credit_bonus_percent": _percent(policy.store_credit_bonus_percent),
        "allowed_resolutions": list(policy.allowed_resolutions),
        "refund_trigger": policy.refund_trigger,
        "auto_approve": policy.auto_approve,
        "store_credit_expiry_months": policy.store_credit_expiry_months,
        "keep_it_max_value": money_str(policy.keep_it_max_value, currency),
        "keep_it_reasons": list(policy.keep_it_reasons or []),
        "keep_it_categories": list(policy.keep_it_categories or []),
        "apply_statutory_rights": policy.apply_statutory_rights,
        "return_costs_borne_by_customer": policy.return_costs_borne_by_customer,
        "currency": currency,
    }
