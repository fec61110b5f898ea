from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from retour.core.limits import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class Resolution(models.TextChoices):
    REFUND = "refund", _("Refund")
    STORE_CREDIT = "store_credit", _("Store credit")
    EXCHANGE = "exchange", _("Exchange")
    # Remedies of the legal guarantee of conformity (Dir. 2019/771 art. 13), for defects only.
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")


# What a merchant's policy may offer; repair and replacement belong to the legal guarantee.
COMMERCIAL_RESOLUTIONS = (Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE)
# What a guarantee claim may ask for: the consumer chooses repair or replacement, and a refund
# when neither is possible (art. 13(4)); the policy's own options stay open as well.
GUARANTEE_RESOLUTIONS = (Resolution.REPAIR, Resolution.REPLACEMENT, Resolution.REFUND)
# Resolutions that pay no money back: the goods come back repaired or replaced.
NO_MONEY_RESOLUTIONS = (Resolution.REPAIR, Resolution.REPLACEMENT)


class RefundTrigger(models.TextChoices):
    ON_APPROVAL = "on_approval", _("On approval")
    ON_SHIPMENT = "on_shipment", _("When the parcel is shipped")
    ON_RECEIPT = "on_receipt", _("On receipt")
    ON_INSPECTION = "on_inspection", _("After inspection")
    MANUAL = "manual", _("Manually")


class WindowStart(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    ORDER = "order", _("Order")


def default_resolutions() -> list[str]:
    return [Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE]


def new_settings_version() -> int:
    """A random 63-bit value: never the version of another store's or an earlier policy."""
    return secrets.randbits(63)


class Policy(models.Model):
    """The store's commercial return policy. Defaults are those of api-v1.md."""

    store = models.OneToOneField(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="policy"
    )
    window_days = models.PositiveIntegerField(_("return window (days)"), default=30)
    window_starts = models.CharField(
        _("window starts from"), max_length=16, choices=WindowStart.choices, default=WindowStart.DELIVERY
    )
    restocking_fee_percent = models.DecimalField(
        _("restocking fee (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    return_shipping_fee = models.DecimalField(
        _("return shipping fee"),
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("0"),
    )
    store_credit_bonus_percent = models.DecimalField(
        _("store credit bonus (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    allowed_resolutions = models.JSONField(_("allowed resolutions"), default=default_resolutions)
    refund_trigger = models.CharField(
        _("refund trigger"), max_length=16, choices=RefundTrigger.choices, default=RefundTrigger.ON_INSPECTION
    )
    auto_approve = models.BooleanField(_("approve automatically"), default=False)
    store_credit_expiry_months = models.PositiveIntegerField(
        _("store credit valid for (months)"),
        default=0,
        help_text=_("0: never expires. Credit given instead of a statutory refund never expires."),
    )
    keep_it_max_value = models.DecimalField(
        _("keep it under (value)"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("Refund without the item coming back when the approved items are worth less; 0: off"),
    )
    keep_it_reasons = models.JSONField(_("keep it for these reasons"), default=list, blank=True)
    keep_it_categories = models.JSONField(_("keep it for these categories"), default=list, blank=True)
    apply_statutory_rights = models.BooleanField(_("apply statutory rights"), default=True)
    return_costs_borne_by_customer = models.BooleanField(
        _("return costs borne by the customer"), default=True
    )
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)
    # A new random value at every change of the policy or of the store's reasons
    # (retour.policies.catalogue): per-process caches compare it to see an edit at once.
    settings_version = models.BigIntegerField(
        _("settings version"), default=new_settings_version, editable=False
    )

    class Meta:
        verbose_name = _("return policy")
        verbose_name_plural = _("return policies")

    def __str__(self) -> str:
        return f"Policy of {self.store_id}"


class ReturnReason(models.Model):
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="reasons"
    )
    code = models.SlugField(_("code"), max_length=50)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    seller_fault = models.BooleanField(_("seller's fault"), default=False)
    requires_photo = models.BooleanField(_("photo required"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    categories = models.JSONField(
        _("product categories"),
        default=list,
        blank=True,
        help_text=_(
            'Offered only for items of these categories (e.g. ["apparel", "shoes"] for a size '
            "reason); empty: for every item."
        ),
    )

    class Meta:
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")
        ordering = ["store_id", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="reason_store_code")]

    def __str__(self) -> str:
        return self.code

    def offered_for(self, category: str) -> bool:
        """Whether a shopper may give this reason for an item of ``category`` (an item without a
        category gets every reason: nothing says a size reason is out of place)."""
        if not self.categories or not category:
            return True
        return category.strip().casefold() in {c.casefold() for c in self.categories}

    def label(self, language: str | None = None) -> str:
        from django.utils import translation
        from django.utils.translation import get_language

        lang = (language or get_language() or "en")[:2]
        if lang == "fr":
            return self.label_fr
        if lang == "en" or not self.label_en:
            return self.label_en
        # German, Spanish, Italian, Dutch: a default label (services.DEFAULT_REASONS) has its
        # translation in the catalogue; a label staff wrote themselves is shown as written.
        with translation.override(lang):
            return translation.gettext(self.label_en)
