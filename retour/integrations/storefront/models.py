from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalLinkKey(models.Model):
    """The store's secret for signed portal links (the shop signs, Retour verifies).

    Kept in clear because Retour must compute the same HMAC; shown once, when it is made.
    """

    store = models.OneToOneField(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="portal_link_key"
    )
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    created_at = models.DateTimeField(_("created on"), auto_now=True)

    class Meta:
        verbose_name = _("portal link key")
        verbose_name_plural = _("portal link keys")

    def __str__(self) -> str:
        return f"{self.store_id}"
