from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Units in returns with these statuses are given back to the order (scenario Q4).
DEAD_STATUSES = (Status.REJECTED, Status.CANCELLED, Status.EXPIRED)


class ReturnChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    STAFF = "staff", _("Back office")
    STORE = "store", _("Shop")
    PHONE = "phone", _("Phone")


class Condition(models.TextChoices):
    NEW = "new", _("New")
    LIKE_NEW = "like_new", _("Like new")
    USED = "used", _("Used")
    DAMAGED = "damaged", _("Damaged")
    DEFECTIVE = "defective", _("Defective")
    MISSING = "missing", _("Missing")


class Disposition(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    REFURBISH = "refurbish", _("Refurbish")
    REPAIR = "repair", _("Repair")
    RECYCLE = "recycle", _("Recycle")
    DONATE = "donate", _("Donate")
    DISPOSE = "dispose", _("Dispose")
    RETURN_TO_VENDOR = "return_to_vendor", _("Return to vendor")


class Right(models.TextChoices):
    """Under which right a return was made: it decides fees and deadlines."""

    POLICY = "policy", _("Commercial return policy")
    WITHDRAWAL = "withdrawal", _("Statutory right of withdrawal")
    GUARANTEE = "guarantee", _("Legal guarantee of conformity")


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


class ReturnRequest(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="returns")
    number = models.CharField(max_length=32)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey("orders.Customer", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    channel = models.CharField(max_length=16, choices=ReturnChannel.choices)
    resolution = models.CharField(max_length=16)
    right = models.CharField(max_length=16, choices=Right.choices, default=Right.POLICY)
    is_withdrawal_statement = models.BooleanField(
        default=False, help_text="Made through the EU withdrawal function (art. 11a)"
    )
    override = models.BooleanField(default=False)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    location = models.ForeignKey("stores.Location", null=True, blank=True, on_delete=models.SET_NULL)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    include_shipping_refund = models.BooleanField(
        default=False, help_text="The whole order is withdrawn: the standard delivery cost is refunded"
    )
    refund_due_by = models.DateField(null=True, blank=True)
    refund_overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Approved returns expire if not shipped by then"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "number"], name="return_store_number")]
        indexes = [
            models.Index(fields=["store", "status", "created_at"]),
            models.Index(fields=["store", "-id"]),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines")
    reason = models.CharField(max_length=50)
    comment = models.TextField(blank=True)
    quantity = models.PositiveIntegerField()
    approved_quantity = models.PositiveIntegerField(default=0)
    received_quantity = models.PositiveIntegerField(default=0)
    accepted_quantity = models.PositiveIntegerField(default=0)
    unit_refund = models.DecimalField(max_digits=12, decimal_places=3)
    right = models.CharField(max_length=16, choices=Right.choices, default=Right.POLICY)

    class Meta:
        ordering = ["return_request_id", "id"]

    def __str__(self) -> str:
        return f"{self.return_request.number}/{self.order_line.sku}×{self.quantity}"

    @property
    def inspected_quantity(self) -> int:
        return sum(i.quantity for i in self.inspections.all())


class Inspection(models.Model):
    """A grading of some received units of a line; a line may have several."""

    return_line = models.ForeignKey(ReturnLine, on_delete=models.CASCADE, related_name="inspections")
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=16, choices=Condition.choices)
    disposition = models.CharField(max_length=20, choices=Disposition.choices)
    accepted = models.BooleanField()
    deduction = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    note = models.TextField(blank=True)
    location = models.ForeignKey("stores.Location", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["return_line_id", "id"]

    def __str__(self) -> str:
        return f"{self.quantity}× {self.condition} → {self.disposition}"


class ExchangeItem(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="exchange_items")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=100, blank=True)
    wish = models.CharField(
        max_length=300, blank=True, help_text="Free text when the variant is not in the catalogue"
    )
    quantity = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.sku or self.wish} ×{self.quantity}"


class ReturnPhoto(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    return_line = models.ForeignKey(
        ReturnLine, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(upload_to="returns/photos/%Y/%m/")
    thumbnail = models.ImageField(upload_to="returns/thumbs/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.image.name or ""


class ReturnEvent(models.Model):
    """The audit trail: one row per action, written in the action's transaction."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor_type = models.CharField(max_length=16)
    actor_name = models.CharField(max_length=200)
    actor_user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_api_key = models.ForeignKey(
        "stores.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["return_request", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"
