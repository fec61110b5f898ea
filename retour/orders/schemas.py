"""The order as the API (and the importers) receive it and answer it.

``OrderIn`` checks the shape and the per-order consistency of the body; the rules that need
the database (currency of an existing order, units already in returns) are in the service.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from retour.core.limits import EARLIEST_DAY, LATEST_DAY, MAX_AMOUNT, MAX_LINE_QUANTITY
from retour.core.schemas import InputSchema, custom_error
from retour.orders.models import Channel, LegalExclusion, PaymentProvider
from retour.orders.serials import (
    MAX_LOT_LENGTH,
    MAX_SERIALS_PER_LINE,
    lot_problem,
    serial_duplicates,
    serial_normalize,
    serial_problem,
)

Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, description='Decimal string, e.g. "19.90"')]


class _In(InputSchema):
    pass


_custom_error = custom_error


def _in_range(moment: date | datetime | None) -> date | datetime | None:
    """Order and delivery dates between ``EARLIEST_DAY`` and ``LATEST_DAY``: outside them no
    period can be computed, and an order stored with them could never be used again."""
    if moment is None:
        return None
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise _custom_error(
            "date_out_of_range",
            _("Give a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
        )
    return moment


def _amount_limit_error() -> PydanticCustomError:
    return _custom_error(
        "amount_too_large",
        _("The amounts of an order must not exceed %(limit)s.") % {"limit": f"{MAX_AMOUNT:f}"},
    )


def _serial(value: str) -> str:
    value = serial_normalize(value)
    problem = serial_problem(value)
    if problem:
        raise _custom_error(*problem)
    return value


def _lot(value: str | None) -> str | None:
    problem = lot_problem(value or "")
    if problem:
        raise _custom_error(*problem)
    return value


# One serial number: checked and put in capitals (its place in the list is in the error's loc).
SerialNumber = Annotated[str, AfterValidator(_serial)]


def serials_check(serials: list[str] | None, quantity: int | None) -> list[str] | None:
    """No serial twice on a line, and no more serials than units."""
    if not serials:
        return serials
    repeated = serial_duplicates(serials)
    if repeated:
        raise _custom_error(
            "duplicate_serial_number",
            _("The serial number %(serial)s is given twice.") % {"serial": repeated[0]},
        )
    if quantity is not None and len(serials) > quantity:
        raise _custom_error(
            "serial_numbers_exceed_quantity",
            _("%(count)s serial numbers for %(quantity)s units: give at most one per unit.")
            % {"count": len(serials), "quantity": quantity},
        )
    return serials


class CustomerIn(_In):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    language: str | None = Field(None, max_length=8, description="e.g. fr, en")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise _custom_error("invalid_email", _("Enter a valid email address.")) from None
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return value.lower().replace("_", "-") if value else None


def _country(value: str | None) -> str | None:
    if not value:
        return None
    value = value.upper()
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise _custom_error("invalid_country", _("Use an ISO 3166-1 alpha-2 country code, e.g. FR."))
    return value


class AddressIn(_In):
    name: str = Field("", max_length=200)
    line1: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str | None = Field(None, description="ISO 3166-1 alpha-2")
    subdivision: str | None = Field(None, max_length=10, description="ISO 3166-2 without the country prefix")

    _check_country = field_validator("country")(classmethod(lambda cls, v: _country(v)))

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, value: str | None) -> str | None:
        return value.upper() if value else None


class ShippingIn(_In):
    amount: Money = Decimal("0")
    standard_amount: Money = Field(Decimal("0"), description="The cheapest standard delivery rate")


class PaymentIn(_In):
    provider: PaymentProvider = Field(..., description="stripe | mollie | manual")
    reference: str = Field(
        "",
        max_length=200,
        description="Stripe PaymentIntent (pi_…) or charge (ch_…) id, Mollie payment id (tr_…)",
    )

    @model_validator(mode="after")
    def _reference_needed(self) -> PaymentIn:
        if self.provider != PaymentProvider.MANUAL and not self.reference:
            raise _custom_error(
                "payment_reference_missing", _("A Stripe or Mollie payment needs its payment reference.")
            )
        return self


class PaymentOut(Schema):
    provider: str
    reference: str


class OrderLineIn(_In):
    ref: str | None = Field(
        None, max_length=100, description="Identifies the line in the order; defaults to sku"
    )
    sku: str = Field(..., min_length=1, max_length=100)
    title: str = Field("", max_length=300)
    quantity: int = Field(..., ge=1, le=MAX_LINE_QUANTITY)
    unit_price: Money
    discount: Money = Field(Decimal("0"), description="Total off this line")
    category: str = Field("", max_length=100)
    tags: list[str] = Field(default_factory=list, max_length=50)
    final_sale: bool = False
    returnable: bool = True
    legal_exclusion: LegalExclusion | None = None
    used: bool = Field(False, description="Second-hand goods (the guarantee's presumption may be shorter)")
    image_url: str = Field(
        "", max_length=500, pattern=r"^(https?://\S+)?$", description="The product picture the portal shows"
    )
    delivered_quantity: int | None = Field(
        None, ge=0, description="Defaults to quantity when delivered, else 0"
    )
    delivered_at: AwareDatetime | None = None
    serial_numbers: list[SerialNumber] | None = Field(
        None,
        max_length=MAX_SERIALS_PER_LINE,
        description="The serial number of each unit sold (at most one per unit, none twice in the order); "
        "1-64 letters, digits or . _ / -, compared in capitals. Omitted: unchanged on a re-post; "
        "[]: none",
    )
    lot_number: str | None = Field(
        None,
        max_length=MAX_LOT_LENGTH,
        description='The lot (batch) the units came from. Omitted: unchanged on a re-post; "": none',
    )

    _check_delivered_at = field_validator("delivered_at")(classmethod(lambda cls, v: _in_range(v)))
    _check_lot = field_validator("lot_number")(classmethod(lambda cls, v: _lot(v)))

    @field_validator("serial_numbers")
    @classmethod
    def _serials(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        return serials_check(value, info.data.get("quantity"))

    @field_validator("unit_price")
    @classmethod
    def _line_total(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        quantity = info.data.get("quantity")
        if quantity is not None and value * quantity > MAX_AMOUNT:
            raise _amount_limit_error()
        return value

    @field_validator("discount")
    @classmethod
    def _discount(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        price, quantity = info.data.get("unit_price"), info.data.get("quantity")
        if price is not None and quantity is not None and value > price * quantity:
            raise _custom_error("discount_exceeds_price", _("The discount is larger than the line's price."))
        return value

    @field_validator("delivered_quantity")
    @classmethod
    def _delivered(cls, value: int | None, info: ValidationInfo) -> int | None:
        quantity = info.data.get("quantity")
        if value is not None and quantity is not None and value > quantity:
            raise _custom_error("delivered_exceeds_quantity", _("More units delivered than ordered."))
        return value

    @model_validator(mode="after")
    def _default_ref(self) -> OrderLineIn:
        if not self.ref:
            self.ref = self.sku
        return self


class OrderIn(_In):
    number: str = Field(..., min_length=1, max_length=64)
    external_id: str = Field("", max_length=128)
    channel: Channel = Channel.WEB
    placed_at: AwareDatetime
    currency: str = Field(..., description="ISO 4217, e.g. EUR")
    is_business: bool = Field(False, description="B2B orders have no statutory withdrawal right")
    customer: CustomerIn
    shipping_address: AddressIn | None = None
    shipping: ShippingIn | None = None
    payment: PaymentIn | None = Field(None, description="How the order was paid; refunds go back there")
    delivered_at: AwareDatetime | None = Field(None, description="Default for lines without their own")
    withdrawal_info_given: bool = Field(
        True, description="Whether the consumer was told about the right of withdrawal"
    )
    withdrawal_info_given_on: date | None = Field(None, description="When informed late")
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=500)

    _check_dates = field_validator("placed_at", "delivered_at", "withdrawal_info_given_on")(
        classmethod(lambda cls, v: _in_range(v))
    )

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        value = value.upper()
        if len(value) != 3 or pycountry.currencies.get(alpha_3=value) is None:
            raise _custom_error("invalid_currency", _("Use an ISO 4217 currency code, e.g. EUR."))
        return value

    @field_validator("lines")
    @classmethod
    def _unique_refs(cls, lines: list[OrderLineIn]) -> list[OrderLineIn]:
        seen: set[str] = set()
        for line in lines:
            if line.ref in seen:
                raise _custom_error(
                    "duplicate_ref", _("Two lines have the ref “%(ref)s”.") % {"ref": line.ref}
                )
            seen.add(line.ref or "")
        repeated = serial_duplicates(serial for line in lines for serial in line.serial_numbers or [])
        if repeated:
            raise _custom_error(
                "duplicate_serial_number",
                _("The serial number %(serial)s is given on two lines of the order.")
                % {"serial": repeated[0]},
            )
        return lines

    @model_validator(mode="after")
    def _total(self) -> OrderIn:
        """What the customer paid for the whole order fits one amount: every refund and credit
        of its returns is bounded by it."""
        total = sum((line.unit_price * line.quantity - line.discount for line in self.lines), Decimal(0))
        if self.shipping is not None:
            total += self.shipping.amount
        if total > MAX_AMOUNT:
            raise _amount_limit_error()
        return self

    @model_validator(mode="after")
    def _delivered_defaults(self) -> OrderIn:
        for line in self.lines:
            if line.delivered_quantity is None:
                delivered = line.delivered_at or self.delivered_at
                line.delivered_quantity = line.quantity if delivered else 0
        return self


class CustomerOut(Schema):
    email: str
    name: str
    phone: str
    language: str


class AddressOut(Schema):
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str | None
    subdivision: str | None


class ShippingOut(Schema):
    amount: str
    standard_amount: str


class OrderLineOut(Schema):
    id: int
    ref: str
    sku: str
    title: str
    quantity: int
    unit_price: str
    discount: str
    paid_total: str = Field(..., description="unit_price × quantity − discount")
    category: str
    tags: list[str]
    final_sale: bool
    returnable: bool
    legal_exclusion: str | None
    used: bool
    image_url: str
    delivered_quantity: int
    delivered_at: datetime | None
    serial_numbers: list[str] = Field(..., description="The serial number of each unit sold")
    lot_number: str | None


class OrderOut(Schema):
    number: str
    external_id: str
    channel: str
    placed_at: datetime
    currency: str
    is_business: bool
    customer: CustomerOut
    shipping_address: AddressOut
    shipping: ShippingOut
    payment: PaymentOut | None
    delivered_at: datetime | None
    withdrawal_info_given: bool
    withdrawal_info_given_on: date | None
    lines: list[OrderLineOut]
    created_at: datetime
    updated_at: datetime


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class IneligibilityReasonOut(Schema):
    code: str
    message: str


class LineReturnabilityOut(Schema):
    line_id: int
    ref: str
    sku: str
    quantity: int
    delivered_quantity: int
    in_returns_quantity: int
    returnable_quantity: int
    eligible: bool
    deadline: date | None = Field(..., description="The last day a request may be sent")
    statutory_deadline: date | None
    policy_deadline: date | None
    right: str | None = Field(
        ..., description="policy | withdrawal | guarantee: the right a return would use"
    )
    reasons: list[IneligibilityReasonOut]


class ReturnabilityOut(Schema):
    order_number: str
    lines: list[LineReturnabilityOut]
