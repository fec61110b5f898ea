"""Mollie, through the official ``mollie-api-python`` library.

``RETOUR_MOLLIE_API_BASE`` points the library elsewhere. Refunds are created on the payment
(``POST /v2/payments/{id}/refunds``) with the refund's own Idempotency-Key; the library's own
retries are off (the refund outbox retries with the same key).

Notifications: Mollie's classic webhook posts only ``id=tr_…`` and carries no state, so it is
never trusted as such: the payment's refunds are read back from the API with the store's key.
When the store has set a webhook signing secret (Mollie's next-gen webhooks), the
``X-Mollie-Signature: sha256=<HMAC-SHA256 of the body>`` header is required and checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import RequestError, ResponseError, ResponseHandlingError
from mollie.api.objects.payment import Payment
from mollie.api.resources import PaymentRefunds

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
)


def _status(value: str) -> str:
    if value == "refunded":
        return SUCCEEDED
    if value in ("failed", "canceled"):
        return FAILED
    return PENDING  # queued, pending, processing


def _refund_of(obj: Any) -> ProviderRefund:
    data = dict(obj) if not hasattr(obj, "_data") else obj._data  # noqa: SLF001 - the raw payload
    return ProviderRefund(
        reference=str(data.get("id") or ""),
        status=_status(str(data.get("status") or "")),
        failure_reason=str(data.get("status") or "") if _status(str(data.get("status"))) == FAILED else "",
        retour_refund_id=str((data.get("metadata") or {}).get("retour_refund_id") or ""),
    )


class MollieAdapter:
    name = "mollie"

    def __init__(self, *, secret_key: str, webhook_secret: str = ""):
        self.webhook_secret = webhook_secret
        self.client = Client(api_endpoint=settings.MOLLIE_API_BASE, timeout=settings.PAYMENT_TIMEOUT, retry=0)
        self._has_key = bool(secret_key)
        if secret_key:
            self.client.set_api_key(secret_key)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._has_key:
            raise PaymentError("No Mollie API key is set for this store.", code="provider_not_configured")
        try:
            return fn(*args, **kwargs)
        except ResponseError as error:
            status = int(error.status or 0)
            if status == 429 or status >= 500:
                raise PaymentTemporaryError(f"Mollie: {error}", code="provider_unavailable") from error
            raise PaymentError(f"Mollie: {error}", code=f"mollie_{status}") from error
        except (RequestError, ResponseHandlingError) as error:  # timeouts, connection, a 5xx page
            raise PaymentTemporaryError(f"Mollie: {error}", code="provider_unavailable") from error
        except MollieError as error:
            raise PaymentError(f"Mollie: {error}", code="provider_refused") from error

    def _refunds(self, payment_reference: str) -> PaymentRefunds:
        return PaymentRefunds(self.client, Payment({"id": payment_reference}, self.client))

    def refund(self, call: RefundCall) -> ProviderRefund:
        data = {
            "amount": {"currency": call.currency, "value": f"{call.amount:.2f}"},
            "description": f"Return {call.return_number}"[:140],
            "metadata": {"retour_refund_id": str(call.refund_id), "retour_return": call.return_number},
        }
        created = self._call(
            self._refunds(call.payment_reference).create, data, idempotency_key=call.idempotency_key
        )
        return _refund_of(created)

    def refund_status(self, *, reference: str, payment_reference: str) -> ProviderRefund:
        return _refund_of(self._call(self._refunds(payment_reference).get, reference))

    def refunds_of_payment(self, payment_reference: str) -> list[ProviderRefund]:
        page = self._call(self._refunds(payment_reference).list, limit=250)
        return [_refund_of(r) for r in page]

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        if self.webhook_secret:
            given = headers.get("X-Mollie-Signature", "").removeprefix("sha256=")
            expected = hmac.new(self.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
            if not given or not hmac.compare_digest(given, expected):
                raise WebhookRejected("Mollie signature does not match.")
        text = body.decode("utf-8", errors="replace")
        if text.lstrip().startswith("{"):  # next-gen event: {"id": "event_…", "entityId": "tr_…", …}
            try:
                event = json.loads(text)
            except ValueError as error:
                raise WebhookRejected("Not JSON.") from error
            entity = str(event.get("entityId") or "")
            return WebhookNotice(
                event_id=str(event.get("id") or ""),
                kind=str(event.get("type") or ""),
                payment_references=[entity] if entity.startswith("tr_") else [],
            )
        payment_id = (parse_qs(text).get("id") or [""])[0]
        if not payment_id.startswith("tr_"):
            raise WebhookRejected("No payment id.")
        # A classic notification has no id of its own and says nothing but "look again": it is
        # not deduplicated (a second refund of the same payment sends the same body), and the
        # state read back from the API makes a replay harmless.
        return WebhookNotice(event_id="", kind="payment", payment_references=[payment_id])

    def check(self) -> str:
        self._call(self.client.methods.list)
        return "mollie: the API key works."
