"""Reads of returns, scoped to a store, with the query shape lists need (no query per row)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from retour.core.errors import NotFound
from retour.core.limits import MONEY_DECIMAL_PLACES, SUM_MAX_DIGITS
from retour.returns.models import Inspection, ReceivedUnit, ReturnEvent, ReturnLine, ReturnRequest
from retour.returns.money import MoneyContext, ReturnMoney, money_context, return_money
from retour.stores.models import Location, Store

__all__ = [
    "return_get",
    "return_list",
    "return_events",
    "return_money",
    "money_context",
    "returns_to_refund",
    "returns_to_refund_ids",
    "return_send_back_by",
    "routed_to",
    "return_serial_flags",
]


def routed_to(location: Location) -> Q:
    """The returns routed to ``location``: those sent there, and those not routed yet when it
    is the store's default location (where receiving puts them, see ``return_receive``).
    This is what a partner (a logistics provider tied to a location) may see."""
    if location.is_default:
        return Q(location=location) | Q(location__isnull=True)
    return Q(location=location)


class ReturnQuerySet(QuerySet):
    """Attaches the store's money context to every row once, so that ``return_money`` on a
    list costs no query per row."""

    money_ctx: MoneyContext | None = None

    def _clone(self):  # noqa: ANN202
        clone = super()._clone()
        clone.money_ctx = self.money_ctx
        return clone

    def _fetch_all(self) -> None:
        super()._fetch_all()
        if self.money_ctx is not None and self._result_cache:
            for row in self._result_cache:
                if isinstance(row, ReturnRequest):
                    row._money_ctx = self.money_ctx  # type: ignore[attr-defined]


def _base(store: Store, location: Location | None = None) -> ReturnQuerySet:
    # the refunds of every return of the order, through the ``refunds`` relation (resolutions
    # own the Refund model and build on returns: returns never import them)
    order_refunded = (
        ReturnRequest.objects.filter(order_id=OuterRef("order_id"))
        .values("order_id")
        .annotate(total=Sum("refunds__amount", filter=~Q(refunds__status="failed")))
        .values("total")
    )
    qs: ReturnQuerySet = ReturnQuerySet(model=ReturnRequest).filter(store=store)
    if location is not None:
        qs = qs.filter(routed_to(location))
    qs = qs.select_related("store", "store__policy", "order", "order__store", "customer", "location")
    qs = qs.prefetch_related(
        Prefetch(
            "lines",
            queryset=ReturnLine.objects.select_related("order_line").prefetch_related(
                Prefetch("inspections", queryset=Inspection.objects.select_related("location")),
                Prefetch(
                    "received_units",
                    queryset=ReceivedUnit.objects.select_related("location", "earlier_return"),
                ),
            ),
        ),
        "refunds",
        "refunds__credit_codes",
        "order__lines",
        "exchange_items",
    ).annotate(
        order_refunded_total=Coalesce(
            Subquery(
                order_refunded,
                output_field=DecimalField(max_digits=SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
            ),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=SUM_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
        )
    )
    qs.money_ctx = money_context(store)
    return qs


def return_get(*, store: Store, number: str, location: Location | None = None) -> ReturnRequest:
    """The return ``number`` of this store; NotFound for any other store's (and, for a viewer
    tied to a ``location``, for any return not routed there)."""
    rr = _base(store, location).filter(number=number).first()
    if rr is None:
        raise NotFound()
    return rr


def return_get_by_token(*, token: str) -> ReturnRequest:
    rr = ReturnRequest.objects.filter(token=token).select_related("store").first()
    if rr is None:
        raise NotFound()
    return _base(rr.store).get(pk=rr.pk)


def return_list(
    *,
    store: Store,
    status: str | None = None,
    order_number: str | None = None,
    customer_email: str | None = None,
    location: Location | None = None,
) -> QuerySet[ReturnRequest]:
    qs = _base(store, location)
    if status:
        qs = qs.filter(status__in=status.split(","))
    if order_number:
        qs = qs.filter(order__number=order_number)
    if customer_email:
        qs = qs.filter(customer__email=customer_email.lower())
    return qs.order_by("-created_at", "-id")


def return_serial_flags(*, return_request: ReturnRequest) -> int:
    """How many received units of the return are flagged by the serial check (one query)."""
    from retour.returns.models import FLAGGED_CHECKS

    total = ReceivedUnit.objects.filter(
        return_line__return_request=return_request, serial_check__in=FLAGGED_CHECKS
    ).aggregate(n=Sum("quantity"))["n"]
    return total or 0


def return_events(*, return_request: ReturnRequest) -> QuerySet[ReturnEvent]:
    return ReturnEvent.objects.filter(return_request=return_request).order_by("at", "id")


def returns_to_refund(*, store: Store) -> list[tuple[ReturnRequest, ReturnMoney]]:
    """The 'to refund' queue: live returns with money still refundable (the refund trigger
    reached), oldest first. Store-credit resolutions are credited by themselves and never wait
    here unless the trigger is manual."""
    rows = return_list(store=store, status="approved,in_transit,received").order_by("created_at", "id")
    pairs = [(rr, return_money(rr)) for rr in rows]
    return [(rr, m) for rr, m in pairs if m.refundable > 0]


def returns_to_refund_ids(*, store: Store) -> list[int]:
    return [rr.pk for rr, _money in returns_to_refund(store=store)]


def return_send_back_by(rr: ReturnRequest) -> date | None:
    """The last day to send the parcel. For a statutory withdrawal: 14 days after the statement
    (art. 14(1)), a consumer-facing period, so counted and rolled forward like the withdrawal
    period itself; otherwise the approval's validity (None before approval)."""
    from retour.core import clock
    from retour.legal import engine
    from retour.policies.eligibility import legal_refusal_handled

    tz = rr.store.time_zone
    if rr.right == "withdrawal":
        country = rr.order.ship_country or rr.store.country
        notice = clock.consumer_date(rr.created_at, country, tz)
        with legal_refusal_handled():
            result = engine.withdrawal(
                country=country,
                delivered_on=notice,
                subdivision=rr.order.ship_subdivision or None,
                postal_code=rr.order.ship_postal_code or None,
            )
        return result.ends_on if result.applies and result.ends_on else notice + timedelta(days=14)
    return clock.local_date(rr.expires_at, tz) if rr.expires_at else None


def return_find_by_code(*, store: Store, code: str, location: Location | None = None) -> ReturnRequest | None:
    """The return a scanned or typed code points at: its number (the slip's barcode and QR
    code), else the latest live return of an order number, else a tracking number. Only
    among the returns the viewer may see (store, and location for a partner)."""
    text = code.strip()
    if not text:
        return None
    qs = _base(store, location)
    found = qs.filter(number__iexact=text).first()
    if found is None:
        live = qs.exclude(status__in=("rejected", "cancelled", "expired", "completed"))
        found = (
            live.filter(order__number__iexact=text).order_by("-created_at").first()
            or live.filter(tracking_number__iexact=text).order_by("-created_at").first()
        )
    return found
