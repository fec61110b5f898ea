"""/api/v1/returns: create returns, read them, and move them through their lifecycle.

Each endpoint parses, checks the key's role, calls one service, then answers the return as
it is now (re-read through the selector, so the answer has the shape of GET).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import NinjaJSONEncoder

from retour.core.api import (
    api_actor,
    api_location,
    api_store,
    idempotent,
    paginate,
    require_role,
    sees_personal_data,
)
from retour.core.errors import Forbidden
from retour.core.logging import redact
from retour.core.money import money_str
from retour.orders.schemas import ReturnabilityOut
from retour.policies.eligibility import LineEligibility
from retour.returns.models import ReturnLine, ReturnRequest
from retour.returns.returnability import order_for_returnability, order_returnability
from retour.returns.schemas import (
    ApproveIn,
    EventList,
    InspectIn,
    NoteIn,
    ReceiveIn,
    RejectIn,
    ReturnFilters,
    ReturnIn,
    ReturnOut,
    ReturnPage,
    ShipIn,
)
from retour.returns.selectors import (
    return_events,
    return_get,
    return_list,
    return_money,
    returns_to_refund_ids,
)
from retour.returns.services import (
    ExchangeRequest,
    LineRequest,
    return_approve,
    return_cancel,
    return_close,
    return_create,
    return_inspect,
    return_receive,
    return_reject,
    return_ship,
)
from retour.stores.permissions import roles_for

router = Router(tags=["returns"])
# GET /orders/{number}/returnability: mounted at the root by retour.config.api
returnability_router = Router(tags=["orders"])

# The same role table as the staff pages (retour/stores/permissions.py).
READ = roles_for("return.view")
CREATE = roles_for("return.create")
APPROVE = roles_for("return.approve")
REJECT = roles_for("return.reject")
CANCEL = roles_for("return.cancel")
REFUND = roles_for("return.refund")
CLOSE = roles_for("return.close")
SHIP = roles_for("return.ship")
RECEIVE = roles_for("return.receive")
INSPECT = roles_for("return.inspect")


def return_act(
    request: HttpRequest, number: str, service: Callable[..., Any], *, status: int = 200, **kwargs: Any
) -> Any:
    """Run ``service(return_request=…, actor=…, **kwargs)`` on the store's return ``number``
    (idempotently) and answer the return as it is now. Public: the refunds endpoint of
    ``retour.resolutions.api`` acts on a return the same way."""
    store, actor, location = api_store(request), api_actor(request), api_location(request)

    def handler() -> tuple[int, Any]:
        rr = return_get(store=store, number=number, location=location)
        service(return_request=rr, actor=actor, **kwargs)
        return status, return_out(
            return_get(store=store, number=number, location=location), personal=sees_personal_data(request)
        )

    return idempotent(request, handler)


@router.post("", response={201: ReturnOut}, summary="Create a return")
def return_create_endpoint(request: HttpRequest, payload: ReturnIn) -> Any:
    """201 with the return; its status is `approved` at once when the policy auto-approves."""
    require_role(request, *CREATE)
    store, actor = api_store(request), api_actor(request)

    def handler() -> tuple[int, Any]:
        rr = return_create(
            store=store,
            order_number=payload.order_number,
            actor=actor,
            lines=[
                LineRequest(
                    line_id=ln.line_id,
                    quantity=ln.quantity,
                    reason=ln.reason,
                    comment=ln.comment,
                    seal_opened=ln.seal_opened,
                )
                for ln in payload.lines
            ],
            resolution=payload.resolution,
            channel=payload.channel,
            exchange_items=[
                ExchangeRequest(line_id=x.line_id, sku=x.sku, wish=x.wish, quantity=x.quantity)
                for x in payload.exchange_items
            ],
            override=payload.override,
            withdrawal_statement=payload.withdrawal_statement,
        )
        # A return just created comes back loaded (lines, money context): no need to read it again.
        loaded = getattr(rr, "_loaded_for_output", False)
        return 201, return_out(rr if loaded else return_get(store=store, number=rr.number))

    return idempotent(request, handler)


@router.get("", response=ReturnPage, summary="List returns, newest first")
def return_list_endpoint(request: HttpRequest, filters: Query[ReturnFilters]) -> dict[str, Any]:
    require_role(request, *READ)
    store = api_store(request)
    returns = return_list(
        store=store,
        status=filters.status.value if filters.status else None,
        order_number=filters.order_number or None,
        location=api_location(request),
    )
    if filters.to_refund:
        returns = returns.filter(pk__in=returns_to_refund_ids(store=store))
    page = paginate(returns, limit=filters.limit, cursor=filters.cursor)
    personal = sees_personal_data(request)
    return {
        "items": [return_out(rr, personal=personal) for rr in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/{number}", response=ReturnOut, summary="A return")
def return_detail_endpoint(request: HttpRequest, number: str) -> dict[str, Any]:
    require_role(request, *READ)
    return return_out(
        return_get(store=api_store(request), number=number, location=api_location(request)),
        personal=sees_personal_data(request),
    )


@router.get("/{number}/events", response=EventList, summary="The audit trail of a return, oldest first")
def return_events_endpoint(request: HttpRequest, number: str) -> dict[str, Any]:
    require_role(request, *READ)
    rr = return_get(store=api_store(request), number=number, location=api_location(request))
    personal = sees_personal_data(request)
    return {"items": [_event_out(event, personal=personal) for event in return_events(return_request=rr)]}


@router.post("/{number}/approve", response=ReturnOut, summary="Approve (all, or fewer units per line)")
def return_approve_endpoint(request: HttpRequest, number: str, payload: ApproveIn) -> Any:
    require_role(request, *APPROVE)
    lines = [line.model_dump() for line in payload.lines] if payload.lines is not None else None
    return return_act(request, number, return_approve, lines=lines, note=payload.note)


@router.post("/{number}/reject", response=ReturnOut, summary="Reject; the units become returnable again")
def return_reject_endpoint(request: HttpRequest, number: str, payload: RejectIn) -> Any:
    require_role(request, *REJECT)
    return return_act(request, number, return_reject, reason=payload.reason, note=payload.note)


@router.post("/{number}/cancel", response=ReturnOut, summary="Cancel before anything is received")
def return_cancel_endpoint(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    require_role(request, *CANCEL)
    return return_act(request, number, return_cancel, note=payload.note)


@router.post("/{number}/ship", response=ReturnOut, summary="The parcel is on its way")
def return_ship_endpoint(request: HttpRequest, number: str, payload: ShipIn) -> Any:
    require_role(request, *SHIP)
    return return_act(
        request, number, return_ship, carrier=payload.carrier, tracking_number=payload.tracking_number
    )


@router.post("/{number}/receive", response=ReturnOut, summary="Count the units that arrived")
def return_receive_endpoint(request: HttpRequest, number: str, payload: ReceiveIn) -> Any:
    require_role(request, *RECEIVE)
    lines = [line.model_dump() for line in payload.lines]
    own = api_location(request)
    if own is not None and payload.location not in (None, "", own.code):
        raise Forbidden(_("A partner receives at its own location only."))
    return return_act(
        request, number, return_receive, lines=lines, location=payload.location or (own and own.code)
    )


@router.post("/{number}/inspect", response=ReturnOut, summary="Grade received units")
def return_inspect_endpoint(request: HttpRequest, number: str, payload: InspectIn) -> Any:
    require_role(request, *INSPECT)
    entries = [
        {
            **entry.model_dump(exclude={"deduction", "condition", "disposition"}),
            "condition": entry.condition.value,
            "disposition": entry.disposition.value,
            **({"deduction": entry.deduction} if entry.deduction is not None else {}),
        }
        for entry in payload.lines
    ]
    return return_act(request, number, return_inspect, entries=entries)


@router.post("/{number}/close", response=ReturnOut, summary="Complete, once every line is resolved")
def return_close_endpoint(request: HttpRequest, number: str, payload: NoteIn) -> Any:
    require_role(request, *CLOSE)
    return return_act(request, number, return_close, note=payload.note)


# --- representation ------------------------------------------------------------------------------


def return_json(*, store: Any, number: str) -> dict[str, Any]:
    """The body of ``GET /returns/{number}`` as plain JSON values, read now (webhook payloads)."""
    out = ReturnOut.model_validate(return_out(return_get(store=store, number=number))).model_dump(
        by_alias=True
    )
    return json.loads(json.dumps(out, cls=NinjaJSONEncoder))


def return_out(rr: ReturnRequest, *, personal: bool = True) -> dict[str, Any]:
    """The API representation of a return loaded by ``return_get``/``return_list`` (no query).

    Without ``personal`` (a warehouse key) the customer's email and the status link are empty.
    """
    currency = rr.order.currency
    money = return_money(rr)
    return {
        "number": rr.number,
        "status": rr.status,
        "order_number": rr.order.number,
        "customer_email": rr.customer.email if personal else "",
        "channel": rr.channel,
        "resolution": rr.resolution,
        "right": rr.right,
        "override": rr.override,
        "currency": currency,
        "created_at": rr.created_at,
        "updated_at": rr.updated_at,
        "lines": [_line_out(line, currency) for line in rr.lines.all()],
        "exchange_items": [
            {"line_id": x.order_line_id, "sku": x.sku, "wish": x.wish, "quantity": x.quantity}
            for x in rr.exchange_items.all()
        ],
        "fees": [
            {"code": fee["code"], "amount": money_str(Decimal(str(fee["amount"])), currency)}
            for fee in money.fees
        ],
        "estimated_refund": money_str(money.estimated_refund, currency),
        "refunded_total": money_str(money.refunded_total, currency),
        "refundable": money_str(money.refundable, currency),
        "refund_due_by": rr.refund_due_by,
        "refunds": [
            {
                "id": refund.id,
                "amount": money_str(refund.amount, refund.currency),
                "method": refund.method,
                "status": refund.status,
                "provider": refund.provider or None,
                "provider_reference": refund.provider_reference or None,
                "credit_code": next((c.code for c in refund.credit_codes.all()), None),
                "created_at": refund.created_at,
                "succeeded_at": refund.succeeded_at,
                "failed_at": refund.failed_at,
                "failure_reason": refund.failure_reason or None,
            }
            for refund in rr.refunds.all()
        ],
        "keep_it_rule": rr.keep_it_rule or None,
        "carrier": rr.carrier,
        "tracking_number": rr.tracking_number,
        "location": rr.location.code if rr.location else None,
        "status_url": f"{settings.BASE_URL}/portal/r/{rr.token}" if personal else "",
    }


def _line_out(line: ReturnLine, currency: str) -> dict[str, Any]:
    return {
        "id": line.id,
        "line_id": line.order_line_id,
        "sku": line.order_line.sku,
        "title": line.order_line.title,
        "reason": line.reason,
        "comment": line.comment,
        "right": line.right,
        "seal_opened": line.seal_opened,
        "quantity": line.quantity,
        "approved_quantity": line.approved_quantity,
        "received_quantity": line.received_quantity,
        "accepted_quantity": line.accepted_quantity,
        "unit_refund": money_str(line.unit_refund, currency),
        "inspections": [
            {
                "id": i.id,
                "quantity": i.quantity,
                "condition": i.condition,
                "disposition": i.disposition,
                "accepted": i.accepted,
                "deduction": money_str(i.deduction, currency),
                "note": i.note,
                "location": i.location.code if i.location else None,
                "created_at": i.created_at,
            }
            for i in line.inspections.all()
        ],
        "units": [_unit_out(u) for u in line.received_units.all()],
        "serial_flags": sum(u.quantity for u in line.received_units.all() if u.flagged),
    }


def _unit_out(unit: Any) -> dict[str, Any]:
    return {
        "quantity": unit.quantity,
        "serial_number": unit.serial_number or None,
        "lot_number": unit.lot_number or None,
        "check": unit.serial_check,
        "flagged": unit.flagged,
        "expected": unit.expected or [],
        "sold_on": unit.sold_on or None,
        "earlier_return": unit.earlier_return.number if unit.earlier_return else None,
        "location": unit.location.code if unit.location else None,
        "received_at": unit.received_at,
    }


def _event_out(event: Any, *, personal: bool = True) -> dict[str, Any]:
    hide = not personal and event.actor_type == "customer"  # a customer actor is named by email
    return {
        "at": event.at,
        "action": event.action,
        "from_status": event.from_status or None,
        "to_status": event.to_status,
        "actor": {"type": event.actor_type, "name": "" if hide else event.actor_name},
        "data": event.data if personal else _without_emails(event.data),
    }


def _without_emails(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_emails(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_emails(v) for v in value]
    return redact(value) if isinstance(value, str) else value


# --- returnability -------------------------------------------------------------------------------


@returnability_router.get(
    "/orders/{number}/returnability",
    response=ReturnabilityOut,
    summary="What each line of an order allows to return",
)
def order_returnability_endpoint(request: HttpRequest, number: str) -> dict[str, Any]:
    """Per line: the units still returnable, the deadlines and, when not eligible, why."""
    require_role(request, *READ)
    store = api_store(request)
    order = order_for_returnability(store=store, number=number)
    lines = order_returnability(order=order, policy=store.policy, lines_loaded=True)  # read with the API key
    return {"order_number": order.number, "lines": [_line_eligibility_out(item) for item in lines]}


def _line_eligibility_out(item: LineEligibility) -> dict[str, Any]:
    line = item.line
    return {
        "line_id": line.id,
        "ref": line.ref,
        "sku": line.sku,
        "quantity": line.quantity,
        "delivered_quantity": item.delivered_quantity,
        "in_returns_quantity": item.in_returns_quantity,
        "returnable_quantity": item.returnable_quantity,
        "eligible": item.eligible,
        "deadline": item.deadline,
        "statutory_deadline": item.statutory_deadline,
        "policy_deadline": item.policy_deadline,
        "right": item.right,
        "reasons": [{"code": reason.code, "message": str(reason.message)} for reason in item.reasons],
    }
