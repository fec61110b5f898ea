"""What a return is worth: fees, deductions, the estimate and what is still refundable.

Pure over a return whose lines, order lines, inspections and refunds are loaded; the
numbers of api-v1.md ("refundable") and scenarios M1–M5 come from here alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from retour.core.money import ZERO, percent_of, quantize
from retour.orders.models import OrderLine
from retour.policies.models import NO_MONEY_RESOLUTIONS, Policy, RefundTrigger, Resolution

if TYPE_CHECKING:
    from retour.returns.models import ReturnLine, ReturnRequest

# Reasons that are the seller's fault never pay return fees (api-v1.md, "Reference data").
DEFAULT_SELLER_FAULT = frozenset({"not_as_described", "defective", "damaged_in_transit", "wrong_item"})


@dataclass(frozen=True)
class MoneyContext:
    """What return_money needs from the store: loaded once for a whole list."""

    policy: Policy
    seller_fault: frozenset[str]


@dataclass
class ReturnMoney:
    currency: str
    fees: list[dict[str, Any]] = field(default_factory=list)
    estimated_refund: Decimal = ZERO
    estimated_credit_bonus: Decimal = ZERO
    refundable: Decimal = ZERO
    refunded_total: Decimal = ZERO
    deductions: Decimal = ZERO
    shipping_refund: Decimal = ZERO
    counted_value: Decimal = ZERO


def money_context(store) -> MoneyContext:  # noqa: ANN001
    from retour.policies.catalogue import reason_catalogue

    policy = Policy.objects.get(store_id=store.pk)  # fresh: a store object's cached policy may be stale
    codes = reason_catalogue(policy).seller_fault  # cached per process while the settings hold
    return MoneyContext(policy=policy, seller_fault=frozenset(codes | DEFAULT_SELLER_FAULT))


def units_value(line: OrderLine, units: int, currency: str) -> Decimal:
    """What ``units`` of a line cost the customer (M3), rounded down so that the parts of a
    line refunded across several returns never add up to more than was paid."""
    if units <= 0:
        return ZERO
    if units >= line.quantity:
        return quantize(line.paid_total, currency)
    exact = line.paid_total * units / line.quantity
    return floor_amount(exact, currency)


def floor_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded down to the currency's unit: shares never add up to more than the whole."""
    return amount.quantize(quantize(Decimal("1"), currency), rounding=ROUND_DOWN)


def counted_units(line: ReturnLine, rr: ReturnRequest, trigger: str) -> int:
    """Units of a line the policy's refund trigger lets count towards the refund."""
    if rr.keep_it_rule:  # refunded without the items coming back
        return line.approved_quantity
    if trigger == RefundTrigger.ON_INSPECTION:
        return line.accepted_quantity
    if trigger == RefundTrigger.ON_RECEIPT:
        return line.received_quantity
    if trigger == RefundTrigger.ON_SHIPMENT:
        shipped = rr.shipped_at is not None or rr.received_at is not None
        return line.approved_quantity if shipped else 0
    # on_approval, manual: the approved units (manual only decides *when*, not how much)
    return line.approved_quantity


def estimate_units(line: ReturnLine, rr: ReturnRequest) -> int:
    """Units the shopper can expect money for: requested, then approved, then accepted."""
    from retour.returns.models import Status

    if rr.status == Status.REQUESTED:
        return line.quantity
    if any(True for _ in line.inspections.all()) and line.received_quantity >= line.approved_quantity:
        return line.accepted_quantity
    return line.approved_quantity


def compute_fees(rr: ReturnRequest, basis: dict[int, int], ctx: MoneyContext) -> list[dict[str, Any]]:
    """Restocking fee (% of the value of non-seller-fault units returned under the policy alone)
    and the flat return-shipping fee (once, when any non-seller-fault unit comes back; under a
    statutory withdrawal only if the policy announces that the customer bears return costs)."""
    if rr.keep_it_rule:  # nothing is shipped back nor restocked
        return []
    currency = rr.order.currency
    policy = ctx.policy
    restock_base = ZERO
    ship_fee_due = False
    for line in rr.lines.all():
        units = basis.get(line.id, 0)
        if units <= 0 or line.reason in ctx.seller_fault or line.right == "guarantee":
            continue
        if line.right == "withdrawal":
            ship_fee_due = ship_fee_due or policy.return_costs_borne_by_customer
        else:
            restock_base += units_value(line.order_line, units, currency)
            ship_fee_due = True
    fees: list[dict[str, Any]] = []
    restocking = percent_of(restock_base, policy.restocking_fee_percent, currency)
    if restocking > 0:
        fees.append({"code": "restocking", "amount": restocking})
    if ship_fee_due and policy.return_shipping_fee > 0:
        fees.append({"code": "return_shipping", "amount": quantize(policy.return_shipping_fee, currency)})
    return fees


FEE_LABELS = {"restocking": _("Restocking fee"), "return_shipping": _("Return shipping")}


def fee_label(code: str) -> Any:
    """A fee's name for people, in the active language (the code is for the API)."""
    return FEE_LABELS.get(code, code)


def _value(rr: ReturnRequest, basis: dict[int, int]) -> Decimal:
    return sum(
        (units_value(ln.order_line, basis.get(ln.id, 0), rr.order.currency) for ln in rr.lines.all()), ZERO
    )


def _deductions(rr: ReturnRequest) -> Decimal:
    # No deduction for diminished value when the withdrawal information was not given (art. 14(2)).
    if rr.right == "withdrawal" and not rr.order.withdrawal_info_given:
        return ZERO
    return sum((i.deduction for ln in rr.lines.all() for i in ln.inspections.all()), ZERO)


def return_money(rr: ReturnRequest, ctx: MoneyContext | None = None) -> ReturnMoney:
    """Fees, estimate, refunded and still-refundable amounts of a return."""
    ctx = ctx or getattr(rr, "_money_ctx", None) or money_context(rr.store)
    currency = rr.order.currency
    if rr.resolution in NO_MONEY_RESOLUTIONS:  # repaired or replaced: no money changes hands
        refunded = sum((r.amount for r in rr.refunds.all() if r.status != "failed"), ZERO)
        return ReturnMoney(currency=currency, refunded_total=quantize(refunded, currency))
    trigger = ctx.policy.refund_trigger
    refunded = sum((r.amount for r in rr.refunds.all() if r.status != "failed"), ZERO)
    deductions = quantize(_deductions(rr), currency)
    shipping = ZERO
    if rr.include_shipping_refund:  # returns made before delivery_refund was stored: the whole of it
        standard = quantize(min(rr.order.shipping_standard_amount, rr.order.shipping_amount), currency)
        shipping = quantize(rr.delivery_refund, currency) if rr.delivery_refund else standard

    counted = {ln.id: counted_units(ln, rr, trigger) for ln in rr.lines.all()}
    counted_value = _value(rr, counted)
    counted_fees = sum((f["amount"] for f in compute_fees(rr, counted, ctx)), ZERO)
    gross = counted_value - counted_fees - deductions + _shipping_part(rr, counted, shipping)
    refundable = max(gross - refunded, ZERO)
    if refundable > 0:  # the order-wide cap costs a query: only when there is money to cap
        refundable = min(refundable, _order_cap(rr, refunded))
    refundable = quantize(refundable, currency)

    estimate_basis = {ln.id: estimate_units(ln, rr) for ln in rr.lines.all()}
    fees = compute_fees(rr, estimate_basis, ctx)
    if counted_value > 0:  # once money counts, show the fees actually charged on it
        fees = compute_fees(rr, counted, ctx)
    est_value = _value(rr, estimate_basis)
    estimate = max(
        est_value
        - sum((f["amount"] for f in fees), ZERO)
        - deductions
        + _shipping_part(rr, estimate_basis, shipping),
        ZERO,
    )
    bonus = ZERO
    if rr.resolution == Resolution.STORE_CREDIT:
        bonus = percent_of(estimate, ctx.policy.store_credit_bonus_percent, currency)
    return ReturnMoney(
        currency=currency,
        fees=fees,
        estimated_refund=quantize(estimate, currency),
        estimated_credit_bonus=bonus,
        refundable=refundable,
        refunded_total=quantize(refunded, currency),
        deductions=deductions,
        shipping_refund=shipping,
        counted_value=counted_value,
    )


def _shipping_part(rr: ReturnRequest, basis: dict[int, int], shipping: Decimal) -> Decimal:
    """The delivery share counts in proportion to the value of the units that count (all of it
    once every unit does): units refused at inspection take their share with them."""
    if shipping <= 0:
        return ZERO
    if all(basis.get(ln.id, 0) >= ln.quantity for ln in rr.lines.all()):
        return shipping
    requested = _value(rr, {ln.id: ln.quantity for ln in rr.lines.all()})
    if requested <= 0:
        return ZERO
    return floor_amount(shipping * _value(rr, basis) / requested, rr.order.currency)


def _order_cap(rr: ReturnRequest, refunded_here: Decimal) -> Decimal:
    """Never refund more, over all the order's returns, than the customer paid for it."""
    order = rr.order
    paid = sum((ln.paid_total for ln in order.lines.all()), ZERO) + order.shipping_amount
    other = getattr(rr, "order_refunded_total", None)
    if other is None:
        other = order_refunded_total(order.pk)
    other_returns = Decimal(other) - refunded_here
    return max(paid - other_returns - refunded_here, ZERO)


def order_refunded_total(order_id: int) -> Decimal:
    """What the refunds of every return of the order add up to, failed ones left out. Read
    through the ``refunds`` relation: resolutions own the Refund model and build on returns,
    so returns never import them."""
    from django.db.models import Q, Sum

    from retour.returns.models import ReturnRequest

    total = ReturnRequest.objects.filter(order_id=order_id).aggregate(
        total=Sum("refunds__amount", filter=~Q(refunds__status="failed"))
    )["total"]
    return Decimal(total or ZERO)


@dataclass(frozen=True)
class RefundBreakdown:
    """What a refund is made of, as the withdrawal acknowledgement states it (art. 13, 14(1))."""

    items: Decimal  # what was paid for the items
    delivery: Decimal  # the standard delivery (or its share) refunded
    return_cost: Decimal  # the direct cost of return the consumer was told he bears
    other_fees: Decimal
    deductions: Decimal
    total: Decimal


def refund_breakdown(rr: ReturnRequest, money: ReturnMoney | None = None) -> RefundBreakdown:
    """The estimate of ``rr`` split into its parts."""
    money = money or return_money(rr)
    return_cost = sum((f["amount"] for f in money.fees if f["code"] == "return_shipping"), ZERO)
    other = sum((f["amount"] for f in money.fees if f["code"] != "return_shipping"), ZERO)
    items = money.estimated_refund + return_cost + other + money.deductions - money.shipping_refund
    return RefundBreakdown(
        items=max(items, ZERO),
        delivery=money.shipping_refund,
        return_cost=return_cost,
        other_fees=other,
        deductions=money.deductions,
        total=money.estimated_refund,
    )
