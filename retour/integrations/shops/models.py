"""Shop connectors: a store's link to its Shopify, WooCommerce (…) shop, and what came through it.

``ShopConnector`` holds the shop's address and credentials (encrypted, never shown back) and its
health; ``ShopOrder`` maps a platform order to the Retour order it feeds, with the platform's
``updated_at`` of the version applied (a duplicate or older delivery changes nothing);
``ShopRefund`` records each refund made in the shop.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from retour.core.limits import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class Platform(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    PRESTASHOP = "prestashop", "PrestaShop"


class ShopConnector(models.Model):
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="shop_connectors"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    # Shopify: https://NAME.myshopify.com; WooCommerce: the site's address.
    shop_url = models.CharField(_("shop address"), max_length=300)
    active = models.BooleanField(_("active"), default=True)
    # Shopify's Admin API access token, WooCommerce's consumer secret, PrestaShop's webservice key;
    # encrypted (payments.secrets).
    token_encrypted = models.TextField(_("access token (encrypted)"), blank=True)
    token_hint = models.CharField(_("access token"), max_length=40, blank=True)
    consumer_key_encrypted = models.TextField(_("consumer key (encrypted)"), blank=True)
    webhook_secret_encrypted = models.TextField(_("webhook secret (encrypted)"), blank=True)
    last_webhook_at = models.DateTimeField(_("last webhook"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error on"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # The backfill in progress: {"since": …, "next": …, "done": n}; empty when none is.
    sync_state = models.JSONField(_("sync in progress"), default=dict, blank=True)
    last_synced_at = models.DateTimeField(_("last full sync"), null=True, blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    class Meta:
        verbose_name = _("shop connector")
        verbose_name_plural = _("shop connectors")
        ordering = ["store_id", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["store", "platform"], name="shop_connector_store_platform")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.shop_url}"


class ShopOrder(models.Model):
    """A platform order and the version of it that Retour holds."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="shop_orders"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    platform_id = models.CharField(_("platform order id"), max_length=64)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shop_links",
    )
    platform_updated_at = models.DateTimeField(_("updated in the shop on"), null=True, blank=True)
    received_at = models.DateTimeField(_("received on"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("shop order")
        verbose_name_plural = _("shop orders")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "platform", "platform_id"], name="shop_order_store_platform_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.platform_id}"


class ShopRefund(models.Model):
    """A refund made in the shop (Shopify's refunds/create, a WooCommerce order's refunds)."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="shop_refunds"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    platform_id = models.CharField(_("platform refund id"), max_length=64)
    platform_order_id = models.CharField(_("platform order id"), max_length=64)
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shop_refunds",
    )
    amount = models.DecimalField(
        _("amount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    lines = models.JSONField(_("lines"), default=list, blank=True)  # [{"ref", "quantity", "restock"}]
    refunded_at = models.DateTimeField(_("refunded on"), null=True, blank=True)
    received_at = models.DateTimeField(_("received on"))

    class Meta:
        verbose_name = _("shop refund")
        verbose_name_plural = _("shop refunds")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "platform", "platform_id"], name="shop_refund_store_platform_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} refund {self.platform_id}"
