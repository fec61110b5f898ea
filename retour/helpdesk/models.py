"""Predefined answers (FAQ) shown to shoppers, and the messages exchanged about a return."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FaqEntry(models.Model):
    """A common question with its answer in French and English, edited by staff in the admin.

    Answers may contain ``{window_days}``, ``{store}``, ``{support_email}`` and ``{policy_url}``,
    filled in from the store and its policy when shown (see ``selectors.faq_list``).
    """

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="faq_entries"
    )
    code = models.SlugField(
        _("code"), max_length=50, blank=True, help_text="Set on the default entries; keeps them unique"
    )
    question_en = models.CharField(_("question (English)"), max_length=300)
    question_fr = models.CharField(_("question (French)"), max_length=300)
    answer_en = models.TextField(_("answer (English)"))
    answer_fr = models.TextField(_("answer (French)"))
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store_id", "position", "id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "code"], condition=~models.Q(code=""), name="faq_store_code"
            )
        ]

    def __str__(self) -> str:
        return self.question_en


class AuthorType(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("System")


class Message(models.Model):
    """A message about a return: the shopper's question ("none of these"), a staff reply, a note."""

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="messages"
    )
    return_request = models.ForeignKey(
        "returns.ReturnRequest", verbose_name=_("return"), on_delete=models.CASCADE, related_name="messages"
    )
    author_type = models.CharField(_("author type"), max_length=16, choices=AuthorType.choices)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created on"))
    read_at = models.DateTimeField(_("read on"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["return_request", "created_at"]),
            models.Index(fields=["store", "read_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.author_type}: {self.body[:50]}"


class PredefinedReply(models.Model):
    """A reply staff insert from a list, in French and English, edited by the store.

    Bodies may contain placeholders filled from the return when inserted, in the customer's
    language: see ``selectors.REPLY_PLACEHOLDERS``.
    """

    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.CASCADE, related_name="predefined_replies"
    )
    code = models.SlugField(
        _("code"), max_length=50, blank=True, help_text="Set on the default replies; keeps them unique"
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    body_fr = models.TextField(_("text (French)"))
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["store_id", "position", "id"]
        verbose_name = _("predefined reply")
        verbose_name_plural = _("predefined replies")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "code"], condition=~models.Q(code=""), name="predefined_reply_store_code"
            )
        ]

    def __str__(self) -> str:
        return self.title_en
