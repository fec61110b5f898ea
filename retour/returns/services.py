"""Every change to a return: one function per action (house rule 1).

Each action locks the order and the return (``select_for_update``; on SQLite the IMMEDIATE
transaction serialises writers), checks the move against the transition table, writes the
change and one ``ReturnEvent`` in the same transaction, and queues its notification, which
is sent after commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import (
    InvalidTransition,
    NotFound,
    NotReturnable,
    QuantityExceedsApproved,
    QuantityExceedsReceived,
    ValidationFailed,
    line_error,
)
from retour.core.events import RETURN_EVENT_TYPES, webhook_event_emit
from retour.core.prefetch import cache_related
from retour.orders.models import Order
from retour.policies.catalogue import reason_catalogue
from retour.policies.eligibility import GUARANTEE_REASONS, LineEligibility, legal_refusal_handled
from retour.policies.models import GUARANTEE_RESOLUTIONS, NO_MONEY_RESOLUTIONS, Resolution
from retour.returns import transitions
from retour.returns.keep_it import KeepIt, keep_it_rule
from retour.returns.models import (
    DEAD_STATUSES,
    Condition,
    Disposition,
    ExchangeItem,
    Inspection,
    ReturnChannel,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Right,
    Status,
)
from retour.returns.money import DEFAULT_SELLER_FAULT
from retour.returns.returnability import order_lines_load, order_returnability
from retour.returns.units import units_parse, units_record
from retour.stores.models import Location, Store

# An approved return that is not shipped within this many days expires (its label lapses).
APPROVAL_VALIDITY_DAYS = 30
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class LineRequest:
    line_id: int
    quantity: int
    reason: str
    comment: str = ""
    seal_opened: bool | None = None  # sealed goods: the shopper's answer to "Has the seal been opened?"


@dataclass(frozen=True)
class ExchangeRequest:
    line_id: int
    sku: str = ""
    wish: str = ""
    quantity: int = 1


# --- helpers ---------------------------------------------------------------------------------


def return_event_add(
    rr: ReturnRequest,
    *,
    action: str,
    from_status: str,
    actor: Actor,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> ReturnEvent:
    """Write the audit row of an action, in the action's transaction (house rule 2), and the
    outbox rows of the matching webhook event (``return.<action>``) when the store wants it."""
    event_type = RETURN_EVENT_TYPES.get(action)
    if event_type:
        webhook_event_emit(store=rr.store_id, type=event_type, data_fn=lambda: return_payload(rr))
    return ReturnEvent.objects.create(
        store_id=rr.store_id,
        return_request=rr,
        at=now,
        action=action,
        from_status=from_status,
        to_status=rr.status,
        actor_type=actor.type,
        actor_name=actor.name,
        actor_user_id=actor.user_id,
        actor_api_key_id=actor.api_key_id,
        data=data or {},
    )


def return_payload(rr: ReturnRequest) -> dict[str, Any]:
    """The return as ``GET /api/v1/returns/{number}`` gives it now (a webhook event's data)."""
    from retour.returns.api import return_json

    return return_json(store=rr.store, number=rr.number)


def return_notify(rr: ReturnRequest, kind: str, data: dict[str, Any] | None = None) -> None:
    """Queue the customer (or staff) email of ``kind``: an outbox row now, sent after commit."""
    from retour.notifications.services import notification_queue

    notification_queue(return_request=rr, kind=kind, data=data)


def return_lock(rr: ReturnRequest) -> ReturnRequest:
    """Lock the order, then the return (always in that order, so two actions never deadlock)."""
    Order.objects.select_for_update().filter(pk=rr.order_id).values_list("pk", flat=True).first()
    return (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("store", "order", "order__store")
        .get(pk=rr.pk)
    )


def transition_check(action: str, rr: ReturnRequest) -> None:
    """Refuse (409 invalid_transition) an action the transition table does not allow from here."""
    if not transitions.can(action, rr.status):
        raise InvalidTransition(
            _("This action (%(action)s) is not allowed while the return is %(status)s.")
            % {"action": transitions.ACTION_LABELS[action], "status": Status(rr.status).label},
            errors=[
                {
                    "loc": ["status"],
                    "code": "invalid_transition",
                    "message": _("Allowed from: %(statuses)s")
                    % {"statuses": ", ".join(str(Status(s).label) for s in transitions.allowed_from(action))},
                }
            ],
        )


def _move(rr: ReturnRequest, action: str, **fields: Any) -> str:
    """Conditional update from the status we read; returns the previous status."""
    old = rr.status
    new = transitions.target(action, old)
    updated = ReturnRequest.objects.filter(pk=rr.pk, status=old).update(status=new, **fields)
    if updated != 1:  # someone moved it meanwhile: the row lock makes this rare
        raise InvalidTransition(_("The return changed meanwhile; reload it and try again."))
    rr.status = new
    for name, value in fields.items():
        setattr(rr, name, value)
    return old


def _new_number(order: Order) -> str:
    """``R-<order number>-<n>``: says which order it belongs to and needs no extra query (the
    order row is locked and carries its count of returns). Order numbers that would not read
    well in a path or an email fall back to a random code, checked for uniqueness."""
    number = order.number
    if len(number) <= 24 and number.replace("-", "").replace("_", "").isalnum() and number.isascii():
        return f"R-{number}-{order.returns_count + 1}"  # type: ignore[attr-defined]
    while True:
        candidate = "R-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(7))
        if not ReturnRequest.objects.filter(store_id=order.store_id, number=candidate).exists():
            return candidate


def _order_locked(*, order: Order | None, store: Store | None, number: str | None) -> Order:
    """The order, row-locked, with its customer, store and policy. A caller that names the
    store by object (the API, which read it with its key this request) lends it, policy
    included, which spares two joins."""
    qs = Order.objects.select_for_update(of=("self",))
    try:
        if order is not None:
            return qs.select_related("store", "store__policy", "customer").get(pk=order.pk)
        assert store is not None, "name the order, or its store and number"
        locked = qs.select_related("customer").get(store=store, number=number)
    except Order.DoesNotExist:
        raise NotFound(_("No order %(number)s.") % {"number": number}) from None
    locked.store = store
    return locked


def _lines_by_id(rr: ReturnRequest) -> dict[int, ReturnLine]:
    return {ln.id: ln for ln in ReturnLine.objects.select_for_update().filter(return_request=rr)}


def _parse_quantities(
    rr: ReturnRequest, entries: list[dict[str, Any]], *, field: str = "lines"
) -> list[tuple[ReturnLine, int, int]]:
    """Resolve ``[{"id", "quantity"}]`` against the return's lines; errors per entry."""
    lines = _lines_by_id(rr)
    errors, out = [], []
    for i, entry in enumerate(entries):
        line = lines.get(int(entry.get("id") or 0))
        qty = entry.get("quantity")
        if line is None:
            errors.append(
                line_error([field, i, "id"], "unknown_line", _("This line is not part of the return."))
            )
        elif not isinstance(qty, int) or isinstance(qty, bool) or qty < 0:
            errors.append(
                line_error(
                    [field, i, "quantity"], "invalid_quantity", _("The quantity must be a whole number ≥ 0.")
                )
            )
        else:
            out.append((line, qty, i))
    if errors:
        raise ValidationFailed(_("Some lines are not valid."), errors=errors)
    return out


def _running_totals(parsed: list[tuple[ReturnLine, int, int]]) -> list[tuple[ReturnLine, int, int]]:
    """``(line, units of this line listed so far, entry index)`` per entry: a line listed
    several times counts the sum of its entries, so no limit can be passed entry by entry."""
    totals: dict[int, int] = {}
    out = []
    for line, qty, i in parsed:
        totals[line.id] = totals.get(line.id, 0) + qty
        out.append((line, totals[line.id], i))
    return out


# --- creation ----------------------------------------------------------------------------------


@transaction.atomic
def return_create(
    *,
    order: Order | None = None,
    store: Store | None = None,
    order_number: str | None = None,
    actor: Actor,
    lines: list[LineRequest],
    resolution: str = Resolution.REFUND,
    channel: str = ReturnChannel.API,
    exchange_items: list[ExchangeRequest] | tuple = (),
    override: bool = False,
    override_reason: str = "",
    withdrawal_statement: bool = False,
    statement: dict[str, str] | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Create a return for some units of an order's lines.

    ``statement`` (the withdrawal function's name and email as typed) goes into the
    acknowledgement email, which must repeat the content of the statement (art. 11a).

    Every line is checked on its own and all refusals are reported together (Q5). ``override``
    (staff only) accepts lines outside the window or flagged final sale / not returnable, and
    the event records who overrode what, and why (``override_reason``). A policy with
    ``auto_approve`` approves at once.
    """
    now = now or clock.now()
    override = override and actor.is_staff
    order = _order_locked(order=order, store=store, number=order_number)
    store, policy = order.store, order.store.policy
    if not lines:
        raise ValidationFailed(
            _("A return needs at least one line."),
            errors=[line_error(["lines"], "invalid_quantity", _("Choose at least one item."))],
        )
    if channel not in ReturnChannel.values:
        raise ValidationFailed(
            _("Unknown channel."),
            errors=[line_error(["channel"], "invalid_value", _("Use portal, api, staff, store or phone."))],
        )
    # read once, with the units already in returns; eligibility and the lines below share them
    order_lines_load(order)
    eligibility = {
        e.line.id: e
        for e in order_returnability(
            order=order, now=now, override=override, policy=policy, lines_loaded=True
        )
    }
    catalogue = reason_catalogue(policy)  # cached per process while the store's settings hold
    reasons = set(catalogue.active)
    today = clock.consumer_date(now, order.ship_country or store.country, store.time_zone)
    errors: list[dict[str, Any]] = []
    accepted: list[tuple[LineRequest, LineEligibility, str, list[str]]] = []
    wanted: dict[int, int] = {}
    for i, req in enumerate(lines):
        line_errors, right, overridden = _check_line(i, req, eligibility, reasons, wanted, today, override)
        errors += line_errors
        if not line_errors:
            accepted.append((req, eligibility[req.line_id], right, overridden))
    if errors:
        raise NotReturnable(errors=errors)
    rights = [a[2] for a in accepted]
    if resolution not in resolutions_allowed(policy=policy, rights=rights):
        raise NotReturnable(
            _("This resolution is not offered."),
            errors=[
                line_error(
                    ["resolution"], "resolution_not_allowed", _("The store does not offer this resolution.")
                )
            ],
        )

    rr = ReturnRequest(
        store=store,
        number=_new_number(order),
        order=order,
        customer=order.customer,
        status=Status.REQUESTED,
        channel=channel,
        resolution=resolution,
        override=override,
        is_withdrawal_statement=withdrawal_statement,
        created_at=now,
        # the location stays empty until a parcel arrives: receiving falls back to `main`
    )
    rr.right = _return_right(rights, withdrawal_statement)
    rr.delivery_refund = _delivery_refund(order, accepted, eligibility) if rr.right == Right.WITHDRAWAL else 0
    rr.include_shipping_refund = rr.delivery_refund > 0
    rr.refund_due_by = _refund_due_on(rr)
    rr.save(force_insert=True)
    from retour.returns.money import MoneyContext, units_value

    return_lines = ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                return_request=rr,
                order_line=elig.line,
                reason=req.reason,
                comment=req.comment[:2000],
                quantity=req.quantity,
                right=right,
                seal_opened=req.seal_opened if elig.asks_seal else None,
                unit_refund=units_value(elig.line, 1, order.currency),
            )
            for req, elig, right, _o in accepted
        ]
    )
    items = _create_exchange_items(rr, exchange_items, eligibility, return_lines)
    seller_fault = frozenset(code for code, fault in catalogue.active.items() if fault)
    _loaded(
        rr, return_lines, items, MoneyContext(policy=policy, seller_fault=seller_fault | DEFAULT_SELLER_FAULT)
    )
    overridden_by_line = {str(a[0].line_id): a[3] for a in accepted if a[3]}
    return_event_add(
        rr,
        action="created",
        from_status="",
        actor=actor,
        now=now,
        data={
            "channel": channel,
            "resolution": resolution,
            "right": rr.right,
            "lines": [
                {"line_id": a[0].line_id, "quantity": a[0].quantity, "reason": a[0].reason} for a in accepted
            ],
            **({"override": True, "overridden": overridden_by_line} if override else {}),
            **({"override_reason": override_reason} if override and override_reason else {}),
            **({"withdrawal_statement": True} if withdrawal_statement else {}),
        },
    )
    if withdrawal_statement:
        return_notify(
            rr, "withdrawal_acknowledged", data={f"statement_{k}": v for k, v in (statement or {}).items()}
        )
    else:
        return_notify(rr, "return_created")
    if policy.auto_approve and not overridden_by_line:
        rr = return_approve(return_request=rr, actor=Actor.system("policy: auto-approve"), now=now)
    elif withdrawal_statement and rr.right == Right.WITHDRAWAL:
        # A statutory withdrawal needs no approval: the consumer may send the goods at once, and
        # the date they do counts for the refund deadline.
        rr = return_approve(
            return_request=rr, actor=Actor.system("statutory withdrawal"), now=now, notify=False
        )
    return rr


def line_right(elig: LineEligibility, reason: str, today: date) -> str:
    """Under which right a line returned for ``reason`` comes back: a defect found after the
    windows, or on an item the shop flags final sale / not returnable, is still covered by the
    legal guarantee (scenario E2: such a claim is never refused)."""
    shop_refused = elig.line.final_sale or not elig.line.returnable
    if elig.right in (None, "guarantee") or (shop_refused and elig.right != Right.WITHDRAWAL):
        if reason in GUARANTEE_REASONS and elig.open_for_guarantee(today):
            return Right.GUARANTEE
        return Right.POLICY  # refused as outside the window, unless staff override
    return elig.right


def resolutions_allowed(*, policy: Any, rights: list[str]) -> list[str]:
    """The policy's resolutions; a claim under the legal guarantee alone may also ask for the
    guarantee's remedies (repair, replacement, refund), whatever the policy offers."""
    allowed = list(policy.allowed_resolutions)
    if rights and all(right == Right.GUARANTEE for right in rights):
        allowed += [r for r in GUARANTEE_RESOLUTIONS if r not in allowed]
    return allowed


def _check_line(
    i: int,
    req: LineRequest,
    eligibility: dict[int, LineEligibility],
    reasons: set[str],
    wanted: dict[int, int],
    today: Any,
    override: bool,
) -> tuple[list[dict[str, Any]], str, list[str]]:
    loc = ["lines", i]
    elig = eligibility.get(req.line_id)
    if elig is None:
        return (
            [line_error([*loc, "line_id"], "unknown_line", _("This item is not part of the order."))],
            "",
            [],
        )
    errs = []
    if not isinstance(req.quantity, int) or req.quantity < 1:
        errs.append(line_error([*loc, "quantity"], "invalid_quantity", _("The quantity must be at least 1.")))
    if req.reason not in reasons:
        errs.append(line_error([*loc, "reason"], "unknown_reason", _("This return reason does not exist.")))
    if errs:
        return errs, "", []
    wanted[req.line_id] = wanted.get(req.line_id, 0) + req.quantity
    refusals = {r.code: r.message for r in elig.reasons}
    right = line_right(elig, req.reason, today)
    if elig.asks_seal and req.seal_opened:
        right = _unsealed_right(elig, req, today, errs, loc, override)
    if right == Right.GUARANTEE:
        for code in ("outside_return_window", "final_sale", "not_returnable_item"):
            refusals.pop(code, None)
    if wanted[req.line_id] > elig.returnable_quantity and "not_delivered" not in refusals:
        refusals.pop("quantity_exceeds_returnable", None)
        errs.append(
            line_error(
                [*loc, "quantity"],
                "quantity_exceeds_returnable",
                _("Only %(n)s unit(s) of this item can be returned.") % {"n": elig.returnable_quantity},
            )
        )
    errs += [line_error(loc, code, msg) for code, msg in refusals.items()]
    overridden = _overridden_codes(elig) if override and not errs else []
    return errs, right, overridden


SEAL_REFUSALS = {
    "sealed_hygiene": _(
        "Once its seal has been opened, this item cannot be returned for health and hygiene reasons. "
        "A defect is still covered by the legal guarantee."
    ),
    "sealed_media": _(
        "Once its seal has been opened, this recording or software cannot be returned. "
        "A defect is still covered by the legal guarantee."
    ),
}


def seal_refusal(elig: LineEligibility, reason: str, seal_opened: bool | None, today: Any) -> Any:
    """Why a line of sealed goods cannot be withdrawn with this answer (None when it can)."""
    errs: list[dict[str, Any]] = []
    if elig.asks_seal and seal_opened:
        _unsealed_right(elig, LineRequest(elig.line.id, 1, reason, seal_opened=True), today, errs, [], False)
    return errs[0]["message"] if errs else None


def _unsealed_right(
    elig: LineEligibility,
    req: LineRequest,
    today: Any,
    errs: list[dict[str, Any]],
    loc: list[Any],
    override: bool,
) -> str:
    """Sealed goods unsealed after delivery are excluded from withdrawal (CRD art. 16(e), (i));
    a defect is still claimed under the legal guarantee, and staff may accept one as a gesture."""
    if req.reason in GUARANTEE_REASONS and elig.open_for_guarantee(today):
        return Right.GUARANTEE
    if override:
        return Right.POLICY
    errs.append(
        line_error([*loc, "seal_opened"], "statutory_exclusion", SEAL_REFUSALS[elig.line.legal_exclusion])
    )
    return ""


def _overridden_codes(elig: LineEligibility) -> list[str]:
    """What a staff override waved through for this line (recorded in the audit event)."""
    line = elig.line
    codes = []
    if elig.right != Right.WITHDRAWAL:  # the statutory right needs no override for the shop's flags
        if line.final_sale:
            codes.append("final_sale")
        if not line.returnable:
            codes.append("not_returnable_item")
    if elig.right in (None, "guarantee"):
        codes.append("outside_return_window")
    return codes


def _create_exchange_items(
    rr: ReturnRequest,
    items: list[ExchangeRequest] | tuple,
    eligibility: dict[int, LineEligibility],
    return_lines: list[ReturnLine],
) -> list[ExchangeItem]:
    if rr.resolution != Resolution.EXCHANGE:
        return []
    returned_line_ids = {ln.order_line_id for ln in return_lines}
    errors = []
    for i, item in enumerate(items):
        if item.line_id not in returned_line_ids:
            errors.append(
                line_error(
                    ["exchange_items", i, "line_id"], "unknown_line", _("Exchange an item you return.")
                )
            )
        elif not (item.sku or item.wish) or item.quantity < 1:
            errors.append(
                line_error(["exchange_items", i], "invalid_value", _("Say which variant you want."))
            )
    if errors:
        raise ValidationFailed(_("Some exchange items are not valid."), errors=errors)
    return ExchangeItem.objects.bulk_create(
        [
            ExchangeItem(
                return_request=rr,
                order_line=eligibility[it.line_id].line,
                sku=it.sku,
                wish=it.wish[:300],
                quantity=it.quantity,
            )
            for it in items
        ]
    )


def _return_right(rights: list[str], withdrawal_statement: bool) -> str:
    # A withdrawal statement made after the period has ended is not a statutory withdrawal:
    # the right follows the lines, whatever the form used.
    if Right.WITHDRAWAL in rights:
        return Right.WITHDRAWAL
    if rights and all(r == Right.GUARANTEE for r in rights):
        return Right.GUARANTEE
    return Right.POLICY


def _delivery_refund(order: Order, accepted: list, eligibility: dict[int, LineEligibility]) -> Any:
    """The share of the standard delivery cost this withdrawal refunds (art. 13(1)-(2); the
    premium supplement never). When the order is now withdrawn in full (with its earlier
    returns), all that earlier withdrawals did not get; otherwise, where the country's rule is
    ``pro_rata`` (retour/legal/README.md), the withdrawn goods' share of the order's value."""
    from decimal import Decimal

    from django.db.models import Sum

    from retour.core.money import ZERO, quantize
    from retour.legal import engine
    from retour.returns.money import floor_amount, units_value

    currency = order.currency
    standard = quantize(min(order.shipping_standard_amount, order.shipping_amount), currency)
    if standard <= 0:
        return ZERO
    wanted: dict[int, int] = {}
    withdrawn = ZERO
    for req, elig, right, _o in accepted:
        wanted[req.line_id] = wanted.get(req.line_id, 0) + req.quantity
        if right == Right.WITHDRAWAL:
            withdrawn += units_value(elig.line, req.quantity, currency)
    given = Decimal("0")
    if getattr(order, "returns_count", None) != 0:  # the order's first return: nothing given yet, no query
        given = (
            ReturnRequest.objects.filter(order=order, right=Right.WITHDRAWAL)
            .exclude(status__in=DEAD_STATUSES)
            .aggregate(total=Sum("delivery_refund"))["total"]
        ) or Decimal("0")
    left = max(standard - given, ZERO)
    delivered = [e for e in eligibility.values() if e.delivered_quantity]
    if all(wanted.get(e.line.id, 0) + e.in_returns_quantity >= e.delivered_quantity for e in delivered):
        return left
    rule = engine.country_rule(order.ship_country or order.store.country)
    goods = sum((units_value(e.line, e.delivered_quantity, currency) for e in delivered), ZERO)
    if rule is None or rule.partial_withdrawal_delivery != "pro_rata" or goods <= 0:
        return ZERO
    return min(floor_amount(standard * withdrawn / goods, currency), left)


def _refund_due_on(rr: ReturnRequest) -> date | None:
    """Statutory refund due date of a withdrawal: from the notice (creation), the proof of
    dispatch (ship) and the first receipt. Never rolled forward."""
    if rr.right != Right.WITHDRAWAL:
        return None
    from retour.legal import engine

    country = rr.order.ship_country or rr.store.country
    tz = rr.store.time_zone

    def day(moment: datetime | None) -> date | None:
        return clock.consumer_date(moment, country, tz) if moment else None

    notice = day(rr.created_at)
    assert notice is not None
    with legal_refusal_handled():
        return engine.refund_due(
            country=country,
            notice_received_on=notice,
            proof_of_dispatch_on=day(rr.shipped_at),
            goods_received_on=day(rr.received_at),
        ).due_on


def _update_refund_due(rr: ReturnRequest, now: datetime) -> None:
    due = _refund_due_on(rr)
    if rr.right == Right.WITHDRAWAL and due != rr.refund_due_by:
        rr.refund_due_by = due
        ReturnRequest.objects.filter(pk=rr.pk).update(refund_due_by=due)


def _loaded(rr: ReturnRequest, lines: list[ReturnLine], items: list[ExchangeItem], ctx: Any) -> None:
    """Give a just-created return what ``return_money`` and the API read, from memory: a
    new return has no inspections, received units or refunds."""
    for line in lines:
        cache_related(line, "inspections", [])
        cache_related(line, "received_units", [])
    cache_related(rr, "lines", lines)
    cache_related(rr, "exchange_items", items)
    cache_related(rr, "refunds", [])
    rr._money_ctx = ctx  # type: ignore[attr-defined]
    rr._loaded_for_output = True  # type: ignore[attr-defined]


# --- lifecycle actions -------------------------------------------------------------------------


@transaction.atomic
def return_approve(
    *,
    return_request: ReturnRequest,
    actor: Actor,
    lines: list[dict[str, Any]] | None = None,
    note: str = "",
    now: datetime | None = None,
    notify: bool = True,
) -> ReturnRequest:
    """Approve all requested units, or fewer per listed line (partial approval, L3).
    ``notify=False`` when the customer already has an email saying what to do next."""
    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("approve", rr)
    all_lines = _lines_by_id(rr)
    approved = {ln.id: ln.quantity for ln in all_lines.values()}
    if lines is not None:
        errors = []
        for line, total, i in _running_totals(_parse_quantities(rr, lines)):
            if total > line.quantity:
                errors.append(
                    line_error(
                        ["lines", i, "quantity"],
                        "quantity_exceeds_requested",
                        _("More units than were requested."),
                    )
                )
            approved[line.id] = total
        if errors:
            raise ValidationFailed(_("Some lines are not valid."), errors=errors)
    if sum(approved.values()) == 0:
        raise ValidationFailed(
            _("Approve at least one unit, or reject the return."),
            errors=[line_error(["lines"], "invalid_quantity", _("Nothing approved."))],
        )
    for line_id, qty in approved.items():
        ReturnLine.objects.filter(pk=line_id).update(approved_quantity=qty)
    old = _move(rr, "approve", approved_at=now, expires_at=now + timedelta(days=APPROVAL_VALIDITY_DAYS))
    return_event_add(
        rr,
        action="approved",
        from_status=old,
        actor=actor,
        now=now,
        data={"lines": {str(k): v for k, v in approved.items()}, **({"note": note} if note else {})},
    )
    keep = _keep_it(rr, all_lines, approved)
    if keep is not None:
        ReturnRequest.objects.filter(pk=rr.pk).update(keep_it_rule=keep.rule)
        rr.keep_it_rule = keep.rule
        return_event_add(rr, action="keep_it", from_status=rr.status, actor=actor, now=now, data=keep.data)
        return_notify(rr, "keep_it")  # keep or donate the items: no slip to print
    elif notify:
        return_notify(rr, "return_approved")
    _after_trigger(rr, actor, now)
    if keep is not None:
        for handler in KEEP_IT_HANDLERS:  # the refund, issued by resolutions (on_keep_it)
            handler(return_request=rr, now=now)
        return_maybe_complete(rr, actor, now)
        rr.refresh_from_db()
    return rr


def _keep_it(rr: ReturnRequest, lines: dict[int, ReturnLine], approved: dict[int, int]) -> KeepIt | None:
    loaded = {ln.id: ln for ln in ReturnLine.objects.filter(pk__in=list(lines)).select_related("order_line")}
    return keep_it_rule(
        policy=rr.store.policy,
        resolution=rr.resolution,
        currency=rr.order.currency,
        lines=[(loaded[lid], qty) for lid, qty in approved.items() if lid in loaded],
    )


@transaction.atomic
def return_reject(
    *,
    return_request: ReturnRequest,
    actor: Actor,
    reason: str = "",
    note: str = "",
    now: datetime | None = None,
) -> ReturnRequest:
    """Reject; the units become returnable again (Q4)."""
    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("reject", rr)
    old = _move(rr, "reject", closed_at=now)
    return_event_add(
        rr, action="rejected", from_status=old, actor=actor, now=now, data={"reason": reason, "note": note}
    )
    return_notify(rr, "return_rejected")
    return rr


@transaction.atomic
def return_cancel(
    *, return_request: ReturnRequest, actor: Actor, note: str = "", now: datetime | None = None
) -> ReturnRequest:
    """Cancel before anything is received (L2); units become returnable again."""
    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("cancel", rr)
    if ReturnLine.objects.filter(return_request=rr, received_quantity__gt=0).exists():
        raise InvalidTransition(_("Units of this return have been received: it can no longer be cancelled."))
    if rr.refunds.exclude(status="failed").exists():
        raise InvalidTransition(_("This return has been refunded: it can no longer be cancelled."))
    old = _move(rr, "cancel", closed_at=now)
    return_event_add(
        rr, action="cancelled", from_status=old, actor=actor, now=now, data={"note": note} if note else {}
    )
    return_notify(rr, "return_cancelled")
    return rr


@transaction.atomic
def return_ship(
    *,
    return_request: ReturnRequest,
    actor: Actor,
    carrier: str = "",
    tracking_number: str = "",
    now: datetime | None = None,
) -> ReturnRequest:
    """The parcel is on its way; the shipment is the proof of dispatch for the refund date."""
    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("ship", rr)
    old = _move(rr, "ship", shipped_at=now, carrier=carrier[:100], tracking_number=tracking_number[:100])
    _update_refund_due(rr, now)
    return_event_add(
        rr,
        action="shipped",
        from_status=old,
        actor=actor,
        now=now,
        data={k: v for k, v in (("carrier", carrier), ("tracking_number", tracking_number)) if v},
    )
    _after_trigger(rr, actor, now)
    return rr


@transaction.atomic
def return_receive(
    *,
    return_request: ReturnRequest,
    actor: Actor,
    lines: list[dict[str, Any]],
    location: str | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """Count what arrived; may be called again for later parcels (L4: never over approved).

    Each entry may name the ``serial_numbers`` scanned (one per unit) and the ``lot_number``:
    they are checked against the sale and any mismatch is flagged, not refused
    (``retour.returns.units``)."""
    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("receive", rr)
    loc = _location(rr, location)
    parsed = _parse_quantities(rr, lines)
    errors = [
        line_error(
            ["lines", i, "quantity"],
            "quantity_exceeds_approved",
            _("Only %(n)s more unit(s) of this line were approved.")
            % {"n": line.approved_quantity - line.received_quantity},
        )
        for line, total, i in _running_totals(parsed)
        if line.received_quantity + total > line.approved_quantity
    ]
    if errors:
        raise QuantityExceedsApproved(errors=errors)
    if sum(q for _l, q, _i in parsed) == 0:
        raise ValidationFailed(
            _("Receive at least one unit."),
            errors=[line_error(["lines"], "invalid_quantity", _("Nothing received."))],
        )
    identified = units_parse(parsed, lines)
    _add_received(parsed)
    first = rr.received_at is None
    old = _move(rr, "receive", received_at=rr.received_at or now, location=loc)
    if first:
        _update_refund_due(rr, now)
    units = units_record(rr=rr, entries=identified, location=loc, now=now)
    return_event_add(
        rr,
        action="received",
        from_status=old,
        actor=actor,
        now=now,
        data={"location": loc.code, "lines": {str(line.id): qty for line, qty, _i in parsed}, **units},
    )
    return_notify(rr, "return_received")
    _after_trigger(rr, actor, now)
    return rr


def _add_received(parsed: list[tuple[ReturnLine, int, int]]) -> None:
    """Add the units counted to their lines in one update, however many lines the parcel has."""
    added: dict[int, int] = {}
    for line, qty, _i in parsed:
        added[line.pk] = added.get(line.pk, 0) + qty
    cases = [When(pk=pk, then=Value(qty)) for pk, qty in added.items() if qty]
    if cases:
        ReturnLine.objects.filter(pk__in=added).update(
            received_quantity=F("received_quantity")
            + Case(*cases, default=Value(0), output_field=IntegerField())
        )


def _location(rr: ReturnRequest, code: str | None) -> Location:
    if not code:
        return rr.location or Location.objects.get(store_id=rr.store_id, is_default=True)
    loc = Location.objects.filter(store_id=rr.store_id, code=code).first()
    if loc is None:
        raise ValidationFailed(
            _("Unknown location."),
            errors=[
                line_error(["location"], "unknown_location", _("No location has this code in the store."))
            ],
        )
    return loc


# Roles whose members handle returns and their messages (warehouse and partners do not).
ASSIGNABLE_ROLES = ("admin", "agent")


@transaction.atomic
def return_assign(
    *, return_request: ReturnRequest, actor: Actor, assignee: Any, now: datetime | None = None
) -> ReturnRequest:
    """Give the return (and its messages) to an agent or store admin of its store, or to nobody
    (``assignee=None``). The change is an audit event; assigning the same person again is a no-op.
    """
    from retour.stores.models import StoreMembership

    now = now or clock.now()
    rr = return_lock(return_request)
    if (
        assignee is not None
        and not StoreMembership.objects.filter(
            store_id=rr.store_id, user_id=assignee.pk, role__in=ASSIGNABLE_ROLES, user__is_active=True
        ).exists()
    ):
        raise ValidationFailed(
            _("This person cannot be given the return."),
            errors=[
                line_error(
                    ["assignee"],
                    "invalid_assignee",
                    _("Choose an agent or an administrator of the return's store."),
                )
            ],
        )
    new_id = assignee.pk if assignee is not None else None
    if rr.assignee_id == new_id:
        return rr
    ReturnRequest.objects.filter(pk=rr.pk).update(assignee_id=new_id)
    rr.assignee_id = new_id
    return_event_add(
        rr,
        action="assigned",
        from_status=rr.status,
        actor=actor,
        now=now,
        data={"assignee": assignee.get_username() if assignee is not None else ""},
    )
    return rr


@transaction.atomic
def return_inspect(
    *, return_request: ReturnRequest, actor: Actor, entries: list[dict[str, Any]], now: datetime | None = None
) -> ReturnRequest:
    """Grade received units: condition, disposition, accepted or not, and any deduction.
    Restocked units go into the location's stock (L5)."""
    from retour.catalog.models import StockMovement

    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("inspect", rr)
    parsed = _parse_quantities(rr, entries)
    graded = {
        ln.id: sum(i.quantity for i in ln.inspections.all())
        for ln in rr.lines.prefetch_related("inspections")
    }
    errors = []
    for line, qty, i in parsed:
        entry = entries[i]
        errors += _inspection_errors(entry, i, qty)
        errors += _seal_correction_errors(line, entry, i)
        graded[line.id] += qty
        if graded[line.id] > line.received_quantity:
            errors.append(
                line_error(
                    ["lines", i, "quantity"],
                    "quantity_exceeds_received",
                    _("More units graded than were received for this line."),
                )
            )
    if errors:
        codes = {e["code"] for e in errors}
        raise (QuantityExceedsReceived if codes == {"quantity_exceeds_received"} else ValidationFailed)(
            errors=errors
        )
    location = rr.location or Location.objects.get(store_id=rr.store_id, is_default=True)
    seal_corrections = []
    for line, qty, i in parsed:
        entry = entries[i]
        accepted = bool(entry["accepted"])
        if entry.get("seal_opened") is not None and entry["seal_opened"] != line.seal_opened:
            # The shopper's answer corrected by what the parcel shows; the reason is kept.
            seal_corrections.append(
                {
                    "line_id": line.pk,
                    "from": line.seal_opened,
                    "to": entry["seal_opened"],
                    "reason": entry.get("note", ""),
                }
            )
            ReturnLine.objects.filter(pk=line.pk).update(seal_opened=entry["seal_opened"])
            line.seal_opened = entry["seal_opened"]
        Inspection.objects.create(
            return_line=line,
            quantity=qty,
            condition=entry["condition"],
            disposition=entry["disposition"],
            accepted=accepted,
            deduction=_money(entry.get("deduction"), rr),
            note=str(entry.get("note") or "")[:2000],
            location=location,
            created_at=now,
        )
        if accepted:
            ReturnLine.objects.filter(pk=line.pk).update(accepted_quantity=F("accepted_quantity") + qty)
        if entry["disposition"] == Disposition.RESTOCK and qty:
            StockMovement.objects.create(
                store_id=rr.store_id,
                location=location,
                sku=line.order_line.sku,
                quantity=qty,
                reason=StockMovement.Reason.RETURN_RESTOCK,
                return_line=line,
            )
    return_event_add(
        rr,
        action="inspected",
        from_status=rr.status,
        actor=actor,
        now=now,
        data={
            "entries": [
                {k: (str(v) if k == "deduction" else v) for k, v in entries[i].items()}
                for _l, _q, i in parsed
            ],
            **({"seal_corrections": seal_corrections} if seal_corrections else {}),
        },
    )
    _after_trigger(rr, actor, now)
    return rr


def _seal_correction_errors(line: ReturnLine, entry: dict[str, Any], i: int) -> list[dict[str, Any]]:
    """Correcting the shopper's seal answer needs a yes/no and the reason, in the note."""
    value = entry.get("seal_opened")
    if value is None or value == line.seal_opened:
        return []
    if not isinstance(value, bool):
        return [
            line_error(["lines", i, "seal_opened"], "invalid_value", _("Say whether the seal was opened."))
        ]
    if not str(entry.get("note") or "").strip():
        return [
            line_error(
                ["lines", i, "note"], "invalid_value", _("Say in the note why the seal answer is corrected.")
            )
        ]
    return []


def _inspection_errors(entry: dict[str, Any], i: int, qty: int) -> list[dict[str, Any]]:
    errors = []
    if entry.get("condition") not in Condition.values:
        errors.append(line_error(["lines", i, "condition"], "invalid_value", _("Unknown condition.")))
    if entry.get("disposition") not in Disposition.values:
        errors.append(line_error(["lines", i, "disposition"], "invalid_value", _("Unknown disposition.")))
    if not isinstance(entry.get("accepted"), bool):
        errors.append(
            line_error(["lines", i, "accepted"], "invalid_value", _("Say whether the units are accepted."))
        )
    if qty < 1:
        errors.append(line_error(["lines", i, "quantity"], "invalid_quantity", _("Grade at least one unit.")))
    try:
        if _money_raw(entry.get("deduction")) < 0:
            raise ValueError
    except (ValueError, ArithmeticError):
        errors.append(
            line_error(["lines", i, "deduction"], "invalid_value", _("The deduction must be an amount ≥ 0."))
        )
    return errors


def _money_raw(value: Any):  # noqa: ANN202
    from decimal import Decimal

    return Decimal(str(value if value not in (None, "") else "0"))


def _money(value: Any, rr: ReturnRequest):  # noqa: ANN202
    from retour.core.money import quantize

    return quantize(_money_raw(value), rr.order.currency)


@transaction.atomic
def return_close(
    *, return_request: ReturnRequest, actor: Actor, note: str = "", now: datetime | None = None
) -> ReturnRequest:
    """Complete a received return once every line is resolved: all received units graded and
    nothing left to refund."""
    now = now or clock.now()
    rr = return_lock(return_request)
    transition_check("close", rr)
    problem = _unresolved(rr)
    if problem:
        raise InvalidTransition(problem)
    return _complete(rr, actor, now, note=note)


def _unresolved(rr: ReturnRequest) -> Any:
    from retour.returns.money import return_money

    for line in ReturnLine.objects.filter(return_request=rr).prefetch_related("inspections"):
        if sum(i.quantity for i in line.inspections.all()) < line.received_quantity:
            return _("Some received units have not been inspected yet.")
    if rr.refunds.filter(status="pending").exists():  # type: ignore[attr-defined]
        return _("A refund is still pending at the payment provider.")
    fresh = ReturnRequest.objects.select_related("store", "order").get(pk=rr.pk)
    if (
        rr.resolution not in (Resolution.EXCHANGE, *NO_MONEY_RESOLUTIONS)
        and return_money(fresh).refundable > 0
    ):
        return _("Money is still to be refunded for this return.")
    return None


def _complete(rr: ReturnRequest, actor: Actor, now: datetime, note: str = "") -> ReturnRequest:
    old = _move(rr, "close", closed_at=now)
    return_event_add(
        rr, action="completed", from_status=old, actor=actor, now=now, data={"note": note} if note else {}
    )
    return rr


def return_maybe_complete(rr: ReturnRequest, actor: Actor, now: datetime) -> None:
    """received → completed by itself once all approved units arrived, were graded and paid."""
    # The caller's copy may be stale: a refund issued on the way may have completed it already.
    rr.status, rr.keep_it_rule = (
        ReturnRequest.objects.filter(pk=rr.pk).values_list("status", "keep_it_rule").get()
    )
    if rr.status == Status.APPROVED and rr.keep_it_rule:  # nothing to receive: done once paid
        if _unresolved(rr) is None:
            old = _move(rr, "keep_it_close", closed_at=now)
            return_event_add(rr, action="completed", from_status=old, actor=Actor.system("keep it"), now=now)
        return
    if rr.status != Status.RECEIVED:
        return
    lines = list(ReturnLine.objects.filter(return_request=rr))
    if any(ln.received_quantity < ln.approved_quantity for ln in lines):
        return
    if _unresolved(rr) is None:
        _complete(rr, Actor.system("all lines resolved"), now)


# What runs, inside the action, when a return reaches its refund trigger. Resolutions register
# the automatic store credit here (their AppConfig.ready): they build on returns, and returns
# never import them. A plain list of functions called in order, not a signal: the caller waits
# for each, in its transaction, and an exception aborts the action.
REFUND_TRIGGER_HANDLERS: list[Callable[..., Any]] = []


def on_refund_trigger(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``handler(return_request=…, now=…)`` to run when a return reaches its trigger."""
    if handler not in REFUND_TRIGGER_HANDLERS:
        REFUND_TRIGGER_HANDLERS.append(handler)
    return handler


# What runs, inside the approval, once a return qualifies for keep-it (retour.returns.keep_it):
# resolutions register the refund of a refund resolution here (their AppConfig.ready), for the
# same reason as the refund trigger's handlers above.
KEEP_IT_HANDLERS: list[Callable[..., Any]] = []


def on_keep_it(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``handler(return_request=…, now=…)`` to run when a return is approved as keep-it."""
    if handler not in KEEP_IT_HANDLERS:
        KEEP_IT_HANDLERS.append(handler)
    return handler


def _after_trigger(rr: ReturnRequest, actor: Actor, now: datetime) -> None:
    """When the refund trigger is reached, a store-credit resolution is credited at once
    (by the handlers resolutions register), then the return completes if nothing is left."""
    for handler in REFUND_TRIGGER_HANDLERS:
        handler(return_request=rr, now=now)
    return_maybe_complete(rr, actor, now)
    rr.refresh_from_db()


def return_expire_due(*, now: datetime | None = None, store: Store | None = None) -> int:
    """Expire approved returns not shipped before their approval lapsed (of one store, or of
    all); their units become returnable again. Each return in its own short transaction, so
    one row's lock or failure never holds up the rest."""
    now = now or clock.now()
    count = 0
    due = ReturnRequest.objects.filter(status=Status.APPROVED, expires_at__lt=now, received_at__isnull=True)
    if store is not None:
        due = due.filter(store=store)
    for rr in list(due.select_related("store", "order")[:500]):
        with transaction.atomic():
            rr = return_lock(rr)
            if rr.status != Status.APPROVED:  # shipped or cancelled meanwhile
                continue
            old = _move(rr, "expire", closed_at=now)
            return_event_add(rr, action="expired", from_status=old, actor=Actor.system("expiry"), now=now)
            count += 1
    return count


@transaction.atomic
def return_note_add(
    *, return_request: ReturnRequest, actor: Actor, note: str, now: datetime | None = None
) -> ReturnRequest:
    """An internal note on the return's audit trail (never shown to the customer)."""
    now = now or clock.now()
    text = (note or "").strip()
    if not text:
        raise ValidationFailed(
            _("Write the note first."),
            errors=[line_error(["note"], "required", _("The note is empty."))],
        )
    rr = return_lock(return_request)
    return_event_add(
        rr, action="note_added", from_status=rr.status, actor=actor, now=now, data={"note": text[:2000]}
    )
    return rr


def return_receive_all(
    *, return_request: ReturnRequest, actor: Actor, location: str | None = None, now: datetime | None = None
) -> ReturnRequest:
    """Receive every approved unit not received yet (the bulk "receive all" of the staff lists)."""
    lines = [
        {"id": ln.id, "quantity": ln.approved_quantity - ln.received_quantity}
        for ln in ReturnLine.objects.filter(return_request=return_request)
        if ln.approved_quantity > ln.received_quantity
    ]
    return return_receive(return_request=return_request, actor=actor, lines=lines, location=location, now=now)
