from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundEmail(models.Model):
    """Every email received for Retour: attached to a return's thread, or kept aside unmatched."""

    class Status(models.TextChoices):
        ATTACHED = "attached", _("Attached to a return")
        UNMATCHED = "unmatched", _("No valid return token")
        REJECTED = "rejected", _("Refused")

    email_id = models.CharField(_("Message-ID"), max_length=300, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), null=True, blank=True, on_delete=models.CASCADE
    )
    return_request = models.ForeignKey(
        "returns.ReturnRequest", verbose_name=_("return"), null=True, blank=True, on_delete=models.CASCADE
    )
    message = models.ForeignKey(
        "helpdesk.Message", verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL
    )
    sender = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received on"))

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject[:60]}"
