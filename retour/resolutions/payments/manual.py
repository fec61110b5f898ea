"""``manual``: staff pay by hand (bank transfer, cash) and recording the refund is the record."""

from __future__ import annotations

from collections.abc import Mapping

from retour.resolutions.payments.base import (
    SUCCEEDED,
    ProviderRefund,
    RefundCall,
    WebhookNotice,
    WebhookRejected,
)


class ManualAdapter:
    name = "manual"

    def refund(self, call: RefundCall) -> ProviderRefund:
        return ProviderRefund(reference=f"manual-{call.refund_id}", status=SUCCEEDED)

    def refund_status(self, *, reference: str, payment_reference: str) -> ProviderRefund:
        return ProviderRefund(reference=reference, status=SUCCEEDED)

    def refunds_of_payment(self, payment_reference: str) -> list[ProviderRefund]:
        return []

    def webhook_verify(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice:
        raise WebhookRejected("The manual provider sends no notifications.")

    def check(self) -> str:
        return "manual: refunds are paid by staff by hand; nothing to reach."
