from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from retour.core.limits import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from retour.policies.models import Resolution


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
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="returns"
    )
    number = models.CharField(_("number"), max_length=32)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns"
    )
    customer = models.ForeignKey(
        "orders.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="returns"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    channel = models.CharField(_("channel"), max_length=16, choices=ReturnChannel.choices)
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices)
    right = models.CharField(_("right"), max_length=16, choices=Right.choices, default=Right.POLICY)
    is_withdrawal_statement = models.BooleanField(
        _("withdrawal statement"),
        default=False,
        help_text="Made through the EU withdrawal function (art. 11a)",
    )
    override = models.BooleanField(_("override"), default=False)
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    location = models.ForeignKey(
        "stores.Location", verbose_name=_("location"), null=True, blank=True, on_delete=models.SET_NULL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agent who handles the return and its messages",
    )
    carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    keep_it_rule = models.CharField(
        _("keep-it rule"),
        max_length=20,
        blank=True,
        help_text="The policy rule that let it be refunded without the item coming back",
    )
    include_shipping_refund = models.BooleanField(
        _("refund the delivery cost"),
        default=False,
        help_text="The whole order is withdrawn: the standard delivery cost is refunded",
    )
    delivery_refund = models.DecimalField(
        _("delivery cost refunded"),
        max_digits=12,
        decimal_places=3,
        default=0,
        help_text="The share of the standard delivery this withdrawal refunds (all of what is left "
        "when it completes the order; pro rata to the goods' value for a partial withdrawal)",
    )
    refund_due_by = models.DateField(_("refund due by"), null=True, blank=True)
    refund_overdue_flagged_at = models.DateTimeField(_("refund flagged overdue on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"))
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped on"), null=True, blank=True)
    received_at = models.DateTimeField(_("received on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires on"), null=True, blank=True, help_text="Approved returns expire if not shipped by then"
    )

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "number"], name="return_store_number")]
        indexes = [
            models.Index(fields=["store", "status", "created_at"]),
            models.Index(fields=["store", "-id"]),
        ]

    def __str__(self) -> str:
        return self.number


class SlaStage(models.TextChoices):
    """The stages a return waits in; each may have a target time per store."""

    REVIEW = "review", _("Review (requested)")
    PARCEL = "parcel", _("Parcel to arrive (approved or in transit)")
    INSPECT = "inspect", _("Inspection (received)")
    REFUND = "refund", _("Refund (money owed)")


class SlaTarget(models.Model):
    """How long a return may wait in a stage before the staff lists mark it late."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="sla_targets"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=SlaStage.choices)
    hours = models.PositiveIntegerField(_("hours"))

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["store_id", "stage"]
        constraints = [models.UniqueConstraint(fields=["store", "stage"], name="sla_store_stage")]

    def __str__(self) -> str:
        return f"{self.stage}: {self.hours} h"


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="return_lines",
    )
    reason = models.CharField(_("reason"), max_length=50)
    comment = models.TextField(_("comment"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    approved_quantity = models.PositiveIntegerField(_("quantity approved"), default=0)
    received_quantity = models.PositiveIntegerField(_("quantity received"), default=0)
    accepted_quantity = models.PositiveIntegerField(_("quantity accepted"), default=0)
    unit_refund = models.DecimalField(
        _("unit refund"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    right = models.CharField(_("right"), max_length=16, choices=Right.choices, default=Right.POLICY)
    seal_opened = models.BooleanField(
        _("seal opened"),
        null=True,
        blank=True,
        help_text="For sealed goods: whether the seal was broken after delivery (unknown when empty)",
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["return_request_id", "id"]

    def __str__(self) -> str:
        return f"{self.return_request.number}/{self.order_line.sku}×{self.quantity}"

    @property
    def inspected_quantity(self) -> int:
        return sum(i.quantity for i in self.inspections.all())


class Inspection(models.Model):
    """A grading of some received units of a line; a line may have several."""

    return_line = models.ForeignKey(
        ReturnLine, verbose_name=_("return line"), on_delete=models.CASCADE, related_name="inspections"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    accepted = models.BooleanField(_("accepted"))
    deduction = models.DecimalField(
        _("deduction"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0
    )
    note = models.TextField(_("note"), blank=True)
    location = models.ForeignKey(
        "stores.Location", verbose_name=_("location"), null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created on"))

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["return_line_id", "id"]

    def __str__(self) -> str:
        return f"{self.quantity}× {self.condition} → {self.disposition}"


class SerialCheck(models.TextChoices):
    """What receiving found when it compared a unit with the sale (see ``retour.returns.units``)."""

    MATCHED = "matched", _("Serial number sold on this line")
    NOT_RECORDED = "not_recorded", _("No serial number recorded at sale")
    NOT_SOLD = "not_sold", _("Serial number not sold on this line")
    ALREADY_RECEIVED = "already_received", _("Serial number already received")
    MISSING = "missing", _("No serial number scanned")


# What staff must look at before accepting the units: the return is not held up by it.
FLAGGED_CHECKS = (SerialCheck.NOT_SOLD, SerialCheck.ALREADY_RECEIVED, SerialCheck.MISSING)


class ReceivedUnit(models.Model):
    """Units of a return line counted in at receiving, with what identifies them: one row per
    serial number scanned, and one per lot (or per batch of units without a serial number that
    should have had one). Units that nothing identifies are counted on the line alone."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    return_line = models.ForeignKey(
        ReturnLine, verbose_name=_("return line"), on_delete=models.CASCADE, related_name="received_units"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    lot_number = models.CharField(_("lot number"), max_length=64, blank=True)
    serial_check = models.CharField(_("serial check"), max_length=20, choices=SerialCheck.choices)
    expected = models.JSONField(
        _("serial numbers expected"),
        default=list,
        blank=True,
        help_text="When flagged: the serial numbers sold on the line and not received yet",
    )
    sold_on = models.CharField(
        _("sold on line"),
        max_length=100,
        blank=True,
        help_text="When not sold on this line: the order's line that sold this serial number",
    )
    earlier_return = models.ForeignKey(
        ReturnRequest,
        verbose_name=_("received before in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location = models.ForeignKey(
        "stores.Location", verbose_name=_("location"), null=True, on_delete=models.SET_NULL
    )
    received_at = models.DateTimeField(_("received on"))

    class Meta:
        verbose_name = _("received unit")
        verbose_name_plural = _("received units")
        ordering = ["return_line_id", "id"]
        indexes = [models.Index(fields=["store", "serial_number"])]

    def __str__(self) -> str:
        return self.serial_number or self.lot_number or f"{self.quantity}×"

    @property
    def flagged(self) -> bool:
        return self.serial_check in FLAGGED_CHECKS


class ExchangeItem(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, verbose_name=_("return"), on_delete=models.CASCADE, related_name="exchange_items"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=100, blank=True)
    wish = models.CharField(
        _("wish"), max_length=300, blank=True, help_text="Free text when the variant is not in the catalogue"
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)

    class Meta:
        verbose_name = _("exchange item")
        verbose_name_plural = _("exchange items")

    def __str__(self) -> str:
        return f"{self.sku or self.wish} ×{self.quantity}"


class PhotoSource(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    RECEIVED_ITEM = "received_item", _("Received item")  # taken by staff when receiving or grading


class ReturnPhoto(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, verbose_name=_("return"), on_delete=models.CASCADE, related_name="photos"
    )
    return_line = models.ForeignKey(
        ReturnLine,
        verbose_name=_("return line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("image"), upload_to="returns/photos/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="returns/thumbs/%Y/%m/")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    source = models.CharField(
        _("taken by"), max_length=16, choices=PhotoSource.choices, default=PhotoSource.CUSTOMER
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("return photo")
        verbose_name_plural = _("return photos")

    def __str__(self) -> str:
        return self.image.name or ""


class ReturnEvent(models.Model):
    """The audit trail: one row per action, written in the action's transaction."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="+"
    )
    return_request = models.ForeignKey(
        ReturnRequest, verbose_name=_("return"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16)
    actor_type = models.CharField(_("actor type"), max_length=16)
    actor_name = models.CharField(_("actor name"), max_length=200)
    actor_user = models.ForeignKey(
        "auth.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_api_key = models.ForeignKey(
        "stores.ApiKey",
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["return_request", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"
