"""Refunds as the API receives them (docs/api-v1.md, "Returns")."""

from __future__ import annotations

from ninja import Field

from retour.core.schemas import InputSchema
from retour.resolutions.models import RefundMethod
from retour.returns.schemas import Money


class RefundIn(InputSchema):
    amount: Money | None = Field(None, description="Default: all that is still refundable")
    method: RefundMethod
    note: str = Field("", max_length=2000)
