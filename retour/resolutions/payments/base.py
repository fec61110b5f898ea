"""The payment-provider adapter interface: refund, refund status, webhook verification.

An adapter talks to one provider for one store. It never touches the database: the refund
outbox (``payments.services``) claims a refund, calls the adapter outside any transaction, and
writes what the provider answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from retour.core.money import currency_exponent

SUCCEEDED, PENDING, FAILED = "succeeded", "pending", "failed"


def minor_units(amount: Decimal, currency: str) -> int:
    """19.90 EUR → 1990; 500 JPY → 500 (the currency's own exponent, never a float)."""
    return int((amount * (10 ** currency_exponent(currency))).to_integral_value())


@dataclass(frozen=True)
class RefundCall:
    """What to refund: sent with the refund's own key, so a retry never pays twice."""

    idempotency_key: str
    payment_reference: str
    amount: Decimal
    currency: str
    refund_id: int
    return_number: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    """The provider's view of a refund: its id there and succeeded | pending | failed."""

    reference: str
    status: str
    failure_reason: str = ""
    retour_refund_id: str = ""  # our refund's id, when the provider echoes the metadata we sent


@dataclass(frozen=True)
class WebhookNotice:
    """A verified notification: its id (replays are ignored by id) and the refunds it concerns.

    ``refunds`` carries the state the notification itself gives (Stripe); ``payment_references``
    names payments whose refunds must be read back from the provider (Mollie sends only an id).
    """

    event_id: str
    kind: str = ""
    refunds: list[ProviderRefund] = field(default_factory=list)
    payment_references: list[str] = field(default_factory=list)


class PaymentError(Exception):
    """The provider refused or could not be reached. ``retryable``: try again later with the same key."""

    retryable = False

    def __init__(self, message: str, *, code: str = "provider_error"):
        super().__init__(message)
        self.code = code


class PaymentTemporaryError(PaymentError):
    """Timeout, connection error, 429 or 5xx: the refund may or may not exist; retry with the same key."""

    retryable = True


class WebhookRejected(Exception):
    """A notification whose signature (or shape) does not check out."""


class PaymentAdapter(Protocol):
    name: str

    def refund(self, call: RefundCall) -> ProviderRefund: ...

    def refund_status(self, *, reference: str, payment_reference: str) -> ProviderRefund: ...

    def refunds_of_payment(self, payment_reference: str) -> list[ProviderRefund]: ...

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice: ...

    def check(self) -> str:
        """Say what the provider answered with these keys; raise PaymentError when they do not work."""
        ...
