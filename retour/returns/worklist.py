"""The staff work list: queues, filters, search, sorting and SLA state of returns.

Reads only. Every function takes the viewer's scope (store, and location for a partner) and
gives a queryset whose rows carry what a list shows (units, ungraded units, unread messages)
as annotations, so that a page of any length costs the same number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from retour.core import clock
from retour.returns.models import Inspection, ReturnLine, ReturnRequest, SlaStage, SlaTarget, Status
from retour.returns.selectors import _base, returns_to_refund_ids
from retour.stores.models import Location, Store

LIVE = (Status.REQUESTED, Status.APPROVED, Status.IN_TRANSIT, Status.RECEIVED)

# Used when a store has not set its own target for a stage.
DEFAULT_SLA_HOURS = {
    SlaStage.REVIEW: 24,
    SlaStage.PARCEL: 14 * 24,
    SlaStage.INSPECT: 48,
    SlaStage.REFUND: 72,
}

QUEUES = ("review", "awaiting_parcel", "in_transit", "to_inspect", "to_refund", "overdue")

SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "due": ("refund_due_by", "expires_at", "created_at"),
    "number": ("number",),
}


@dataclass
class WorklistFilters:
    queue: str = ""
    status: str = ""
    reason: str = ""
    channel: str = ""
    location: str = ""
    country: str = ""
    created_from: date | None = None
    created_to: date | None = None
    assignee: str = ""  # a user id, "me" or "none"
    q: str = ""
    sort: str = "newest"


@dataclass(frozen=True)
class SlaState:
    stage: str
    since: datetime
    target_hours: int
    late: bool


def sla_targets(*, store: Store) -> dict[str, int]:
    """Hours allowed per stage: the store's targets over the defaults."""
    targets = {str(k): v for k, v in DEFAULT_SLA_HOURS.items()}
    targets.update(dict(SlaTarget.objects.filter(store=store).values_list("stage", "hours")))
    return targets


def _units(field: str) -> Subquery:
    return Subquery(
        ReturnLine.objects.filter(return_request=OuterRef("pk"))
        .values("return_request")
        .annotate(total=Sum(field))
        .values("total"),
        output_field=IntegerField(),
    )


def _annotated(qs: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    from retour.helpdesk.models import Message

    graded = Subquery(
        Inspection.objects.filter(return_line__return_request=OuterRef("pk"))
        .values("return_line__return_request")
        .annotate(total=Sum("quantity"))
        .values("total"),
        output_field=IntegerField(),
    )
    unread = Subquery(
        Message.objects.filter(return_request=OuterRef("pk"), author_type="customer", read_at__isnull=True)
        .values("return_request")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    zero = Value(0, output_field=IntegerField())
    return qs.select_related("assignee").annotate(
        units=Coalesce(_units("quantity"), zero),
        received_units=Coalesce(_units("received_quantity"), zero),
        graded_units=Coalesce(graded, zero),
        unread_messages=Coalesce(unread, zero),
    )


def _late_q(targets: dict[str, int], now: datetime, to_refund: list[int]) -> Q:
    def before(stage: str) -> datetime:
        return now - timedelta(hours=targets[stage])

    return (
        Q(status=Status.REQUESTED, created_at__lt=before(SlaStage.REVIEW))
        | Q(status__in=(Status.APPROVED, Status.IN_TRANSIT), approved_at__lt=before(SlaStage.PARCEL))
        | Q(
            status=Status.RECEIVED,
            received_at__lt=before(SlaStage.INSPECT),
            received_units__gt=F("graded_units"),
        )
        | Q(pk__in=to_refund, received_at__lt=before(SlaStage.REFUND))
    )


def queue_q(queue: str, *, now: datetime, targets: dict[str, int], to_refund: list[int]) -> Q:
    """The condition of one queue (on a queryset annotated by ``_annotated``)."""
    today = now.date()
    if queue == "review":
        return Q(status=Status.REQUESTED)
    if queue == "awaiting_parcel":
        return Q(status=Status.APPROVED)
    if queue == "in_transit":
        return Q(status=Status.IN_TRANSIT)
    if queue == "to_inspect":
        return Q(status=Status.RECEIVED, received_units__gt=F("graded_units"))
    if queue == "to_refund":
        return Q(pk__in=to_refund)
    if queue == "overdue":
        overdue_refund = Q(pk__in=to_refund, refund_due_by__lt=today)
        return Q(status__in=LIVE) & (overdue_refund | _late_q(targets, now, to_refund))
    return Q()


QUEUE_ORDER = {
    "awaiting_parcel": ("expires_at", "id"),
    "to_refund": ("refund_due_by", "created_at"),
    "overdue": ("refund_due_by", "created_at"),
    "review": ("created_at", "id"),
    "to_inspect": ("received_at", "id"),
}


@dataclass
class Worklist:
    returns: QuerySet[ReturnRequest]
    counts: dict[str, int]
    targets: dict[str, int]
    now: datetime
    to_refund: set[int]


def worklist(
    *,
    store: Store,
    location: Location | None = None,
    filters: WorklistFilters,
    viewer_id: int | None = None,
    search_customer_data: bool = True,
    now: datetime | None = None,
) -> Worklist:
    """The returns a viewer sees, filtered, searched and sorted, with the count of each queue.
    ``search_customer_data=False`` for roles that may not look people up by email."""
    now = now or clock.now()
    targets = sla_targets(store=store)
    scope = _annotated(_base(store, location))
    # never empty: an empty IN () would make Django skip the whole count query, answering 0s
    to_refund = returns_to_refund_ids(store=store) or [0]
    counts = scope.aggregate(
        **{
            queue: Count("pk", filter=queue_q(queue, now=now, targets=targets, to_refund=to_refund))
            for queue in QUEUES
        }
    )
    qs = scope
    if filters.queue in QUEUES:
        qs = qs.filter(queue_q(filters.queue, now=now, targets=targets, to_refund=to_refund))
    qs = _filtered(qs, filters, viewer_id)
    if filters.q.strip():
        qs = qs.filter(_search_q(filters.q.strip(), search_customer_data))
    order = SORTS.get(filters.sort) or QUEUE_ORDER.get(filters.queue) or SORTS["newest"]
    return Worklist(
        returns=qs.order_by(*order), counts=counts, targets=targets, now=now, to_refund=set(to_refund)
    )


def _filtered(
    qs: QuerySet[ReturnRequest], f: WorklistFilters, viewer_id: int | None
) -> QuerySet[ReturnRequest]:
    if f.status:
        qs = qs.filter(status__in=f.status.split(","))
    if f.reason:
        qs = qs.filter(pk__in=ReturnLine.objects.filter(reason=f.reason).values("return_request_id"))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.location:
        qs = qs.filter(location__code=f.location)
    if f.country:
        qs = qs.filter(order__ship_country=f.country.upper())
    if f.created_from:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__date__lte=f.created_to)
    if f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee == "me" and viewer_id:
        qs = qs.filter(assignee_id=viewer_id)
    elif f.assignee.isdigit():
        qs = qs.filter(assignee_id=int(f.assignee))
    return qs


def _search_q(text: str, customer_data: bool) -> Q:
    """Return number, order number, tracking number, SKU; and email and name for the roles
    that may see customers."""
    skus = ReturnLine.objects.filter(order_line__sku__iexact=text).values("return_request_id")
    q = (
        Q(number__icontains=text)
        | Q(order__number__icontains=text)
        | Q(tracking_number__iexact=text)
        | Q(pk__in=skus)
    )
    if customer_data:
        q |= Q(customer__email__iexact=text) | Q(customer__name__icontains=text)
    return q


def sla_state(
    rr: ReturnRequest, *, targets: dict[str, int], now: datetime, to_refund: bool = False
) -> SlaState | None:
    """Which stage the return waits in, since when, and whether it is late (no query)."""
    stage, since = _stage(rr, to_refund)
    if stage is None or since is None:
        return None
    hours = targets.get(stage, DEFAULT_SLA_HOURS.get(SlaStage(stage), 0))
    return SlaState(stage=stage, since=since, target_hours=hours, late=now - since > timedelta(hours=hours))


def _stage(rr: ReturnRequest, to_refund: bool) -> tuple[str | None, datetime | None]:
    if rr.status == Status.REQUESTED:
        return SlaStage.REVIEW, rr.created_at
    if rr.status in (Status.APPROVED, Status.IN_TRANSIT):
        return SlaStage.PARCEL, rr.approved_at
    if rr.status == Status.RECEIVED:
        received = getattr(rr, "received_units", 0)
        graded = getattr(rr, "graded_units", 0)
        if received > graded:
            return SlaStage.INSPECT, rr.received_at
        if to_refund:
            return SlaStage.REFUND, rr.received_at
    return None, None


def refund_due_overdue(rr: ReturnRequest, today: date) -> bool:
    return rr.status in LIVE and rr.refund_due_by is not None and rr.refund_due_by < today


def row_facts(
    rr: ReturnRequest, *, targets: dict[str, int], now: datetime, to_refund: set[int]
) -> dict[str, Any]:
    """What a list row shows beyond the fields: SLA state and lateness (no query)."""
    sla = sla_state(rr, targets=targets, now=now, to_refund=rr.pk in to_refund)
    return {"sla": sla, "late": bool(sla and sla.late) or refund_due_overdue(rr, now.date())}
