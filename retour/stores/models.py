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
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    country = models.CharField(
        _("country"), max_length=2, help_text="ISO 3166-1 alpha-2 country of the merchant"
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    language = models.CharField(_("language"), max_length=8, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    logo_url = models.URLField(_("logo URL"), blank=True)
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#1f4e79")
    support_email = models.EmailField(_("support email"), blank=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    address = models.TextField(
        _("address"), blank=True, help_text="The merchant's postal address, shown on the policy page"
    )
    agent_refund_limit = models.DecimalField(
        _("agent refund limit"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Largest refund a support agent may issue; above it an admin must. Empty: no limit."),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where returned goods go: warehouse, shop, 3PL, supplier."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="locations"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
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

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Partners see only this location",
    )

    class Meta:
        verbose_name = _("store membership")
        verbose_name_plural = _("store memberships")
        constraints = [models.UniqueConstraint(fields=["store", "user"], name="membership_store_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store.slug} ({self.role})"


class ApiKey(models.Model):
    """Only the SHA-256 of the key is stored; the key itself is shown once at creation."""

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Partner keys see only the returns routed to this location"),
    )
    prefix = models.CharField(
        _("prefix"), max_length=16, help_text="First characters, to recognise a key in lists"
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.role})"
