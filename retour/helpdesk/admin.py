"""Staff edit the FAQ and read (and answer) the messages shoppers leave on their returns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from retour.core.admin import CUSTOMER_DATA_ROLES, StoreScopedAdmin, run_service, staff_actor
from retour.core.errors import DomainError
from retour.helpdesk.models import FaqEntry, Message, PredefinedReply
from retour.helpdesk.services import MAX_MESSAGE_LENGTH, message_reply, messages_mark_read


@admin.register(FaqEntry)
class FaqEntryAdmin(StoreScopedAdmin):
    editable_by = ("admin", "agent")
    list_display = ("question_en", "question_fr", "position", "active", "store")
    list_editable = ("position", "active")
    list_filter = ("active", "store")
    search_fields = ("question_en", "question_fr", "answer_en", "answer_fr")
    list_select_related = ("store",)
    fields = ("store", "question_en", "answer_en", "question_fr", "answer_fr", "position", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("store",) if obj else ()


@admin.register(PredefinedReply)
class PredefinedReplyAdmin(StoreScopedAdmin):
    """Replies agents insert in one click; the store edits them (placeholders: see the help)."""

    editable_by = ("admin", "agent")
    list_display = ("title_en", "title_fr", "position", "active", "store")
    list_editable = ("position", "active")
    list_filter = ("active", "store")
    search_fields = ("title_en", "title_fr", "body_en", "body_fr")
    list_select_related = ("store",)
    fields = ("store", "title_en", "body_en", "title_fr", "body_fr", "position", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("store",) if obj else ()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        from retour.helpdesk.selectors import REPLY_PLACEHOLDERS

        names = ", ".join(f"{{{name}}}" for name in REPLY_PLACEHOLDERS)
        help_text = _("Placeholders filled in for the return, in the customer's language: %(names)s") % {
            "names": names
        }
        kwargs["help_texts"] = {"body_en": help_text, "body_fr": help_text}
        return super().get_form(request, obj, change=change, **kwargs)


class UnreadFilter(admin.SimpleListFilter):
    title = _("read")
    parameter_name = "unread"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Unread")), ("no", _("Read"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=False)
        return queryset


class StaffReplyForm(forms.ModelForm):
    """A staff reply: written through message_post, like every other message."""

    body = forms.CharField(widget=forms.Textarea, max_length=MAX_MESSAGE_LENGTH)

    class Meta:
        model = Message
        fields = ("return_request", "body")


@admin.register(Message)
class MessageAdmin(StoreScopedAdmin):
    editable_by = ("admin", "agent")
    viewable_by = CUSTOMER_DATA_ROLES
    list_display = (
        "return_number",
        "author_type",
        "author_name",
        "excerpt",
        "created_at",
        "read_at",
        "store",
    )
    list_filter = (UnreadFilter, "author_type", "store")
    search_fields = ("body", "author_name", "return_request__number", "return_request__order__number")
    list_select_related = ("store", "return_request")
    date_hierarchy = "created_at"
    raw_id_fields = ("return_request",)
    actions = ("mark_read",)

    @admin.display(description=_("return"), ordering="return_request__number")
    def return_number(self, obj: Message) -> str:
        return obj.return_request.number

    @admin.display(description=_("message"))
    def excerpt(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 80 else obj.body[:79] + "…"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = StaffReplyForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if obj is None:
            return ()
        return ("store", "return_request", "author_type", "author_name", "body", "created_at", "read_at")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)  # messages are never edited

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        rr = form.cleaned_data["return_request"]
        try:  # emailed to the customer and shown on their status page, like every staff reply
            saved = message_reply(
                return_request=rr, actor=staff_actor(request, rr.store_id), body=form.cleaned_data["body"]
            )
        except DomainError as exc:  # the form already checks length and emptiness
            raise forms.ValidationError(str(exc.detail)) from exc
        obj.pk = saved.pk

    @admin.action(description=_("Mark the customer's messages on these returns as read"))
    def mark_read(self, request: HttpRequest, queryset: QuerySet) -> None:
        from retour.returns.models import ReturnRequest

        returns = ReturnRequest.objects.filter(pk__in=queryset.values("return_request_id"))
        run_service(
            self, request, returns, _("Marked read"), lambda rr: messages_mark_read(return_request=rr)
        )
