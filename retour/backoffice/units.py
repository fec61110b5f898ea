"""Received units and their serial checks in words, in the reader's language. Wording only:
the checks are made by ``retour.returns.units`` at receiving."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retour.returns.models import FLAGGED_CHECKS, ReceivedUnit, SerialCheck


def _listed(serials: list[str]) -> str:
    return ", ".join(serials) if serials else _("none left to receive")


def unit_text(
    *,
    check: str,
    quantity: int = 1,
    serial: str = "",
    lot: str = "",
    expected: list[str] | None = None,
    sold_on: str = "",
    earlier_return: str = "",
) -> str:
    """One received unit (or a batch of them) as staff read it: what arrived and how it
    compares with the sale."""
    expected_text = _listed(expected or [])
    if check == SerialCheck.MATCHED:
        text = _("%(serial)s: sold on this line") % {"serial": serial}
    elif check == SerialCheck.NOT_SOLD and sold_on:
        text = _("%(serial)s was sold on another line of the order (%(ref)s), not on this one") % {
            "serial": serial,
            "ref": sold_on,
        }
    elif check == SerialCheck.NOT_SOLD:
        text = _("%(serial)s was not sold on this line (expected: %(expected)s)") % {
            "serial": serial,
            "expected": expected_text,
        }
    elif check == SerialCheck.ALREADY_RECEIVED:
        text = _("%(serial)s was already received in return %(number)s") % {
            "serial": serial,
            "number": earlier_return or "?",
        }
    elif check == SerialCheck.MISSING:
        text = ngettext(
            "%(n)s unit arrived without a serial number (expected: %(expected)s)",
            "%(n)s units arrived without a serial number (expected: %(expected)s)",
            quantity,
        ) % {"n": quantity, "expected": expected_text}
    elif serial:
        text = _("%(serial)s: no serial number was recorded at sale") % {"serial": serial}
    else:
        text = ngettext("%(n)s unit", "%(n)s units", quantity) % {"n": quantity}
    if lot:
        text = _("%(text)s, lot %(lot)s") % {"text": text, "lot": lot}
    return text


def received_unit_text(unit: ReceivedUnit) -> str:
    return unit_text(
        check=unit.serial_check,
        quantity=unit.quantity,
        serial=unit.serial_number,
        lot=unit.lot_number,
        expected=unit.expected,
        sold_on=unit.sold_on,
        earlier_return=unit.earlier_return.number if unit.earlier_return else "",
    )


def flag_text(flag: dict[str, Any]) -> str:
    """A ``serial_flags`` entry of a "received" audit event."""
    return unit_text(
        check=str(flag.get("check", "")),
        quantity=int(flag.get("quantity") or 1),
        serial=str(flag.get("serial_number", "")),
        expected=list(flag.get("expected") or []),
        sold_on=str(flag.get("sold_on", "")),
        earlier_return=str(flag.get("earlier_return", "")),
    )


def line_units(line: Any) -> dict[str, Any]:
    """What the return page shows of a line's received units: each in words, flagged first,
    and the number of flagged units (the line's units must be prefetched)."""
    units = list(line.received_units.all())
    rows = [{"text": received_unit_text(u), "flagged": u.serial_check in FLAGGED_CHECKS} for u in units]
    rows.sort(key=lambda row: not row["flagged"])
    return {"rows": rows, "flagged": sum(u.quantity for u in units if u.serial_check in FLAGGED_CHECKS)}
