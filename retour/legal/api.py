"""``/api/v1/legal/…``: the consumer-law calculator (pure computations, nothing is written).

Mounted by the project's NinjaAPI, which authenticates every request. Each endpoint parses its
query, calls the engine and renders the explanation in the request's language.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from pydantic import BaseModel

from retour.core.errors import ValidationFailed
from retour.legal import schemas

router = Router(tags=["legal"])


# The engine is Django-free and explains bad input in English; the API answers in the
# caller's language, by the stable code of each problem.
PARAM_MESSAGES = {
    "missing": _("This parameter is required."),
    "invalid_date": _("Give a date as YYYY-MM-DD."),
    "date_out_of_range": _("This date is out of the range the calculator handles."),
    "invalid_boolean": _("Give true or false."),
    "invalid_amount": _("Give a decimal amount such as 104.90."),
    "negative_amount": _("The amount cannot be negative."),
    "invalid_country": _("Use an ISO 3166-1 alpha-2 country code, e.g. FR."),
    "unknown_subdivision": _("This region is not known for the country."),
    "invalid": _("This value is not valid."),
}


def _answer(endpoint: str, query: BaseModel) -> dict[str, Any]:
    try:
        return schemas.compute(endpoint, query.model_dump(), get_language())
    except schemas.ParamErrors as exc:
        errors = [{**e, "message": PARAM_MESSAGES.get(e["code"], e["message"])} for e in exc.errors]
        raise ValidationFailed(_("Some parameters are not valid."), errors=errors) from exc


@router.get("/withdrawal", response=schemas.WithdrawalOut, summary="Statutory withdrawal period")
def legal_withdrawal(request: HttpRequest, query: Query[schemas.WithdrawalQuery]) -> dict[str, Any]:
    """The last day to withdraw from a distance purchase, rolled forward over weekends and holidays."""
    return _answer("withdrawal", query)


@router.get("/refund-due", response=schemas.RefundDueOut, summary="Refund due date after a withdrawal")
def legal_refund_due(request: HttpRequest, query: Query[schemas.RefundDueQuery]) -> dict[str, Any]:
    """The last day to refund; never rolled forward. ``waiting_for_goods`` while it may still move."""
    return _answer("refund-due", query)


@router.get("/guarantee", response=schemas.GuaranteeOut, summary="Legal guarantee of conformity")
def legal_guarantee(request: HttpRequest, query: Query[schemas.GuaranteeQuery]) -> dict[str, Any]:
    """The end of the legal guarantee and of the presumption that a defect existed at delivery."""
    return _answer("guarantee", query)


@router.get("/late-refund", response=schemas.LateRefundOut, summary="Late-refund surcharge")
def legal_late_refund(request: HttpRequest, query: Query[schemas.LateRefundQuery]) -> dict[str, Any]:
    """Days late and the statutory surcharge (France, L242-4) for a refund paid after its due date."""
    return _answer("late-refund", query)
