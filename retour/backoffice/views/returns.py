"""The work list (home), a return's page, its actions and the bulk actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from retour.backoffice.access import StaffContext, forbidden, staff_view
from retour.backoffice.timeline import return_timeline
from retour.backoffice.units import line_units
from retour.backoffice.views.common import error_text, refuse, render_staff, staff_return
from retour.core.errors import DomainError, ValidationFailed
from retour.orders.serials import serials_split
from retour.policies.models import ReturnReason
from retour.resolutions.models import RefundMethod
from retour.resolutions.services import refund_issue
from retour.returns import transitions
from retour.returns.models import (
    Condition,
    Disposition,
    PhotoSource,
    ReturnChannel,
    ReturnRequest,
    Status,
)
from retour.returns.money import fee_label
from retour.returns.photos import MAX_RECEIVED_ITEM_PHOTOS, received_item_photos_add
from retour.returns.selectors import return_money, return_send_back_by, return_serial_flags
from retour.returns.services import (
    ASSIGNABLE_ROLES,
    return_approve,
    return_assign,
    return_cancel,
    return_close,
    return_inspect,
    return_note_add,
    return_receive,
    return_receive_all,
    return_reject,
    return_ship,
)
from retour.returns.worklist import QUEUES, SORTS, WorklistFilters, row_facts, worklist
from retour.stores.models import Location, StoreMembership

PAGE_SIZE = 25


def _assignees(store: Any) -> Any:
    return StoreMembership.objects.filter(store=store, role__in=ASSIGNABLE_ROLES).select_related("user")


def _staff(request: HttpRequest) -> StaffContext:
    return request.staff  # type: ignore[attr-defined]


# --- the work list ----------------------------------------------------------------------------


def queue_labels() -> dict[str, str]:
    return {
        "review": _("To review"),
        "awaiting_parcel": _("Awaiting parcel"),
        "in_transit": _("In transit"),
        "to_inspect": _("To inspect"),
        "to_refund": _("To refund"),
        "overdue": _("Overdue"),
    }


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_filters(request: HttpRequest) -> WorklistFilters:
    g = request.GET
    return WorklistFilters(
        queue=g.get("queue", "") if g.get("queue") in QUEUES else "",
        status=g.get("status", "") if g.get("status") in Status.values else "",
        reason=g.get("reason", "")[:50],
        channel=g.get("channel", "") if g.get("channel") in ReturnChannel.values else "",
        location=g.get("location", "")[:60],
        country=g.get("country", "")[:2],
        created_from=_date(g.get("from", "")),
        created_to=_date(g.get("to", "")),
        assignee=g.get("assignee", "")[:20],
        q=g.get("q", "")[:200],
        sort=g.get("sort", "") if g.get("sort") in SORTS else "",
    )


BULK_ACTIONS = {
    "approve": "return.approve",
    "reject": "return.reject",
    "receive": "return.receive",
    "refund": "return.refund",
}


def bulk_labels() -> dict[str, str]:
    return {
        "approve": _("Approve"),
        "reject": _("Reject"),
        "receive": _("Receive all units"),
        "refund": _("Refund what is refundable"),
    }


@require_GET
@staff_view("return.view")
def home(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    filters = parse_filters(request)
    wl = worklist(
        store=staff.store,
        location=staff.location,
        filters=filters,
        viewer_id=staff.user.pk,
        search_customer_data=staff.can("return.customer_data"),
    )
    page = Paginator(wl.returns, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "rr": rr,
            "money": return_money(rr),
            **row_facts(rr, targets=wl.targets, now=wl.now, to_refund=wl.to_refund),
        }
        for rr in page.object_list
    ]
    labels = queue_labels()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "queues": [(q, labels[q], wl.counts[q]) for q in QUEUES],
        "current_queue_label": labels.get(filters.queue, ""),
        "query": query.urlencode(),
        "statuses": Status.choices,
        "channels": ReturnChannel.choices,
        "reasons": ReturnReason.objects.filter(store=staff.store).values_list("code", flat=True),
        "locations": [] if staff.location else Location.objects.filter(store=staff.store),
        "assignees": _assignees(staff.store),
        "bulk_actions": [(a, bulk_labels()[a]) for a, cap in BULK_ACTIONS.items() if staff.can(cap)],
        "sorts": [
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("due", _("Due date")),
            ("number", _("Number")),
        ],
    }
    # htmx (the filter form) swaps the results only; a plain request gets the whole page.
    template = "backoffice/_worklist.html" if getattr(request, "htmx", False) else "backoffice/home.html"
    return render_staff(request, template, context)


@require_POST
@staff_view("return.view")
def bulk(request: HttpRequest) -> HttpResponse:
    """Run one action on the ticked returns; each goes through its service on its own."""
    staff = _staff(request)
    action = request.POST.get("action", "")
    capability = BULK_ACTIONS.get(action)
    if capability is None:
        messages.error(request, _("Choose an action."))
        return redirect(_back(request))
    if not staff.can(capability):
        return forbidden(request, staff, capability)
    numbers = request.POST.getlist("numbers")[:200]
    if not numbers:
        messages.error(request, _("Tick the returns to act on first."))
        return redirect(_back(request))
    done, refused = 0, []
    for number in numbers:
        try:
            rr = staff_return(request, number)
            BULK_RUN[action](rr, staff)
            done += 1
        except DomainError as exc:
            refused.append(f"{number}: {error_text(exc)}")
        except Exception as exc:  # noqa: BLE001 - a 404 (not visible) is reported like a refusal
            if exc.__class__.__name__ != "Http404":
                raise
            refused.append(f"{number}: {_('not found')}")
    if done:
        messages.success(request, _("Returns done: %(n)s.") % {"n": done})
    for text in refused:
        messages.error(request, text)
    return redirect(_back(request))


def _own_location(staff: StaffContext) -> str | None:
    return staff.location.code if staff.location else None


BULK_RUN: dict[str, Callable[[ReturnRequest, StaffContext], Any]] = {
    "approve": lambda rr, s: return_approve(return_request=rr, actor=s.actor),
    "reject": lambda rr, s: return_reject(return_request=rr, actor=s.actor),
    "receive": lambda rr, s: return_receive_all(return_request=rr, actor=s.actor, location=_own_location(s)),
    "refund": lambda rr, s: refund_issue(
        return_request=rr, actor=s.actor, method=RefundMethod.ORIGINAL_PAYMENT
    ),
}


def _back(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("back", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "backoffice:home"


# --- a return's page --------------------------------------------------------------------------


@require_GET
@staff_view("return.view")
def detail(request: HttpRequest, number: str) -> HttpResponse:
    rr = staff_return(request, number)
    return render_staff(request, "backoffice/return.html", detail_context(request, rr))


def detail_context(request: HttpRequest, rr: ReturnRequest) -> dict[str, Any]:
    staff = _staff(request)
    lines = list(rr.lines.all())
    money = return_money(rr)
    customer_data = staff.can("return.customer_data")
    possible = set(transitions.actions_available(rr.status))
    can = {
        name: name in possible and staff.can(f"return.{name}")
        for name in ("approve", "reject", "cancel", "ship", "receive", "inspect", "refund", "close")
    }
    can["assign"] = staff.can("return.assign")
    can["note"] = staff.can("return.note")
    received_lines = [ln for ln in lines if ln.received_quantity > 0]
    can["photograph"] = bool(received_lines) and staff.can("return.inspect")
    photos = list(rr.photos.all())
    titles = {ln.id: ln.order_line.title or ln.order_line.sku for ln in lines}
    for ln in lines:  # the units received, in words, with the serial checks to look at
        ln.received = line_units(ln)  # type: ignore[attr-defined]
    ungraded: list[dict[str, Any]] = [
        {"line": ln, "left": ln.received_quantity - sum(i.quantity for i in ln.inspections.all())}
        for ln in lines
    ]
    context: dict[str, Any] = {
        "rr": rr,
        "lines": lines,
        "money": money,
        "fees": [{"label": fee_label(f["code"]), "amount": f["amount"]} for f in money.fees],
        "currency": rr.order.currency,
        "customer_data": customer_data,
        "can": can,
        "timeline": return_timeline(rr),
        "send_back_by": return_send_back_by(rr),
        "to_receive": [
            {"line": ln, "left": ln.approved_quantity - ln.received_quantity}
            for ln in lines
            if ln.approved_quantity > ln.received_quantity
        ],
        "to_grade": [u for u in ungraded if u["left"] > 0],
        "conditions": Condition.choices,
        "dispositions": Disposition.choices,
        "refund_methods": RefundMethod.choices,
        "photos": [p for p in photos if p.source == PhotoSource.CUSTOMER],
        "item_photos": [
            {"photo": p, "item": titles.get(p.return_line_id or 0, "")}
            for p in photos
            if p.source == PhotoSource.RECEIVED_ITEM
        ],
        "received_lines": received_lines,
        "max_item_photos": MAX_RECEIVED_ITEM_PHOTOS,
        "assignees": _assignees(rr.store),
    }
    if customer_data:
        from retour.helpdesk.selectors import message_list
        from retour.notifications.models import Notification

        context["messages_thread"] = list(message_list(return_request=rr))
        context["notifications"] = list(Notification.objects.filter(return_request=rr).order_by("created_at"))
    return context


# --- actions ----------------------------------------------------------------------------------


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(_("Quantities must be whole numbers.")) from None


def _quantities(request: HttpRequest, rr: ReturnRequest, prefix: str) -> list[dict[str, Any]]:
    return [
        {"id": ln.id, "quantity": _int(request.POST[f"{prefix}{ln.id}"])}
        for ln in rr.lines.all()
        if request.POST.get(f"{prefix}{ln.id}", "") != ""
    ]


def _received(request: HttpRequest, rr: ReturnRequest) -> list[dict[str, Any]]:
    """The receive form's quantities, with the serial numbers scanned (one per line of the box,
    as a scanner types them) and the lot of each item."""
    entries = _quantities(request, rr, "receive_")
    for entry in entries:
        entry["serial_numbers"] = serials_split(request.POST.get(f"serials_{entry['id']}", ""))
        entry["lot_number"] = request.POST.get(f"lot_{entry['id']}", "").strip()
    return entries


def _approve(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    lines = _quantities(request, rr, "approve_") or None
    return_approve(return_request=rr, actor=s.actor, lines=lines, note=request.POST.get("note", ""))
    return _("Return approved.")


def _reject(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    return_reject(return_request=rr, actor=s.actor, reason=request.POST.get("reason", "")[:500])
    return _("Return rejected.")


def _cancel(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    return_cancel(return_request=rr, actor=s.actor, note=request.POST.get("note", "")[:2000])
    return _("Return cancelled.")


def _ship(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    return_ship(
        return_request=rr,
        actor=s.actor,
        carrier=request.POST.get("carrier", ""),
        tracking_number=request.POST.get("tracking_number", ""),
    )
    return _("Marked as shipped.")


def _receive(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    lines = _received(request, rr)
    location = _own_location(s) or request.POST.get("location") or None
    return_receive(return_request=rr, actor=s.actor, lines=lines, location=location)
    flagged = return_serial_flags(return_request=rr)
    if flagged:
        messages.warning(
            request,
            ngettext(
                "%(n)s unit of this return has a serial number to check: see the items before grading.",
                "%(n)s units of this return have a serial number to check: see the items before grading.",
                flagged,
            )
            % {"n": flagged},
        )
    return _("Units received.")


def _inspect(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    p = request.POST
    entry: dict[str, Any] = {
        "id": _int(p.get("line", "")),
        "quantity": _int(p.get("quantity", "1") or "1"),
        "condition": p.get("condition", ""),
        "disposition": p.get("disposition", ""),
        "accepted": {"yes": True, "no": False}.get(p.get("accepted", "")),
        "note": p.get("note", "")[:2000],
    }
    if p.get("deduction", "").strip():
        entry["deduction"] = p["deduction"].strip().replace(",", ".")
    return_inspect(return_request=rr, actor=s.actor, entries=[entry])
    return _("Grading saved.")


def _photos(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    line = request.POST.get("line", "")
    received_item_photos_add(
        return_request=rr,
        line_id=int(line) if line.isdigit() else 0,
        photos=request.FILES.getlist("photos"),
        actor=s.actor,
    )
    return _("Photos added.")


def _refund(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    refund_issue(
        return_request=rr,
        actor=s.actor,
        method=request.POST.get("method", RefundMethod.ORIGINAL_PAYMENT),
        amount=request.POST.get("amount", "").strip().replace(",", ".") or None,
        note=request.POST.get("note", ""),
    )
    return _("Refund recorded.")


def _close(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    return_close(return_request=rr, actor=s.actor, note=request.POST.get("note", "")[:2000])
    return _("Return closed.")


def _assign(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    user_id = request.POST.get("assignee", "")
    member = (
        StoreMembership.objects.filter(store=s.store, user_id=int(user_id)).select_related("user").first()
        if user_id.isdigit()
        else None
    )
    if user_id and member is None:
        raise ValidationFailed(_("This person does not work for the store."))
    return_assign(return_request=rr, actor=s.actor, assignee=member.user if member else None)
    return _("Assignee saved.")


def _note(request: HttpRequest, rr: ReturnRequest, s: StaffContext) -> str:
    return_note_add(return_request=rr, actor=s.actor, note=request.POST.get("note", ""))
    return _("Note added.")


ACTIONS: dict[str, tuple[str, Callable[[HttpRequest, ReturnRequest, StaffContext], str]]] = {
    "approve": ("return.approve", _approve),
    "reject": ("return.reject", _reject),
    "cancel": ("return.cancel", _cancel),
    "ship": ("return.ship", _ship),
    "receive": ("return.receive", _receive),
    "inspect": ("return.inspect", _inspect),
    "photos": ("return.inspect", _photos),
    "refund": ("return.refund", _refund),
    "close": ("return.close", _close),
    "assign": ("return.assign", _assign),
    "note": ("return.note", _note),
}


@require_POST
@staff_view("return.view")
def action(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """One lifecycle action on a return, through the same service as the API. A refusal is
    shown in the reader's language and changes nothing."""
    staff = _staff(request)
    if name not in ACTIONS:
        from django.http import Http404

        raise Http404()
    capability, run = ACTIONS[name]
    if not staff.can(capability):
        return forbidden(request, staff, capability)
    rr = staff_return(request, number)
    try:
        messages.success(request, run(request, rr, staff))
    except DomainError as exc:
        refuse(request, exc)
    target = request.POST.get("next", "")
    if target == "receive":
        return redirect("backoffice:receive_return", number=rr.number)
    return redirect("backoffice:return", number=rr.number)
