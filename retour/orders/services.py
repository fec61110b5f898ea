"""Writes for orders: the one entry point that creates or updates an order (API and importers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Sum, When
from django.utils.translation import gettext_lazy as _

from retour.core.errors import ValidationFailed, line_error
from retour.core.money import quantize
from retour.orders.models import Customer, Order, OrderLine
from retour.orders.schemas import CustomerIn, OrderIn, OrderLineIn
from retour.stores.models import Store

# Return statuses whose units stay taken from the order: the complement of
# retour.returns.models.DEAD_STATUSES (orders may not import returns).
_DECIDED_RETURN_STATUSES = ("approved", "in_transit", "received", "completed")

_LINE_FIELDS = (
    "sku",
    "title",
    "quantity",
    "category",
    "tags",
    "final_sale",
    "returnable",
    "used",
    "image_url",
    "delivered_quantity",
    "delivered_at",
)


@transaction.atomic
def order_upsert(*, store: Store, data: OrderIn) -> tuple[Order, bool]:
    """Create the order, or update it when the store already has one with this ``number``.

    Lines are matched by ``ref``; lines missing from ``data`` are removed unless a return
    refers to them. A line may not drop below the units already in live returns, and the
    currency of an existing order cannot change. Returns ``(order, created)``.
    """
    customer = _customer_upsert(store=store, data=data.customer)
    fields = _order_fields(data=data, customer=customer)
    order = Order.objects.select_for_update().filter(store=store, number=data.number).first()
    created = False
    if order is None:
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    store=store, number=data.number, currency=data.currency, **fields
                )
                created = True
        except IntegrityError:  # created meanwhile by a concurrent request: update it
            order = Order.objects.select_for_update().get(store=store, number=data.number)
    if not created:
        if order.currency != data.currency:
            raise ValidationFailed(
                _("The currency of an order cannot change."),
                errors=[
                    line_error(
                        ["currency"],
                        "currency_mismatch",
                        _("This order is in %(currency)s.") % {"currency": order.currency},
                    )
                ],
            )
        for name, value in fields.items():
            setattr(order, name, value)
        order.save()
    _lines_sync(order=order, lines=data.lines, is_new=created)
    return order, created


def _customer_upsert(*, store: Store, data: CustomerIn) -> Customer:
    defaults = {"name": data.name, "phone": data.phone, "language": data.language or ""}
    customer, created = Customer.objects.get_or_create(store=store, email=data.email, defaults=defaults)
    if not created:
        changed = [name for name, value in defaults.items() if value and getattr(customer, name) != value]
        for name in changed:
            setattr(customer, name, defaults[name])
        if changed:
            customer.save(update_fields=changed)
    return customer


def _order_fields(*, data: OrderIn, customer: Customer) -> dict[str, Any]:
    address, shipping, currency = data.shipping_address, data.shipping, data.currency
    fields: dict[str, Any] = {
        "external_id": data.external_id,
        "channel": data.channel,
        "placed_at": data.placed_at,
        "is_business": data.is_business,
        "customer": customer,
        "delivered_at": data.delivered_at,
        "withdrawal_info_given": data.withdrawal_info_given,
        "withdrawal_info_given_on": data.withdrawal_info_given_on,
        "shipping_amount": quantize(shipping.amount if shipping else 0, currency),
        "shipping_standard_amount": quantize(shipping.standard_amount if shipping else 0, currency),
        "ship_name": address.name if address else "",
        "ship_line1": address.line1 if address else "",
        "ship_line2": address.line2 if address else "",
        "ship_city": address.city if address else "",
        "ship_postal_code": address.postal_code if address else "",
        "ship_country": (address.country or "") if address else "",
        "ship_subdivision": _subdivision(address) if address else "",
    }
    if data.payment is not None:  # a re-post without payment keeps the reference already known
        fields["payment_provider"] = data.payment.provider
        fields["payment_reference"] = data.payment.reference
    return fields


def _subdivision(address: Any) -> str:
    """As given, else derived from the postal code when that is unambiguous."""
    if address.subdivision:
        return address.subdivision
    if not (address.country and address.postal_code):
        return ""
    from retour.legal.engine import derive_subdivision

    return derive_subdivision(address.country, address.postal_code) or ""


def _line_values(line: OrderLineIn, *, position: int, currency: str) -> dict[str, Any]:
    values = {name: getattr(line, name) for name in _LINE_FIELDS}
    values.update(
        unit_price=quantize(line.unit_price, currency),
        discount=quantize(line.discount, currency),
        legal_exclusion=line.legal_exclusion or "",
        position=position,
    )
    # Omitted, they stay as known: a shop may post the order when it is placed and again,
    # with the serials, when it ships.
    if line.serial_numbers is not None:
        values["serial_numbers"] = line.serial_numbers
    if line.lot_number is not None:
        values["lot_number"] = line.lot_number
    return values


@dataclass(frozen=True)
class _ExistingLine:
    pk: int
    ref: str
    units_in_returns: int  # requested units, or approved ones once the return is decided
    has_returns: bool  # any return, even a dead one, refers to the line (it cannot be deleted)
    serial_numbers: list[str]


def _lines_sync(*, order: Order, lines: list[OrderLineIn], is_new: bool) -> None:
    existing = {} if is_new else _existing_lines(order)
    errors = []
    for index, line in enumerate(lines):
        current = existing.get(line.ref or "")
        if current is None or not current.units_in_returns:
            continue
        for field in ("quantity", "delivered_quantity"):
            if getattr(line, field) < current.units_in_returns:
                errors.append(
                    line_error(
                        ["lines", index, field],
                        "below_units_in_returns",
                        _("%(count)s units of this line are in returns.")
                        % {"count": current.units_in_returns},
                    )
                )
    wanted = {line.ref for line in lines}
    removed = [old for ref, old in existing.items() if ref not in wanted]
    for old in removed:
        if old.has_returns:
            errors.append(
                line_error(
                    ["lines"],
                    "line_in_return",
                    _("The line “%(ref)s” is in a return and cannot be removed.") % {"ref": old.ref},
                )
            )
    errors += _kept_serial_errors(lines, existing)
    if errors:
        raise ValidationFailed(_("The order was not changed."), errors=errors)
    if removed:
        OrderLine.objects.filter(pk__in=[old.pk for old in removed]).delete()
    new_lines = []
    for position, line in enumerate(lines):
        values = _line_values(line, position=position, currency=order.currency)
        current = existing.get(line.ref or "")
        if current is None:
            new_lines.append(OrderLine(order=order, ref=line.ref or line.sku, **values))
        else:
            OrderLine.objects.filter(pk=current.pk).update(**values)
    OrderLine.objects.bulk_create(new_lines)  # one INSERT for all the new lines


def _kept_serial_errors(lines: list[OrderLineIn], existing: dict[str, _ExistingLine]) -> list[dict[str, Any]]:
    """The serials a re-post keeps (it omitted them) must still fit: at most one per unit of the
    line's new quantity, and none also given on another line of the order."""
    kept = {
        index: existing[line.ref or ""].serial_numbers
        for index, line in enumerate(lines)
        if line.serial_numbers is None and (line.ref or "") in existing
    }
    if not any(kept.values()):
        return []
    errors = []
    seen: dict[str, int] = {}
    for index, line in enumerate(lines):
        serials = kept.get(index) if line.serial_numbers is None else line.serial_numbers
        for serial in serials or []:
            if serial in seen and seen[serial] != index:
                errors.append(
                    line_error(
                        ["lines", index, "serial_numbers"],
                        "duplicate_serial_number",
                        _("The serial number %(serial)s is already on another line of the order.")
                        % {"serial": serial},
                    )
                )
            seen.setdefault(serial, index)
        if index in kept and len(kept[index]) > line.quantity:
            errors.append(
                line_error(
                    ["lines", index, "quantity"],
                    "serial_numbers_exceed_quantity",
                    _("The line has %(count)s serial numbers: give them again for fewer units.")
                    % {"count": len(kept[index])},
                )
            )
    return errors


def _existing_lines(order: Order) -> dict[str, _ExistingLine]:
    """The order's lines by ref, with the units live returns hold, in one query."""
    units = Sum(
        Case(
            When(Q(return_lines__return_request__status="requested"), then="return_lines__quantity"),
            When(
                Q(return_lines__return_request__status__in=_DECIDED_RETURN_STATUSES),
                then="return_lines__approved_quantity",
            ),
            default=0,
            output_field=IntegerField(),
        )
    )
    rows = (
        OrderLine.objects.filter(order=order)
        .annotate(units=units, returns=Sum("return_lines__quantity"))
        .values_list("pk", "ref", "units", "returns")
    )
    serials = dict(OrderLine.objects.filter(order=order).values_list("ref", "serial_numbers"))
    return {
        ref: _ExistingLine(
            pk=pk,
            ref=ref,
            units_in_returns=held or 0,
            has_returns=returns is not None,
            serial_numbers=serials.get(ref) or [],
        )
        for pk, ref, held, returns in rows
    }
