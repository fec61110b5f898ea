from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from retour.core.limits import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class Product(models.Model):
    """A sellable variant (one SKU). Variants of one product share ``group``."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="products"
    )
    sku = models.CharField(_("SKU"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    group = models.CharField(
        _("variant group"), max_length=100, blank=True, help_text="Variants of one product share it"
    )
    options = models.JSONField(
        _("options"), default=dict, blank=True, help_text='e.g. {"size": "M", "colour": "blue"}'
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    price = models.DecimalField(
        _("price"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, null=True, blank=True
    )
    image_url = models.URLField(_("image URL"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["store_id", "sku"]
        constraints = [models.UniqueConstraint(fields=["store", "sku"], name="product_store_sku")]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"


class StockMovement(models.Model):
    """Units added to (or taken from) a location's stock; the stock is their sum."""

    class Reason(models.TextChoices):
        RETURN_RESTOCK = "return_restock"
        EXCHANGE_RESERVE = "exchange_reserve"
        ADJUSTMENT = "adjustment"

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="stock_movements"
    )
    location = models.ForeignKey(
        "stores.Location",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="stock_movements",
    )
    sku = models.CharField(_("SKU"), max_length=100)
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    return_line = models.ForeignKey(
        "returns.ReturnLine", verbose_name=_("return line"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["store", "sku", "location"])]

    def __str__(self) -> str:
        return f"{self.sku} {self.quantity:+d} @ {self.location_id}"
