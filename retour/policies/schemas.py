"""The return policy and the reason catalogue as the API shows them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from retour.core.limits import MAX_AMOUNT
from retour.policies.models import RefundTrigger, Resolution, WindowStart

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2, description='Decimal string, e.g. "10"')]


class ReasonOut(Schema):
    code: str
    label: str = Field(..., description="In the request's language")
    seller_fault: bool = Field(..., description="Seller-fault reasons never pay return fees")
    requires_photo: bool


class PolicyOut(Schema):
    window_days: int
    window_starts: WindowStart
    restocking_fee_percent: str
    return_shipping_fee: str
    store_credit_bonus_percent: str
    allowed_resolutions: list[Resolution]
    refund_trigger: RefundTrigger
    auto_approve: bool
    store_credit_expiry_months: int = Field(..., description="0: store credit never expires")
    keep_it_max_value: str = Field(
        ..., description="Returnless refund under this value of approved items; 0.00: off"
    )
    keep_it_reasons: list[str] = Field(
        ..., description="Returnless refund when every line has one of these reasons"
    )
    keep_it_categories: list[str] = Field(
        ..., description="Returnless refund when every line is of one of these categories"
    )
    apply_statutory_rights: bool
    return_costs_borne_by_customer: bool
    currency: str = Field(..., description="The currency of return_shipping_fee (the store's)")


class PolicyIn(Schema):
    """Any subset of the policy's fields; the others keep their value."""

    model_config = ConfigDict(extra="forbid")

    window_days: int | None = Field(None, ge=0, le=3650)
    window_starts: WindowStart | None = None
    restocking_fee_percent: Percent | None = None
    return_shipping_fee: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT)] | None = None
    store_credit_bonus_percent: Percent | None = None
    allowed_resolutions: list[Resolution] | None = Field(None, min_length=1)
    refund_trigger: RefundTrigger | None = None
    auto_approve: bool | None = None
    store_credit_expiry_months: int | None = Field(None, ge=0, le=120)
    keep_it_max_value: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT)] | None = None
    keep_it_reasons: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        None, max_length=50
    )
    keep_it_categories: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, max_length=50
    )
    apply_statutory_rights: bool | None = None
    return_costs_borne_by_customer: bool | None = None
