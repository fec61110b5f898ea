from django.db import models
from django.utils import timezone


class Item(models.Model):
    """The one model of the floor: a row with a unique number, like an order."""

    store_id = models.BigIntegerField(db_index=True)
    number = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store_id", "number"], name="floor_item_store_number")]

    def __str__(self) -> str:
        return self.number
