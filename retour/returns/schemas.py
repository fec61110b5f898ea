"""Returns as the API receives and answers them (docs/api-v1.md, "Returns")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from retour.core.limits import MAX_AMOUNT
from retour.core.schemas import InputSchema
from retour.orders.serials import MAX_LOT_LENGTH, MAX_SERIALS_PER_LINE
from retour.returns.models import Condition, Disposition, ReturnChannel, Status

Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, description='Decimal string, e.g. "19.90"')]
ResolutionName = Literal["refund", "store_credit", "exchange", "repair", "replacement"]


class _In(InputSchema):
    pass


# --- in ------------------------------------------------------------------------------------------


class ReturnLineIn(_In):
    line_id: int = Field(..., description="The order line's id (see GET /orders/{number})")
    quantity: int = Field(..., description="Units to return")
    reason: str = Field(..., max_length=50, description="A code of GET /reasons")
    comment: str = Field("", max_length=2000)
    seal_opened: bool | None = Field(
        None,
        description="Sealed goods (legal_exclusion sealed_hygiene / sealed_media): whether the seal was "
        "opened after delivery. Opened, they are excluded from withdrawal (statutory_exclusion)",
    )


class ExchangeItemIn(_In):
    line_id: int
    sku: str = Field("", max_length=100, description="The wanted variant")
    wish: str = Field("", max_length=300, description="Free text when the variant is not in the catalogue")
    quantity: int = Field(1, ge=1)


class ReturnIn(_In):
    order_number: str = Field(..., min_length=1, max_length=64)
    channel: ReturnChannel = ReturnChannel.API
    resolution: ResolutionName = "refund"
    lines: list[ReturnLineIn] = Field(..., min_length=1, max_length=500)
    exchange_items: list[ExchangeItemIn] = Field(default_factory=list, max_length=500)
    override: bool = Field(False, description="Staff only: accept outside the window; recorded in the audit")
    withdrawal_statement: bool = Field(False, description="Made through the statutory withdrawal function")


class LineQuantityIn(_In):
    id: int = Field(..., description="The return line's id")
    quantity: int = Field(..., ge=0)


class ApproveIn(_In):
    lines: list[LineQuantityIn] | None = Field(None, description="Omitted: approve every requested unit")
    note: str = Field("", max_length=2000)


class RejectIn(_In):
    reason: str = Field(..., max_length=2000)
    note: str = Field("", max_length=2000)


class NoteIn(_In):
    note: str = Field("", max_length=2000)


class ShipIn(_In):
    carrier: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=100)


class ReceiveLineIn(LineQuantityIn):
    serial_numbers: list[str] = Field(
        default_factory=list,
        max_length=MAX_SERIALS_PER_LINE,
        description="The serial number scanned on each unit that arrived (at most one per unit). "
        "One not sold on the line, one already received, or a unit without one on a line sold "
        "with serials is flagged on the line's `units`, not refused",
    )
    lot_number: str = Field("", max_length=MAX_LOT_LENGTH, description="The lot printed on the units")


class ReceiveIn(_In):
    lines: list[ReceiveLineIn] = Field(..., min_length=1)
    location: str | None = Field(None, max_length=60, description="A location code; default: the return's")


class InspectionEntryIn(_In):
    id: int = Field(..., description="The return line's id")
    quantity: int = Field(..., ge=1)
    condition: Condition
    disposition: Disposition
    accepted: bool = Field(..., description="Whether these units count for the refund")
    deduction: Money | None = Field(None, description="Taken off the refund for diminished value")
    note: str = Field("", max_length=2000)
    seal_opened: bool | None = Field(
        None, description="Corrects the shopper's seal answer; the note must say why (kept in the event)"
    )


class InspectIn(_In):
    lines: list[InspectionEntryIn] = Field(..., min_length=1)


class ReturnFilters(Schema):
    status: Status | None = None
    order_number: str | None = None
    to_refund: bool = Field(
        False, description="Only returns with money still to refund (the 'to refund' queue)"
    )
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


# --- out -----------------------------------------------------------------------------------------


class InspectionOut(Schema):
    id: int
    quantity: int
    condition: str
    disposition: str
    accepted: bool
    deduction: str
    note: str
    location: str | None
    created_at: datetime


class ReceivedUnitOut(Schema):
    quantity: int = Field(
        ..., description="1 for a serial number; units of a lot or without serial share a row"
    )
    serial_number: str | None
    lot_number: str | None
    check: str = Field(
        ...,
        description="matched | not_recorded (no serial sold on the line) | not_sold | already_received | "
        "missing (no serial scanned on a line sold with serials)",
    )
    flagged: bool = Field(
        ..., description="not_sold, already_received or missing: staff decide at inspection"
    )
    expected: list[str] = Field(..., description="When flagged: serials sold on the line not received yet")
    sold_on: str | None = Field(
        ..., description="When not sold on this line: the ref of the order line that sold it"
    )
    earlier_return: str | None = Field(..., description="When already received: the return that received it")
    location: str | None
    received_at: datetime


class ReturnLineOut(Schema):
    id: int
    line_id: int
    sku: str
    title: str
    reason: str
    comment: str
    right: str
    seal_opened: bool | None
    quantity: int
    approved_quantity: int
    received_quantity: int
    accepted_quantity: int
    unit_refund: str
    inspections: list[InspectionOut]
    units: list[ReceivedUnitOut] = Field(
        ..., description="The received units that a serial or lot number identifies, or that should have one"
    )
    serial_flags: int = Field(..., description="Units flagged at receiving (see units[].flagged)")


class FeeOut(Schema):
    code: str
    amount: str


class ExchangeItemOut(Schema):
    line_id: int
    sku: str
    wish: str
    quantity: int


class RefundOut(Schema):
    id: int
    amount: str
    method: str = Field(..., description="original_payment | store_credit | manual")
    status: str = Field(..., description="pending | succeeded | failed")
    provider: str | None = Field(..., description="stripe | mollie | manual, for original_payment refunds")
    provider_reference: str | None = Field(..., description="The refund's id at the provider")
    credit_code: str | None = Field(..., description="For store credit: the code the shop redeems")
    created_at: datetime
    succeeded_at: datetime | None
    failed_at: datetime | None
    failure_reason: str | None = Field(
        None,
        description="For a failed refund: the provider's reason, prefixed by provider_refused, "
        "provider_unavailable, provider_not_configured or provider_error (keys masked); null otherwise",
    )


class ReturnOut(Schema):
    number: str
    status: Status
    order_number: str
    customer_email: str
    channel: str
    resolution: str
    right: str
    override: bool
    currency: str
    created_at: datetime
    updated_at: datetime
    lines: list[ReturnLineOut]
    exchange_items: list[ExchangeItemOut]
    fees: list[FeeOut]
    estimated_refund: str
    refunded_total: str
    refundable: str
    refund_due_by: date | None
    refunds: list[RefundOut]
    keep_it_rule: str | None = Field(
        ..., description="value_under | reason | category: refunded without the items coming back"
    )
    carrier: str
    tracking_number: str
    location: str | None
    status_url: str


class ReturnPage(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


class ActorOut(Schema):
    type: str
    name: str


class EventOut(Schema):
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor: ActorOut
    data: dict


class EventList(Schema):
    items: list[EventOut]
