"""Shopper pages: plain forms, POST-redirect-GET, CSRF; htmx only loads fragments faster.

From the lookup to a confirmed return the shopper sees four screens: find the order, choose
items (quantities, reasons, photos), choose the resolution and confirm the summary, then the
status page. Each view parses, checks the session's scope, calls one service, renders.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from retour.core import clock
from retour.core.errors import DomainError, NotFound, ValidationFailed
from retour.core.i18n import language_links
from retour.core.net import client_ip
from retour.core.ratelimit import ratelimit_hit, ratelimit_peek, ratelimit_release
from retour.portal import access, selectors
from retour.portal.forms import (
    CancelForm,
    LookupForm,
    MessageForm,
    ShipForm,
    WithdrawalForm,
    parse_positive_int,
)
from retour.portal.services import (
    DraftLine,
    draft_photo_save,
    draft_photos_delete,
    portal_draft_return,
    portal_message_send,
    portal_return_cancel,
    portal_return_ship,
    portal_return_submit,
    portal_withdrawal_submit,
)
from retour.returns.money import fee_label
from retour.returns.photos import MAX_PHOTOS, photo_prepare, photos_check_count
from retour.returns.services import ExchangeRequest, LineRequest
from retour.stores.models import Store

LOOKUP_WINDOW = 15 * 60  # seconds: RETOUR_LOOKUP_RATE_LIMIT failed tries per IP and per order number
NOT_FOUND_MESSAGE = _(
    "We could not find an order with these details. Check the order number and the email address "
    "or delivery postcode used for the order."
)
PHOTO_ERRORS = {
    "not_an_image": _("This file is not a picture we can read (JPEG, PNG, WebP or HEIC)."),
    "image_too_large": _("A photo may be at most 10 MB."),
    "too_many_photos": _("A return may have at most 5 photos."),
}


def _field_code(exc: ValidationFailed) -> str:
    """The precise reason of a refusal: its first field's code."""
    return str(exc.errors[0]["code"]) if exc.errors else exc.code


# --- helpers ----------------------------------------------------------------------------------


def _store(slug: str) -> Store:
    try:
        return selectors.store_get(slug=slug)
    except NotFound:
        raise Http404() from None


def render_portal(
    request: HttpRequest, template: str, context: dict[str, Any], *, store: Store, status: int = 200
) -> HttpResponse:
    """Render in the store's colours and time zone, with the language switcher."""
    brand, on_brand = selectors.brand_colors(store)
    base = {"store": store, "brand": brand, "on_brand": on_brand, "languages": language_links(request)}
    with timezone.override(store.time_zone):
        return render(request, template, {**base, **context}, status=status)


def _lookup_keys(request: HttpRequest, store: Store, number: str) -> tuple[str, str]:
    order_key = selectors.normalize_order_number(number).lower()[:64]
    return f"portal-lookup:ip:{client_ip(request)}", f"portal-lookup:order:{store.pk}:{order_key}"


def _too_many(request: HttpRequest, store: Store, retry_after: int, *, order_locked: bool) -> HttpResponse:
    retry_at = clock.now() + timedelta(seconds=retry_after)
    context = {
        "minutes": max(1, math.ceil(retry_after / 60)),
        "retry_at": retry_at,
        "order_locked": order_locked,
    }
    response = render_portal(request, "portal/rate_limited.html", context, store=store, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _order_lookup_limited(request: HttpRequest, store: Store, number: str, contact: str) -> Any:
    """The order for a lookup, None when not found, or the 429 page.

    Failures are counted per client address and per order number, apart. An address that used
    up its tries is refused whatever it types (guessing from one place is slow). An order number
    that many addresses guessed at is locked for everything but its exact email address: guessing
    a postcode across addresses stops, while the customer who types the right email still gets in.
    A successful lookup does not count against the address.
    """
    limit, window = settings.LOOKUP_RATE_LIMIT, LOOKUP_WINDOW
    ip_key, order_key = _lookup_keys(request, store, number)
    by_ip = ratelimit_hit(key=ip_key, limit=limit, window=window)
    if not by_ip.allowed:
        return _too_many(request, store, by_ip.retry_after, order_locked=False)
    by_order = ratelimit_peek(key=order_key, limit=limit, window=window)
    order = None
    if by_order.allowed or "@" in contact:
        order = selectors.order_lookup(store=store, number=number, contact=contact)
    if order is not None:
        ratelimit_release(key=ip_key)
        return order
    if not by_order.allowed:
        return _too_many(request, store, by_order.retry_after, order_locked=True)
    ratelimit_hit(key=order_key, limit=limit, window=window)
    return None


def _order_or_redirect(request: HttpRequest, store: Store) -> Any:
    """The session's order, or a redirect to the lookup (saying why when the session ran out)."""
    try:
        order = access.granted_order(request, store=store)
    except access.Expired:
        messages.warning(request, gettext("Your session has expired. Please look up your order again."))
        return redirect("portal:start", store=store.slug)
    if order is None:
        messages.info(request, gettext("Look up your order first."))
        return redirect("portal:start", store=store.slug)
    return order


def _return_or_404(token: str) -> Any:
    try:
        return selectors.return_for_status(token=token)
    except NotFound:
        raise Http404() from None


# --- screen 1: find the order -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, store: str) -> HttpResponse:
    shop = _store(store)
    form = LookupForm(request.POST or None, initial={"order_number": request.GET.get("order", "")[:64]})
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["order_number"]
        order = _order_lookup_limited(request, shop, number, form.cleaned_data["contact"])
        if isinstance(order, HttpResponse):
            return order
        if order is not None:
            access.grant(request, store=shop, order=order)
            return redirect("portal:order", store=shop.slug)
        form.add_error(None, NOT_FOUND_MESSAGE)
    return render_portal(request, "portal/start.html", {"form": form}, store=shop)


# --- screen 2: items, quantities, reasons, photos ---------------------------------------------


@require_http_methods(["GET", "POST"])
def order_page(request: HttpRequest, store: str) -> HttpResponse:
    shop = _store(store)
    order = _order_or_redirect(request, shop)
    if isinstance(order, HttpResponse):
        return order
    lines = selectors.order_lines(order=order)
    reasons = selectors.reason_list(store=shop)
    draft = access.draft_get(request, store=shop, order=order) or {"lines": []}
    errors: dict[Any, list[Any]] = {}
    status = 200
    drafted = {d["line_id"]: d for d in draft.get("lines", [])}
    if request.method == "POST":
        _chosen, errors, status = _parse_items(request, shop, order, lines, reasons, draft)
        if not errors:
            return redirect("portal:review", store=shop.slug)
        saved = access.draft_get(request, store=shop, order=order) or {"lines": []}
        drafted = _typed(request, lines, {d["line_id"]: d for d in saved.get("lines", [])})
    rows = [
        {
            "view": v,
            "draft": drafted.get(v.line.id, {}),
            "errors": errors.get(v.line.id, []),
            "reasons": selectors.reasons_for(v, reasons),
        }
        for v in lines
    ]
    photo_reasons = " ".join(r.code for r in reasons if r.requires_photo)
    context = {
        "error_summary": _error_summary(rows, errors.get(None, [])),
        "photo_reasons": photo_reasons,
        "order": order,
        "returns": selectors.order_returns(order=order),
        "rows": rows,
        "page_errors": errors.get(None, []),
        "withdrawal_open": selectors.withdrawal_open(lines),
        "max_photos": MAX_PHOTOS,
    }
    return render_portal(request, "portal/order.html", context, store=shop, status=status)


def _typed(
    request: HttpRequest, lines: list[selectors.LineView], saved: dict[int, dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """What the shopper typed, for every line, to show again with the errors (nothing is lost:
    a reason chosen with a quantity of 0 stays chosen)."""
    typed = {}
    for view in lines:
        key = view.line.id
        if f"qty_{key}" not in request.POST:
            continue
        typed[key] = {
            "quantity": parse_positive_int(request.POST.get(f"qty_{key}", "")) or 0,
            "reason": request.POST.get(f"reason_{key}", ""),
            "comment": request.POST.get(f"comment_{key}", "")[:2000],
            "seal_opened": _seal_answer(request, view),
            "photos": saved.get(key, {}).get("photos", []),
        }
    return typed


def _error_summary(rows: list[dict[str, Any]], page_errors: list[Any]) -> list[dict[str, Any]]:
    """The GOV.UK error summary: every problem once, each linking to the item it is about."""
    summary = [{"text": str(e), "href": ""} for e in page_errors]
    for row in rows:
        title = row["view"].line.title or row["view"].line.sku
        for problem in row["errors"]:
            text = gettext("%(item)s: %(problem)s") % {"item": title, "problem": problem}
            summary.append({"text": text, "href": f"#line-{row['view'].line.id}-errors"})
    return summary


def _parse_items(
    request: HttpRequest,
    store: Store,
    order: Any,
    lines: list[selectors.LineView],
    reasons: list[Any],
    draft: dict,
) -> tuple[list[dict[str, Any]], dict[Any, list[Any]], int]:
    """Read the items form; keep what was chosen (photos included) in the session's draft.

    Returns the chosen lines, the errors (by line id, None for the page) and the status code.
    """
    by_id = {v.line.id: v for v in lines}
    posted = {int(m.group(1)): v for k, v in request.POST.items() if (m := re.fullmatch(r"qty_(\d+)", k))}
    if any(line_id not in by_id for line_id in posted):
        return [], {None: [gettext("This item is not part of your order.")]}, 400
    known_reasons = {r.code: r for r in reasons}
    previous = {d["line_id"]: DraftLine.from_dict(d) for d in draft.get("lines", [])}
    errors: dict[Any, list[Any]] = {}
    chosen: list[DraftLine] = []
    for line_id, raw in posted.items():
        quantity = parse_positive_int(raw)
        view = by_id[line_id]
        if not quantity:
            if quantity is None:
                errors.setdefault(line_id, []).append(gettext("Choose a quantity."))
            elif request.POST.get(f"reason_{line_id}"):  # a reason without units: ask, don't drop it
                errors.setdefault(line_id, []).append(
                    gettext("Choose how many to return, or clear the reason if you keep this item.")
                )
            continue
        reason = request.POST.get(f"reason_{line_id}", "")
        comment = request.POST.get(f"comment_{line_id}", "")[:2000]
        offered = {r.code: r for r in selectors.reasons_for(view, reasons)}
        seal = _seal_answer(request, view)
        line_errors = _line_problems(view, quantity, offered.get(reason), seal)
        errors.update({line_id: line_errors} if line_errors else {})
        photos = previous.get(line_id, DraftLine(0, 0, "")).photos
        chosen.append(DraftLine(line_id, quantity, reason, comment, photos, seal))
    chosen, photo_errors = _take_photos(request, chosen, known_reasons)
    for key, problems in photo_errors.items():
        errors.setdefault(key, []).extend(problems)
    unused = [
        n for d in previous.values() for n in d.photos if n not in {p for c in chosen for p in c.photos}
    ]
    draft_photos_delete(unused)
    access.draft_set(request, store=store, order=order, lines=[c.as_dict() for c in chosen])
    if not chosen and not errors:
        errors[None] = [gettext("Choose at least one item to return.")]
    return [c.as_dict() for c in chosen], errors, 200


def _seal_answer(request: HttpRequest, view: selectors.LineView) -> bool | None:
    """The answer to "Has the seal been opened?" for sealed goods (None when not asked or not given)."""
    answer = request.POST.get(f"seal_{view.line.id}", "")
    return {"yes": True, "no": False}.get(answer) if view.eligibility.asks_seal else None


def _line_problems(
    view: selectors.LineView, quantity: int, reason: Any, seal: bool | None = None
) -> list[Any]:
    from retour.returns.services import seal_refusal

    problems: list[Any] = []
    if not view.selectable:
        problems += view.reasons or [gettext("This item cannot be returned.")]
    elif quantity > view.eligibility.returnable_quantity:
        problems.append(
            gettext("Only %(n)s unit(s) of this item can be returned.")
            % {"n": view.eligibility.returnable_quantity}
        )
    if reason is None:
        problems.append(gettext("Choose a reason."))
    if view.eligibility.asks_seal and seal is None:
        problems.append(gettext("Tell us whether the seal has been opened."))
    elif reason is not None and (refusal := seal_refusal(view.eligibility, reason.code, seal, view.today)):
        problems.append(refusal)
    return problems


def _take_photos(
    request: HttpRequest, chosen: list[DraftLine], reasons: dict[str, Any]
) -> tuple[list[DraftLine], dict[Any, list[Any]]]:
    """Check the uploaded photos, keep them as drafts; a reason that needs a photo gets one."""
    errors: dict[Any, list[Any]] = {}
    uploads = {c.line_id: request.FILES.getlist(f"photos_{c.line_id}") for c in chosen}
    kept = sum(len(c.photos) for c in chosen if not uploads[c.line_id])
    try:
        photos_check_count(existing=kept, adding=sum(len(u) for u in uploads.values()))
    except ValidationFailed:
        return chosen, {None: [PHOTO_ERRORS["too_many_photos"]]}
    out = []
    for item in chosen:
        names = list(item.photos)
        if uploads[item.line_id]:
            names = []
            for upload in uploads[item.line_id]:
                try:
                    names.append(draft_photo_save(photo_prepare(upload)))
                except ValidationFailed as exc:
                    errors.setdefault(item.line_id, []).append(
                        f"{upload.name}: {PHOTO_ERRORS.get(_field_code(exc), exc.detail)}"
                    )
            draft_photos_delete(n for n in item.photos if n not in names)
        reason = reasons.get(item.reason)
        if reason is not None and reason.requires_photo and not names and item.line_id not in errors:
            errors.setdefault(item.line_id, []).append(gettext("Please add a photo that shows the problem."))
        out.append(
            DraftLine(item.line_id, item.quantity, item.reason, item.comment, tuple(names), item.seal_opened)
        )
    return out, errors


# --- screen 3: resolution and summary -----------------------------------------------------------


def _draft_lines(request: HttpRequest, store: Store, order: Any) -> list[DraftLine]:
    draft = access.draft_get(request, store=store, order=order)
    return [DraftLine.from_dict(d) for d in (draft or {}).get("lines", [])]


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, store: str) -> HttpResponse:
    shop = _store(store)
    order = _order_or_redirect(request, shop)
    if isinstance(order, HttpResponse):
        return order
    if request.method == "POST":  # a confirm posted again after it went through: show that return
        done = portal_draft_return(order=order, draft_key=request.POST.get("draft_key", ""))
        if done is not None:
            return redirect("portal:status", token=done.token)
    draft = _draft_lines(request, shop, order)
    if not draft:
        return redirect("portal:order", store=shop.slug)
    allowed = selectors.resolutions_for_draft(order=order, draft=draft)
    errors: list[Any] = []
    chosen = request.POST.get("resolution") or request.GET.get("resolution") or allowed[0]
    if request.method == "POST":
        response, errors = _submit(request, shop, order, draft, chosen, allowed)
        if response is not None:
            return response
    draft_key = str((access.draft_get(request, store=shop, order=order) or {}).get("key", ""))
    context = _review_context(shop, order, draft, chosen, errors, allowed, draft_key)
    return render_portal(request, "portal/review.html", context, store=shop)


def _submit(
    request: HttpRequest,
    store: Store,
    order: Any,
    draft: list[DraftLine],
    resolution: str,
    allowed: list[str],
) -> tuple[HttpResponse | None, list[Any]]:
    if resolution not in allowed:
        return None, [gettext("Choose how you would like to be reimbursed.")]
    exchange: list[ExchangeRequest] = []
    if resolution == "exchange":
        exchange, problems = _exchange_items(request, store, order, draft)
        if problems:
            return None, problems
    draft_key = str((access.draft_get(request, store=store, order=order) or {}).get("key", ""))
    try:
        rr = portal_return_submit(
            order=order, draft=draft, resolution=resolution, exchange_items=exchange, draft_key=draft_key
        )
    except DomainError as exc:
        return None, [e.get("message", "") for e in exc.errors] or [str(exc.detail)]
    access.draft_clear(request, store=store)
    return redirect("portal:status", token=rr.token), []


def _exchange_items(
    request: HttpRequest, store: Store, order: Any, draft: list[DraftLine]
) -> tuple[list[ExchangeRequest], list[Any]]:
    # The session's order only (its lines are prefetched): a line id is never looked up store-wide.
    wanted = {d.line_id for d in draft}
    order_lines = [ln for ln in order.lines.all() if ln.id in wanted]
    options = selectors.exchange_options(store=store, lines=order_lines)
    items, problems = [], []
    for d in draft:
        sku = request.POST.get(f"exchange_sku_{d.line_id}", "")
        wish = request.POST.get(f"exchange_wish_{d.line_id}", "").strip()[:300]
        if sku and sku not in {p.sku for p in options.get(d.line_id, [])}:
            sku = ""
        if not (sku or wish):
            problems.append(gettext("Tell us which size or colour you would like instead."))
            continue
        items.append(ExchangeRequest(line_id=d.line_id, sku=sku, wish=wish, quantity=d.quantity))
    return items, problems


def _review_context(
    store: Store,
    order: Any,
    draft: list[DraftLine],
    chosen: str,
    errors: list[Any],
    allowed: list[str],
    draft_key: str = "",
) -> dict[str, Any]:
    probe = "store_credit" if "store_credit" in allowed else allowed[0]
    estimate = selectors.return_estimate(order=order, lines=[d.request() for d in draft], resolution=probe)
    lines_by_id = {ln.id: ln for ln in order.lines.all()}
    reasons = {r.code: r for r in selectors.reason_list(store=store)}
    items = [
        {"line": lines_by_id[d.line_id], "draft": d, "reason": reasons.get(d.reason)}
        for d in draft
        if d.line_id in lines_by_id
    ]
    options = selectors.exchange_options(store=store, lines=[i["line"] for i in items])
    for item in items:
        item["variants"] = [(p.sku, selectors.variant_label(p)) for p in options.get(item["line"].id, [])]
    return {
        "order": order,
        "draft_key": draft_key,
        "items": items,
        "estimate": estimate,
        "fees": [{"label": fee_label(f["code"]), "amount": f["amount"]} for f in estimate.fees],
        "resolutions": [(code, selectors.resolution_label(code)) for code in allowed],
        "chosen": chosen if chosen in allowed else allowed[0],
        "exchange_allowed": "exchange" in allowed,
        "bonus_percent": store.policy.store_credit_bonus_percent,
        "errors": errors + [e.get("message", "") for e in estimate.errors],
        "photo_count": sum(len(d.photos) for d in draft),
    }


# --- screen 4: the status page ----------------------------------------------------------------


@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    rr = _return_or_404(token)
    return render_portal(request, "portal/status.html", _status_context(request, rr), store=rr.store)


def _status_context(request: HttpRequest, rr: Any) -> dict[str, Any]:
    faqs = _faq_list(rr.store)
    picked = request.GET.get("faq", "")
    answer = next((f for f in faqs if str(f.id) == picked), None)
    return {
        "rr": rr,
        "money_summary": selectors.money_summary(rr),
        "timeline": selectors.timeline(rr),
        "next_step": selectors.next_step(rr),
        "ship_by": selectors.ship_by(rr),
        "actions": selectors.status_actions(rr),
        "ship_form": ShipForm(),
        "cancel_form": CancelForm(),
        "message_form": MessageForm(),
        "faqs": faqs,
        "faq_picked": picked,
        "faq_answer": answer,
        "messages_on_return": _message_list(rr),
        "resolution_label": selectors.resolution_label(rr.resolution),
    }


@require_GET
def faq_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The chosen answer as a fragment (htmx); without JavaScript the status page shows it."""
    rr = _return_or_404(token)
    picked = request.GET.get("faq", "")
    answer = next((f for f in _faq_list(rr.store) if str(f.id) == picked), None)
    context = {"rr": rr, "faq_picked": picked, "faq_answer": answer, "message_form": MessageForm()}
    return render_portal(request, "portal/_faq_answer.html", context, store=rr.store)


@require_GET
def slip(request: HttpRequest, token: str) -> HttpResponse:
    from retour.returns.documents import return_slip_pdf

    rr = _return_or_404(token)
    if not selectors.status_actions(rr)["slip"]:
        raise Http404()
    pdf = return_slip_pdf(return_request=rr, language=get_language() or rr.store.language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="return-slip-{rr.number}.pdf"'
    return response


@require_POST
def ship(request: HttpRequest, token: str) -> HttpResponse:
    rr = _return_or_404(token)
    form = ShipForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: portal_return_ship(return_request=rr, **form.cleaned_data),
            gettext("Thank you: we noted that the parcel is on its way."),
        )
    return redirect("portal:status", token=rr.token)


@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    rr = _return_or_404(token)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Tick the box to confirm that you want to cancel the return."))
    elif not selectors.status_actions(rr)["cancel"]:
        messages.error(request, gettext("This return can no longer be cancelled."))
    else:
        _act(request, lambda: portal_return_cancel(return_request=rr), gettext("Your return was cancelled."))
    return redirect("portal:status", token=rr.token)


@require_POST
def message(request: HttpRequest, token: str) -> HttpResponse:
    rr = _return_or_404(token)
    form = MessageForm(request.POST)
    if form.is_valid():
        _act(
            request,
            lambda: portal_message_send(return_request=rr, body=form.cleaned_data["body"]),
            gettext("Your message was sent. We will answer by email."),
        )
    else:
        messages.error(request, gettext("Write your question before sending it."))
    return redirect(reverse("portal:status", kwargs={"token": rr.token}) + "#help")


def _act(request: HttpRequest, action: Any, success: str) -> None:
    try:
        action()
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, success)


# --- the EU withdrawal function (art. 11a) ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, store: str) -> HttpResponse:
    shop = _store(store)
    form = WithdrawalForm(request.POST or None, initial={"order_number": request.GET.get("order", "")[:64]})
    existing: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = _order_lookup_limited(request, shop, data["order_number"], data["email"])
        if isinstance(order, HttpResponse):
            return order
        lines = selectors.order_lines(order=order) if order is not None else []
        if order is None:
            form.add_error(None, NOT_FOUND_MESSAGE)
        elif selectors.withdrawal_blocked_by_returns(lines):
            # The lookup proved who they are: say what is true and link to the returns.
            form.add_error(
                None,
                gettext(
                    "Every item of this order is already in a return, so there is nothing left to withdraw "
                    "from. You can follow, ship or cancel your returns below."
                ),
            )
            existing = selectors.order_returns(order=order)
        elif not selectors.withdrawal_open(lines):
            form.add_error(None, gettext("This order is not, or no longer, within a withdrawal period."))
        else:
            access.withdrawal_grant(request, store=shop, order=order, name=data["name"], email=data["email"])
            return redirect("portal:withdraw_confirm", store=shop.slug)
    return render_portal(request, "portal/withdraw.html", {"form": form, "returns": existing}, store=shop)


@require_http_methods(["GET", "POST"])
def withdraw_confirm(request: HttpRequest, store: str) -> HttpResponse:
    shop = _store(store)
    pending = access.withdrawal_pending(request, store=shop)
    order = selectors.order_for_portal(store=shop, order_id=int(pending["order"])) if pending else None
    if pending is None or order is None:
        messages.info(request, gettext("Please fill in the withdrawal form first."))
        return redirect("portal:withdraw", store=shop.slug)
    lines = [
        v for v in selectors.order_lines(order=order) if v.eligible and v.eligibility.right == "withdrawal"
    ]
    errors: list[Any] = []
    if request.method == "POST":
        requests, errors = _withdrawal_lines(request, shop, lines)
        if not requests and not errors:
            errors.append(gettext("Choose at least one item."))
        elif not errors:
            try:
                rr = portal_withdrawal_submit(
                    order=order, name=pending["name"], email=pending["email"], lines=requests
                )
            except DomainError as exc:
                errors += [e.get("message", "") for e in exc.errors] or [str(exc.detail)]
            else:
                access.withdrawal_clear(request, store=shop)
                return redirect("portal:acknowledgement", token=rr.token)
    context = {"order": order, "pending": pending, "lines": lines, "errors": errors, "now": clock.now()}
    return render_portal(request, "portal/withdraw_confirm.html", context, store=shop)


def _withdrawal_lines(
    request: HttpRequest, store: Store, lines: list[selectors.LineView]
) -> tuple[list[LineRequest], list[Any]]:
    from retour.portal.services import withdrawal_reason

    reason = withdrawal_reason(store)
    out, errors = [], []
    for view in lines:
        if not request.POST.get(f"line_{view.line.id}"):
            continue
        quantity = parse_positive_int(
            request.POST.get(f"qty_{view.line.id}", view.eligibility.returnable_quantity)
        )
        quantity = min(quantity or 0, view.eligibility.returnable_quantity)
        seal = _seal_answer(request, view)
        if quantity and view.eligibility.asks_seal and seal is None:
            errors.append(
                gettext("%(item)s: tell us whether the seal has been opened.")
                % {"item": view.line.title or view.line.sku}
            )
        elif quantity:
            out.append(LineRequest(line_id=view.line.id, quantity=quantity, reason=reason, seal_opened=seal))
    return out, errors


@require_GET
def acknowledgement(request: HttpRequest, token: str) -> HttpResponse:
    rr = _return_or_404(token)
    if not rr.is_withdrawal_statement:
        return HttpResponseRedirect(reverse("portal:status", kwargs={"token": rr.token}))
    from retour.returns.money import refund_breakdown

    context = {
        "rr": rr,
        "statement": _statement(rr),
        "ship_by": selectors.ship_by(rr),
        "refund": refund_breakdown(rr),
    }
    return render_portal(request, "portal/acknowledgement.html", context, store=rr.store)


def _statement(rr: Any) -> Any:
    """The customer's statement message written with the withdrawal, if any."""
    for msg in _message_list(rr):
        if getattr(msg, "author_type", "") == "customer":
            return msg
    return None


# --- policy and help --------------------------------------------------------------------------


@require_GET
def policy(request: HttpRequest, store: str) -> HttpResponse:
    from retour.policies.policy_page import policy_html

    shop = _store(store)
    html = policy_html(store=shop, language=get_language() or shop.language)
    return render_portal(request, "portal/policy.html", {"policy_html": html}, store=shop)


@require_GET
def help_page(request: HttpRequest, store: str) -> HttpResponse:
    shop = _store(store)
    return render_portal(request, "portal/help.html", {"faqs": _faq_list(shop)}, store=shop)


def _faq_list(store: Store) -> list[Any]:
    from retour.helpdesk.selectors import faq_list

    return list(faq_list(store=store, language=get_language() or store.language))


def _message_list(rr: Any) -> list[Any]:
    from retour.helpdesk.selectors import message_list

    return list(message_list(return_request=rr))
