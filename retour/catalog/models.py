from __future__ import annotations

from django.db import models


class Product(models.Model):
    """A sellable variant (one SKU). Variants of one product share ``group``."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    group = models.CharField(max_length=100, blank=True, help_text="Variants of one product share it")
    options = models.JSONField(default=dict, blank=True, help_text='e.g. {"size": "M", "colour": "blue"}')
    category = models.CharField(max_length=100, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    image_url = models.URLField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
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

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="stock_movements")
    location = models.ForeignKey("stores.Location", on_delete=models.PROTECT, related_name="stock_movements")
    sku = models.CharField(max_length=100)
    quantity = models.IntegerField()
    reason = models.CharField(max_length=32, choices=Reason.choices)
    return_line = models.ForeignKey("returns.ReturnLine", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["store", "sku", "location"])]

    def __str__(self) -> str:
        return f"{self.sku} {self.quantity:+d} @ {self.location_id}"
