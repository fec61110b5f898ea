"""Domain errors carry a stable ``code``.

The API turns them into ``application/problem+json`` (see ``retour.core.api``), the pages
into messages in the user's language. ``detail`` is human text, translated lazily.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    status = 422
    title: Any = _("The request cannot be carried out")

    def __init__(
        self, detail: Any = "", *, errors: list[dict[str, Any]] | None = None, code: str | None = None
    ):
        super().__init__(str(detail) or str(self.title))
        self.detail = detail or self.title
        self.errors = errors or []
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "validation_error"
    title = _("The request is not valid")


class NotReturnable(DomainError):
    code = "not_returnable"
    title = _("Some items cannot be returned")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    title = _("This action is not allowed in the return's current status")


class QuantityExceedsApproved(DomainError):
    code = "quantity_exceeds_approved"
    title = _("More units than were approved")


class QuantityExceedsReceived(DomainError):
    code = "quantity_exceeds_received"
    title = _("More units than were received")


class RefundExceedsRefundable(DomainError):
    code = "refund_exceeds_refundable"
    title = _("The refund is larger than what is still refundable")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = _("Not found")


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = _("Your role may not do this")


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401
    title = _("Authentication required")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    title = _("This Idempotency-Key was used with another request")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    title = _("Too many requests")


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413
    title = _("The request body is too large")


class LegalInputRefused(DomainError):
    """The consumer-law engine cannot compute with these inputs (a date outside its calendars):
    the order's data must be corrected."""

    code = "legal_input_invalid"
    title = _("The consumer-law rules cannot be applied to this order's data")


def line_error(loc: list[Any], code: str, message: Any) -> dict[str, Any]:
    """One entry of a problem's ``errors`` list."""
    return {"loc": loc, "code": code, "message": message}
