"""The help desk: the inbox of customers' conversations, one conversation with the reply form,
predefined replies inserted into the reply, and marking a conversation read.

Replies go through ``message_reply`` (emailed to the customer in their language, shown on the
status page); the rules live in ``retour.helpdesk``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from retour.backoffice.access import StaffContext, staff_view
from retour.backoffice.views.common import refuse, render_staff, staff_return
from retour.core.errors import DomainError
from retour.helpdesk.selectors import (
    INBOX_STATES,
    assignee_choices,
    customer_language,
    inbox_counts,
    inbox_list,
    message_list,
    predefined_reply_list,
    predefined_reply_render,
)
from retour.helpdesk.services import MAX_MESSAGE_LENGTH, message_reply, messages_mark_read
from retour.returns.models import ReturnRequest

PAGE_SIZE = 25


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your reply"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


def _staff(request: HttpRequest) -> StaffContext:
    return request.staff  # type: ignore[attr-defined]


def state_labels() -> dict[str, str]:
    return {"unread": _("Unread"), "open": _("Waiting for an answer"), "answered": _("Answered")}


@require_GET
@staff_view("message.view")
def inbox(request: HttpRequest) -> HttpResponse:
    """Every conversation of the store, latest first, filtered by state and assignee."""
    staff = _staff(request)
    state = request.GET.get("state", "")
    state = state if state in INBOX_STATES else ""
    who = request.GET.get("assignee", "")
    assignee_id = staff.user.pk if who == "me" else (int(who) if who.isdigit() else None)
    rows = inbox_list(
        store=staff.store, state=state or None, assignee_id=assignee_id, unassigned=who == "none"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = inbox_counts(store=staff.store)
    labels = state_labels()
    return render_staff(
        request,
        "backoffice/helpdesk/inbox.html",
        {
            "page": page,
            "state": state,
            "state_label": labels.get(state, ""),
            "states": [(code, labels[code], counts[code]) for code in INBOX_STATES],
            "who": who,
            "assignees": assignee_choices(store=staff.store),
        },
    )


def _agent_name(staff: StaffContext) -> str:
    return staff.user.first_name or staff.user.get_username()


def conversation_context(
    request: HttpRequest, rr: ReturnRequest, form: ReplyForm | None = None
) -> dict[str, Any]:
    staff = _staff(request)
    picked = request.GET.get("reply", "")
    if form is None:
        text = ""
        if picked.isdigit() and staff.can("message.reply"):
            text = (
                predefined_reply_render(
                    store=staff.store, reply_id=int(picked), return_request=rr, agent_name=_agent_name(staff)
                )
                or ""
            )
        form = ReplyForm(initial={"body": text})
    return {
        "rr": rr,
        "thread": list(message_list(return_request=rr)),
        "form": form,
        "replies": predefined_reply_list(store=staff.store, language=get_language() or "en"),
        "picked": picked,
        "customer_language": customer_language(rr),
        "can_reply": staff.can("message.reply"),
        "can_assign": staff.can("return.assign"),
        "assignees": assignee_choices(store=staff.store),
    }


@require_GET
@staff_view("message.view")
def conversation(request: HttpRequest, number: str) -> HttpResponse:
    """A return's messages, the reply form and the predefined replies (``?reply=<id>`` fills the
    form without JavaScript; htmx swaps the text in place)."""
    rr = staff_return(request, number)
    return render_staff(request, "backoffice/helpdesk/conversation.html", conversation_context(request, rr))


@require_GET
@staff_view("message.reply")
def reply_text(request: HttpRequest, number: str) -> HttpResponse:
    """The reply box filled with a predefined reply for this return (htmx fragment)."""
    staff = _staff(request)
    rr = staff_return(request, number)
    picked = request.GET.get("reply", "")
    text = ""
    if picked.isdigit():
        text = (
            predefined_reply_render(
                store=staff.store, reply_id=int(picked), return_request=rr, agent_name=_agent_name(staff)
            )
            or ""
        )
    form = ReplyForm(initial={"body": text})
    return render(request, "backoffice/helpdesk/_reply_body.html", {"form": form})


def _back(request: HttpRequest, rr: ReturnRequest) -> str:
    target = request.POST.get("back", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    from django.urls import reverse

    return reverse("backoffice:conversation", kwargs={"number": rr.number})


@require_POST
@staff_view("message.reply")
def reply(request: HttpRequest, number: str) -> HttpResponse:
    """Send a reply: stored, shown on the status page, emailed to the customer."""
    staff = _staff(request)
    rr = staff_return(request, number)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        context = conversation_context(request, rr, form)
        return render_staff(request, "backoffice/helpdesk/conversation.html", context, status=422)
    try:
        message_reply(return_request=rr, actor=staff.actor, body=form.cleaned_data["body"])
    except DomainError as exc:
        refuse(request, exc)
        context = conversation_context(request, rr, form)
        return render_staff(request, "backoffice/helpdesk/conversation.html", context, status=422)
    messages.success(request, _("Reply sent: the customer gets it by email and on the page of their return."))
    return redirect(_back(request, rr))


@require_POST
@staff_view("message.view")
def mark_read(request: HttpRequest, number: str) -> HttpResponse:
    rr = staff_return(request, number)
    messages_mark_read(return_request=rr)
    messages.success(request, _("Marked as read."))
    return redirect(_back(request, rr))
