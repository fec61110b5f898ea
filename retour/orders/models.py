from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from retour.core.limits import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class Channel(models.TextChoices):
    WEB = "web", _("Web shop")
    STORE = "store", _("Shop")
    PHONE = "phone", _("Phone")
    MARKETPLACE = "marketplace", _("Marketplace")


class LegalExclusion(models.TextChoices):
    CUSTOM_MADE = "custom_made", _("Made to the consumer's specifications")
    PERISHABLE = "perishable", _("Perishable goods")
    SEALED_HYGIENE = "sealed_hygiene", _("Sealed goods unsealed for health or hygiene reasons")
    SEALED_MEDIA = "sealed_media", _("Sealed audio, video or software unsealed")
    OTHER = "other", _("Other statutory exclusion")


class PaymentProvider(models.TextChoices):
    """Who took the customer's money, and so who refunds it to the original payment."""

    STRIPE = "stripe", _("Stripe")
    MOLLIE = "mollie", _("Mollie")
    MANUAL = "manual", _("Manual (staff pay by hand)")


# Exclusions that apply only once the consumer has broken the seal after delivery (CRD art.
# 16(e) and (i)): until then the item may be withdrawn, and the portal asks about the seal.
SEAL_EXCLUSIONS = (LegalExclusion.SEALED_HYGIENE, LegalExclusion.SEALED_MEDIA)


class Customer(models.Model):
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="customers"
    )
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["store_id", "email"]
        constraints = [models.UniqueConstraint(fields=["store", "email"], name="customer_store_email")]

    def __str__(self) -> str:
        return self.email


class Order(models.Model):
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="orders"
    )
    number = models.CharField(_("number"), max_length=64)
    external_id = models.CharField(_("external ID"), max_length=128, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    placed_at = models.DateTimeField(_("placed on"))
    currency = models.CharField(_("currency"), max_length=3)
    is_business = models.BooleanField(_("business customer"), default=False)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    ship_name = models.CharField(_("shipping name"), max_length=200, blank=True)
    ship_line1 = models.CharField(_("shipping address line 1"), max_length=200, blank=True)
    ship_line2 = models.CharField(_("shipping address line 2"), max_length=200, blank=True)
    ship_city = models.CharField(_("shipping city"), max_length=100, blank=True)
    ship_postal_code = models.CharField(_("shipping postal code"), max_length=20, blank=True)
    ship_country = models.CharField(_("shipping country"), max_length=2, blank=True)
    ship_subdivision = models.CharField(_("shipping region"), max_length=10, blank=True)
    shipping_amount = models.DecimalField(
        _("shipping paid"),
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("0"),
    )
    shipping_standard_amount = models.DecimalField(
        _("standard shipping cost"),
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("0"),
    )
    delivered_at = models.DateTimeField(_("delivered on"), null=True, blank=True)
    payment_provider = models.CharField(
        _("payment provider"), max_length=16, choices=PaymentProvider.choices, blank=True
    )
    payment_reference = models.CharField(
        _("payment reference"),
        max_length=200,
        blank=True,
        help_text="Stripe PaymentIntent or charge id, Mollie payment id",
    )
    withdrawal_info_given = models.BooleanField(
        _("informed of the right of withdrawal"),
        default=True,
        help_text="Whether the consumer was told about the right of withdrawal",
    )
    withdrawal_info_given_on = models.DateField(
        _("informed of the right of withdrawal on"), null=True, blank=True, help_text="When informed late"
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at"]
        constraints = [models.UniqueConstraint(fields=["store", "number"], name="order_store_number")]
        indexes = [models.Index(fields=["store", "placed_at"])]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    ref = models.CharField(_("line reference"), max_length=100)
    sku = models.CharField(_("SKU"), max_length=100)
    title = models.CharField(_("title"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(
        _("unit price"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES
    )
    discount = models.DecimalField(
        _("discount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=Decimal("0")
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    final_sale = models.BooleanField(_("final sale"), default=False)
    returnable = models.BooleanField(_("returnable"), default=True)
    legal_exclusion = models.CharField(
        _("statutory exclusion"), max_length=20, choices=LegalExclusion.choices, blank=True
    )
    used = models.BooleanField(
        _("second-hand goods"),
        default=False,
        help_text="Used goods: the legal guarantee's presumption may be shorter (e.g. 12 months in France)",
    )
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    delivered_quantity = models.PositiveIntegerField(_("quantity delivered"), default=0)
    delivered_at = models.DateTimeField(_("delivered on"), null=True, blank=True)
    serial_numbers = models.JSONField(
        _("serial numbers"),
        default=list,
        blank=True,
        help_text="The serial number of each unit sold, in capitals (at most one per unit)",
    )
    lot_number = models.CharField(_("lot number"), max_length=64, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "ref"], name="orderline_order_ref")]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.ref}"

    @property
    def paid_total(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount

    @property
    def unit_paid(self) -> Decimal:
        """What the customer paid for one unit (scenario M3), before rounding."""
        return self.paid_total / self.quantity if self.quantity else Decimal("0")

    @property
    def effective_delivered_at(self):  # noqa: ANN201
        return self.delivered_at or self.order.delivered_at
