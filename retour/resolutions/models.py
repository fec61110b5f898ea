from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from retour.core.limits import LEDGER_MAX_DIGITS, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class RefundMethod(models.TextChoices):
    ORIGINAL_PAYMENT = "original_payment", _("Original payment method")
    STORE_CREDIT = "store_credit", _("Store credit")
    MANUAL = "manual", _("Manual (bank transfer, cash)")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending at the payment provider")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="refunds"
    )
    return_request = models.ForeignKey(
        "returns.ReturnRequest", verbose_name=_("return"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("refund method"), max_length=20, choices=RefundMethod.choices)
    status = models.CharField(_("status"), max_length=16, choices=RefundStatus.choices)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, unique=True, help_text="Sent to the payment provider"
    )
    provider_reference = models.CharField(_("provider reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created on"))
    succeeded_at = models.DateTimeField(_("succeeded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund payment")
        verbose_name_plural = _("refund payments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.method}, {self.status})"


class StoreCreditAccount(models.Model):
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="credit_accounts"
    )
    customer = models.ForeignKey(
        "orders.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="credit_accounts",
    )
    currency = models.CharField(_("currency"), max_length=3)
    balance = models.DecimalField(
        _("balance"), max_digits=LEDGER_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0
    )

    class Meta:
        verbose_name = _("store credit account")
        verbose_name_plural = _("store credit accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "customer", "currency"], name="credit_store_customer_currency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.balance} {self.currency}"


class StoreCreditEntry(models.Model):
    """The ledger; the account's balance is kept equal to the sum of its entries."""

    account = models.ForeignKey(
        StoreCreditAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="entries"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    kind = models.CharField(_("kind"), max_length=20)  # refund | bonus | spend | adjustment
    refund = models.ForeignKey(
        Refund,
        verbose_name=_("refund payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created on"))

    class Meta:
        verbose_name = _("store credit entry")
        ordering = ["created_at", "id"]
        verbose_name_plural = _("store credit entries")

    def __str__(self) -> str:
        return f"{self.amount:+} ({self.kind})"
