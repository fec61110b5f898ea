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


class ProviderState(models.TextChoices):
    """Where an ``original_payment`` refund is in its conversation with the payment provider."""

    NONE = "", _("Not sent to a provider")
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SUBMITTED = "submitted", _("Accepted, processing at the provider")
    DONE = "done", _("Settled")


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
    provider = models.CharField(_("payment provider"), max_length=16, blank=True)
    payment_reference = models.CharField(
        _("payment refunded"), max_length=200, blank=True, help_text="The order's payment at the provider"
    )
    provider_state = models.CharField(
        _("provider state"), max_length=16, choices=ProviderState.choices, blank=True, default=""
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt on"), null=True, blank=True, help_text="While sending: the end of the worker's lease"
    )
    last_error = models.TextField(_("last error"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created on"))
    succeeded_at = models.DateTimeField(_("succeeded on"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund payment")
        verbose_name_plural = _("refund payments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["provider_state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.method}, {self.status})"

    @property
    def failure_reason(self) -> str:
        """Why a failed refund failed (the provider's reason, prefixed by its code), for staff;
        keys and tokens masked. Empty unless the refund failed."""
        from retour.resolutions.payments.secrets import secrets_masked

        if self.status != RefundStatus.FAILED:
            return ""
        return secrets_masked(self.last_error or "")


class PaymentProviderConfig(models.Model):
    """A store's payment provider; the secrets are stored encrypted (see ``payments.secrets``)."""

    store = models.OneToOneField(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="payment_config"
    )
    provider = models.CharField(_("payment provider"), max_length=16, default="manual")
    secret_key_encrypted = models.TextField(_("secret key (encrypted)"), blank=True)
    webhook_secret_encrypted = models.TextField(_("webhook secret (encrypted)"), blank=True)
    secret_key_hint = models.CharField(_("secret key"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("payment provider")
        verbose_name_plural = _("payment providers")

    def __str__(self) -> str:
        return f"{self.store_id}: {self.provider}"


class PaymentWebhookEvent(models.Model):
    """Each provider notification handled once: a replay of the same event id is ignored."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="payment_events"
    )
    provider = models.CharField(_("payment provider"), max_length=16)
    event_id = models.CharField(_("event id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received on"))

    class Meta:
        verbose_name = _("payment provider event")
        verbose_name_plural = _("payment provider events")
        constraints = [
            models.UniqueConstraint(fields=["store", "provider", "event_id"], name="payment_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


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


class CreditCodeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SPENT = "spent", _("Spent")
    EXPIRED = "expired", _("Expired")
    VOID = "void", _("Voided")


class StoreCreditCode(models.Model):
    """A gift-card style code for one credit issued; the shop redeems it through the API."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="credit_codes"
    )
    account = models.ForeignKey(
        StoreCreditAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="codes"
    )
    refund = models.ForeignKey(
        Refund,
        verbose_name=_("refund payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_codes",
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(
        _("amount issued"), max_digits=LEDGER_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    balance = models.DecimalField(
        _("balance"), max_digits=LEDGER_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CreditCodeStatus.choices, default=CreditCodeStatus.ACTIVE
    )
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"))

    class Meta:
        verbose_name = _("store credit code")
        verbose_name_plural = _("store credit codes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return self.code


class StoreCreditEntry(models.Model):
    """The ledger; the account's balance is kept equal to the sum of its entries."""

    account = models.ForeignKey(
        StoreCreditAccount, verbose_name=_("account"), on_delete=models.CASCADE, related_name="entries"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    kind = models.CharField(_("kind"), max_length=20)  # refund | bonus | spend | void | expiry | adjustment
    code = models.ForeignKey(
        "StoreCreditCode",
        verbose_name=_("store credit code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
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
