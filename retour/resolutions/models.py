from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RefundMethod(models.TextChoices):
    ORIGINAL_PAYMENT = "original_payment", _("Original payment method")
    STORE_CREDIT = "store_credit", _("Store credit")
    MANUAL = "manual", _("Manual (bank transfer, cash)")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending at the payment provider")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="refunds")
    return_request = models.ForeignKey(
        "returns.ReturnRequest", on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20, choices=RefundMethod.choices)
    status = models.CharField(max_length=16, choices=RefundStatus.choices)
    idempotency_key = models.CharField(max_length=64, unique=True, help_text="Sent to the payment provider")
    provider_reference = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.method}, {self.status})"


class StoreCreditAccount(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="credit_accounts")
    customer = models.ForeignKey("orders.Customer", on_delete=models.PROTECT, related_name="credit_accounts")
    currency = models.CharField(max_length=3)
    balance = models.DecimalField(max_digits=12, decimal_places=3, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "customer", "currency"], name="credit_store_customer_currency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.balance} {self.currency}"


class StoreCreditEntry(models.Model):
    """The ledger; the account's balance is kept equal to the sum of its entries."""

    account = models.ForeignKey(StoreCreditAccount, on_delete=models.CASCADE, related_name="entries")
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    kind = models.CharField(max_length=20)  # refund | bonus | spend | adjustment
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "store credit entries"

    def __str__(self) -> str:
        return f"{self.amount:+} ({self.kind})"
