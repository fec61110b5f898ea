from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AGENT = "agent", _("Support agent")
    WAREHOUSE = "warehouse", _("Warehouse")
    PARTNER = "partner", _("Logistics partner")


class Store(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 country of the merchant")
    currency = models.CharField(max_length=3, default="EUR")
    language = models.CharField(max_length=8, default="en")
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    logo_url = models.URLField(blank=True)
    brand_color = models.CharField(max_length=7, default="#1f4e79")
    support_email = models.EmailField(blank=True)
    legal_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(
        blank=True, help_text="The merchant's postal address, shown on the policy page"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where returned goods go: warehouse, shop, 3PL, supplier."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="locations")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200, blank=True)
    line2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["store_id", "code"]
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="location_store_code")]

    def __str__(self) -> str:
        return f"{self.store.slug}/{self.code}"

    @property
    def address_lines(self) -> list[str]:
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        return [p for p in (self.name, self.line1, self.line2, city, self.country) if p]


class StoreMembership(models.Model):
    """A staff user's role in a store (a user may work for several stores)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Partners see only this location",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "user"], name="membership_store_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store.slug} ({self.role})"


class ApiKey(models.Model):
    """Only the SHA-256 of the key is stored; the key itself is shown once at creation."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=16, choices=[c for c in Role.choices if c[0] != Role.PARTNER])
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise a key in lists")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.role})"
