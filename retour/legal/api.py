"""``/api/v1/legal/…``: the consumer-law calculator (pure computations, nothing is written).

Mounted by the project's NinjaAPI, which authenticates every request. Each endpoint parses its
query, calls the engine and renders the explanation in the request's language.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Router
from pydantic import BaseModel

from retour.core.errors import ValidationFailed
from retour.legal import schemas

router = Router(tags=["legal"])


def _answer(endpoint: str, query: BaseModel) -> dict[str, Any]:
    try:
        return schemas.compute(endpoint, query.model_dump(), get_language())
    except schemas.ParamErrors as exc:
        raise ValidationFailed(str(exc), errors=exc.errors) from exc


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
