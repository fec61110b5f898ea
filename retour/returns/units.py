"""Receiving checks the serial numbers of returned units against the sale (issue 12, item 7).

``return_receive`` hands each receive entry's ``serial_numbers`` (one per unit scanned) and
``lot_number`` here. A serial that was not sold on the line, one already received in a return
of the store, and a unit without serial on a line sold with serials are *flagged*: recorded with
what was expected and what arrived, shown to staff on the return and in the API, written to the
audit event. Nothing is refused for it: staff decide at inspection. Only what cannot be a real
scan is refused (a malformed serial, the same serial twice, more serials than units).

The order's lines and the serials already received are read once per receipt, whatever the
number of lines, and the units written in one insert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from retour.core.errors import ValidationFailed, line_error
from retour.orders.models import OrderLine
from retour.orders.serials import lot_problem, serial_normalize, serial_problem
from retour.returns.models import ReceivedUnit, ReturnLine, ReturnRequest, SerialCheck
from retour.stores.models import Location

# A flag lists at most this many of the serials the line still expects: enough to recognise a
# swap, bounded for a line of thousands of units.
MAX_EXPECTED_SHOWN = 50


@dataclass
class _Entry:
    line: ReturnLine
    quantity: int
    index: int
    serials: list[str] = field(default_factory=list)
    lot: str = ""


def units_parse(parsed: list[tuple[ReturnLine, int, int]], entries: list[dict[str, Any]]) -> list[_Entry]:
    """The serials and lot of each receive entry, checked (422 ``validation_error`` with a code
    per field: ``invalid_serial_number``, ``invalid_lot_number``, ``duplicate_serial_number``,
    ``serial_numbers_exceed_quantity``)."""
    errors: list[dict[str, Any]] = []
    out: list[_Entry] = []
    seen: set[str] = set()
    for line, qty, i in parsed:
        raw = entries[i].get("serial_numbers") or []
        if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
            errors.append(
                line_error(
                    ["lines", i, "serial_numbers"],
                    "invalid_serial_number",
                    _("Give the serial numbers as a list of texts."),
                )
            )
            continue
        serials = [serial_normalize(s) for s in raw]
        lot = str(entries[i].get("lot_number") or "").strip()
        for j, serial in enumerate(serials):
            problem = serial_problem(serial)
            if problem:
                errors.append(line_error(["lines", i, "serial_numbers", j], *problem))
            elif serial in seen:
                errors.append(
                    line_error(
                        ["lines", i, "serial_numbers", j],
                        "duplicate_serial_number",
                        _("The serial number %(serial)s is scanned twice.") % {"serial": serial},
                    )
                )
            seen.add(serial)
        if len(serials) > qty:
            errors.append(
                line_error(
                    ["lines", i, "serial_numbers"],
                    "serial_numbers_exceed_quantity",
                    _("%(count)s serial numbers for %(quantity)s units: give at most one per unit.")
                    % {"count": len(serials), "quantity": qty},
                )
            )
        problem = lot_problem(lot)
        if problem:
            errors.append(line_error(["lines", i, "lot_number"], *problem))
        out.append(_Entry(line=line, quantity=qty, index=i, serials=serials, lot=lot))
    if errors:
        raise ValidationFailed(_("Some serial or lot numbers are not valid."), errors=errors)
    return out


def units_record(
    *, rr: ReturnRequest, entries: list[_Entry], location: Location, now: datetime
) -> dict[str, Any]:
    """Write the received units of ``entries`` with their check; the audit event's data about
    them (``units`` per line and the ``serial_flags``), empty when nothing identifies a unit."""
    sold = {
        pk: (ref, [serial_normalize(s) for s in serials or []])
        for pk, ref, serials in OrderLine.objects.filter(order_id=rr.order_id).values_list(
            "pk", "ref", "serial_numbers"
        )
    }
    if not any(e.serials or e.lot for e in entries) and not any(
        sold[e.line.order_line_id][1] for e in entries
    ):
        return {}
    sold_on = {serial: ref for ref, serials in sold.values() for serial in serials}
    wanted = {s for e in entries for s in e.serials} | {
        s for e in entries for s in sold[e.line.order_line_id][1]
    }
    earlier = _received_before(rr, wanted)
    taken = {s for e in entries for s in e.serials}  # arriving now: no longer expected
    units: list[ReceivedUnit] = []
    for entry in entries:
        ref, line_sold = sold[entry.line.order_line_id]
        expected = [s for s in line_sold if s not in earlier and s not in taken][:MAX_EXPECTED_SHOWN]

        def unit(entry: _Entry = entry, **fields: Any) -> ReceivedUnit:
            return ReceivedUnit(
                store_id=rr.store_id,
                return_line=entry.line,
                lot_number=entry.lot,
                location=location,
                received_at=now,
                **fields,
            )

        for serial in entry.serials:
            check, extra = _check(serial, line_sold, ref, sold_on, earlier)
            flagged = check in (SerialCheck.NOT_SOLD, SerialCheck.ALREADY_RECEIVED)
            units.append(
                unit(serial_number=serial, serial_check=check, expected=expected if flagged else [], **extra)
            )
        left = entry.quantity - len(entry.serials)
        if left and line_sold:
            units.append(unit(quantity=left, serial_check=SerialCheck.MISSING, expected=expected))
        elif left and entry.lot:
            units.append(unit(quantity=left, serial_check=SerialCheck.NOT_RECORDED))
    ReceivedUnit.objects.bulk_create(units)
    return _event_data(units, earlier)


def _received_before(rr: ReturnRequest, serials: set[str]) -> dict[str, tuple[int, str]]:
    """serial → (return id, return number) of the store's returns that already received it."""
    if not serials:
        return {}
    rows = ReceivedUnit.objects.filter(store_id=rr.store_id, serial_number__in=serials).values_list(
        "serial_number", "return_line__return_request_id", "return_line__return_request__number"
    )
    return {serial: (rid, number) for serial, rid, number in rows}


def _check(
    serial: str,
    line_sold: list[str],
    ref: str,
    sold_on: dict[str, str],
    earlier: dict[str, tuple[int, str]],
) -> tuple[str, dict[str, Any]]:
    if serial in earlier:
        return SerialCheck.ALREADY_RECEIVED, {"earlier_return_id": earlier[serial][0]}
    if serial in line_sold:
        return SerialCheck.MATCHED, {}
    other = sold_on.get(serial, "")
    if line_sold or other:
        return SerialCheck.NOT_SOLD, {"sold_on": other}
    return SerialCheck.NOT_RECORDED, {}


def _event_data(units: list[ReceivedUnit], earlier: dict[str, tuple[int, str]]) -> dict[str, Any]:
    numbers = {rid: number for rid, number in earlier.values()}
    per_line: dict[str, dict[str, Any]] = {}
    flags = []
    for u in units:
        entry = per_line.setdefault(str(u.return_line_id), {"serial_numbers": []})
        if u.serial_number:
            entry["serial_numbers"].append(u.serial_number)
        if u.lot_number:
            entry["lot_number"] = u.lot_number
        if u.flagged:
            flag: dict[str, Any] = {"line": u.return_line_id, "check": u.serial_check, "quantity": u.quantity}
            if u.serial_number:
                flag["serial_number"] = u.serial_number
            if u.expected:
                flag["expected"] = u.expected
            if u.sold_on:
                flag["sold_on"] = u.sold_on
            if u.earlier_return_id:
                flag["earlier_return"] = numbers.get(u.earlier_return_id, "")
            flags.append(flag)
    data: dict[str, Any] = {"units": per_line}
    if flags:
        data["serial_flags"] = flags
    return data
