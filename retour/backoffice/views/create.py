"""Create a return for a customer on the phone or at the counter: find the order, pick lines and
reasons, choose the resolution, see the estimate, create.

Eligibility is shown with the portal's own reads (``order_lines``: the same refusals, in the
reader's language) and the estimate is the portal's dry run; creation is
``return_create_by_staff``, which records an override and its reason in the audit trail. The
customer gets the same emails and slip as from the portal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from retour.backoffice.access import StaffContext, staff_view
from retour.backoffice.views.common import render_staff
from retour.core.errors import DomainError, NotFound
from retour.orders.models import Order
from retour.orders.selectors import order_get, order_search
from retour.policies.models import GUARANTEE_RESOLUTIONS
from retour.portal.selectors import (
    LineView,
    order_lines,
    reason_list,
    reasons_for,
    resolution_label,
    return_estimate,
)
from retour.returns.models import ReturnChannel
from retour.returns.money import fee_label
from retour.returns.services import LineRequest
from retour.returns.staff_create import STAFF_CHANNELS, return_create_by_staff


def _staff(request: HttpRequest) -> StaffContext:
    return request.staff  # type: ignore[attr-defined]


@require_GET
@staff_view("return.create")
def find_order(request: HttpRequest) -> HttpResponse:
    """Step 1: the order, by number, email or name."""
    query = request.GET.get("q", "").strip()[:200]
    orders = order_search(store=_staff(request).store, query=query) if query else []
    return render_staff(request, "backoffice/create/find.html", {"q": query, "orders": orders})


def _int(value: str) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def _picked(request: HttpRequest, views: list[LineView]) -> list[LineRequest]:
    post = request.POST
    return [
        LineRequest(
            line_id=v.line.id,
            quantity=_int(post.get(f"qty_{v.line.id}", "0")),
            reason=post.get(f"reason_{v.line.id}", "")[:50],
            comment=post.get(f"comment_{v.line.id}", "")[:2000],
        )
        for v in views
        if _int(post.get(f"qty_{v.line.id}", "0")) > 0
    ]


def _form_context(request: HttpRequest, order: Order, views: list[LineView]) -> dict[str, Any]:
    store = _staff(request).store
    reasons = reason_list(store=store)
    resolutions = list(store.policy.allowed_resolutions)
    if any(v.guarantee_only for v in views):
        resolutions += [r for r in GUARANTEE_RESOLUTIONS if r not in resolutions]
    post = request.POST
    return {
        "order": order,
        "rows": [
            {
                "view": v,
                "reasons": reasons_for(v, reasons) if v.selectable else reasons,
                "qty": post.get(f"qty_{v.line.id}", "0"),
                "reason": post.get(f"reason_{v.line.id}", ""),
                "comment": post.get(f"comment_{v.line.id}", ""),
            }
            for v in views
        ],
        "resolutions": [(r, resolution_label(r)) for r in resolutions],
        "resolution": post.get("resolution", resolutions[0] if resolutions else ""),
        "channels": [(c, ReturnChannel(c).label) for c in STAFF_CHANNELS],
        "channel": post.get("channel", ReturnChannel.PHONE),
        "override": post.get("override") == "1",
        "override_reason": post.get("override_reason", ""),
        "any_refused": any(not v.selectable for v in views),
    }


def _error_texts(errors: list[dict[str, Any]], lines: list[LineRequest], views: list[LineView]) -> list[str]:
    """Each refusal, prefixed with the item it is about (``loc`` = ["lines", i, …])."""
    titles = {v.line.id: v.line.title or v.line.sku for v in views}
    out = []
    for error in errors:
        loc = error.get("loc") or []
        text = str(error.get("message", ""))
        if len(loc) > 1 and loc[0] == "lines" and isinstance(loc[1], int) and loc[1] < len(lines):
            text = f"{titles.get(lines[loc[1]].line_id, '')}: {text}"
        if text and text not in out:
            out.append(text)
    return out


@require_http_methods(["GET", "POST"])
@staff_view("return.create")
def create_for_order(request: HttpRequest, number: str) -> HttpResponse:
    """Step 2: lines, reasons, resolution; "See the estimate" is a dry run, "Create" creates."""
    staff = _staff(request)
    try:
        order = order_get(store=staff.store, number=number)
    except NotFound:
        raise Http404() from None
    order.store = staff.store
    views = order_lines(order=order)
    context = _form_context(request, order, views)
    if request.method == "GET":
        return render_staff(request, "backoffice/create/order.html", context)
    lines = _picked(request, views)
    if not lines:
        context["errors"] = [_("Choose at least one item and its quantity.")]
        return render_staff(request, "backoffice/create/order.html", context, status=422)
    if request.POST.get("step") != "create":
        estimate = return_estimate(
            order=order,
            lines=lines,
            resolution=context["resolution"],
            actor=staff.actor,
            channel=context["channel"],
            override=context["override"],
        )
        context["estimate"] = estimate
        context["fees"] = [(fee_label(f["code"]), f["amount"]) for f in estimate.fees]
        context["errors"] = _error_texts(estimate.errors, lines, views)
        return render_staff(request, "backoffice/create/order.html", context)
    try:
        rr = return_create_by_staff(
            store=staff.store,
            order_number=order.number,
            actor=staff.actor,
            lines=lines,
            resolution=context["resolution"],
            channel=context["channel"],
            override=context["override"],
            override_reason=context["override_reason"],
        )
    except DomainError as exc:
        context["errors"] = [str(exc.detail), *_error_texts(exc.errors, lines, views)]
        return render_staff(request, "backoffice/create/order.html", context, status=422)
    messages.success(
        request,
        _("Return %(number)s created. The customer gets the confirmation email with the link to the slip.")
        % {"number": rr.number},
    )
    return redirect("backoffice:return", number=rr.number)
