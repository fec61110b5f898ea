"""Stripe, through the official ``stripe`` library (``StripeClient``).

``RETOUR_STRIPE_API_BASE`` points the library elsewhere (stripe-mock, a test double). The
library's own retries are off: the refund outbox retries with the same Idempotency-Key, on its
own schedule, so one refund is one refund at Stripe whatever happens in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe
from django.conf import settings

from retour.resolutions.payments.base import (
    FAILED,
    PENDING,
    SUCCEEDED,
    PaymentError,
    PaymentTemporaryError,
    ProviderRefund,
    RefundCall,
    WebhookNotice,
    WebhookRejected,
    minor_units,
)

REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")
_TEMPORARY = (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError)


def _status(value: str) -> str:
    if value == "succeeded":
        return SUCCEEDED
    if value in ("failed", "canceled"):
        return FAILED
    return PENDING  # pending, requires_action


def _plain(obj: Any) -> dict[str, Any]:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _refund_of(obj: Any) -> ProviderRefund:
    obj = _plain(obj)
    return ProviderRefund(
        reference=str(obj["id"]),
        status=_status(str(obj.get("status") or "")),
        failure_reason=str(obj.get("failure_reason") or ""),
        retour_refund_id=str((obj.get("metadata") or {}).get("retour_refund_id") or ""),
    )


class StripeAdapter:
    name = "stripe"

    def __init__(self, *, secret_key: str, webhook_secret: str = ""):
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key or "sk_missing",
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=0,
            http_client=stripe.RequestsClient(timeout=settings.PAYMENT_TIMEOUT),
        )
        self._has_key = bool(secret_key)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._has_key:
            raise PaymentError("No Stripe secret key is set for this store.", code="provider_not_configured")
        try:
            return fn(*args, **kwargs)
        except _TEMPORARY as error:
            raise PaymentTemporaryError(
                f"Stripe: {error.user_message or error}", code="provider_unavailable"
            ) from error
        except stripe.StripeError as error:
            if (error.http_status or 0) >= 500:
                raise PaymentTemporaryError(f"Stripe: {error}", code="provider_unavailable") from error
            code = str(getattr(error, "code", "") or "provider_refused")
            raise PaymentError(f"Stripe: {error.user_message or error}", code=code) from error

    def refund(self, call: RefundCall) -> ProviderRefund:
        reference = call.payment_reference
        params: dict[str, Any] = {
            "amount": minor_units(call.amount, call.currency),
            "metadata": {"retour_refund_id": str(call.refund_id), "retour_return": call.return_number},
        }
        params["charge" if reference.startswith(("ch_", "py_")) else "payment_intent"] = reference
        refund = self._call(
            self.client.v1.refunds.create, params=params, options={"idempotency_key": call.idempotency_key}
        )
        return _refund_of(refund)

    def refund_status(self, *, reference: str, payment_reference: str) -> ProviderRefund:
        return _refund_of(self._call(self.client.v1.refunds.retrieve, reference))

    def refunds_of_payment(self, payment_reference: str) -> list[ProviderRefund]:
        key = "charge" if payment_reference.startswith(("ch_", "py_")) else "payment_intent"
        page = self._call(self.client.v1.refunds.list, params={key: payment_reference, "limit": 100})
        return [_refund_of(r) for r in page.data]

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        if not self.webhook_secret:
            raise WebhookRejected("No Stripe webhook secret is set for this store.")
        try:
            event = stripe.Webhook.construct_event(
                body.decode("utf-8"), headers.get("Stripe-Signature", ""), self.webhook_secret
            )
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
            raise WebhookRejected(f"Stripe signature: {error}") from error
        obj = _plain(event["data"]["object"])
        refunds = []
        if event["type"] in REFUND_EVENTS and obj.get("object") == "refund":
            refunds.append(_refund_of(obj))
        return WebhookNotice(event_id=str(event["id"]), kind=str(event["type"]), refunds=refunds)

    def check(self) -> str:
        balance = _plain(self._call(self.client.v1.balance.retrieve))
        mode = "live" if balance.get("livemode") else "test"
        return f"stripe: the secret key works ({mode} mode)."
