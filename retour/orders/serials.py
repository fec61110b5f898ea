"""Serial and lot numbers: what a valid one looks like, in one place.

An order line may carry the serial number of each unit sold and the lot (batch) it came from;
receiving compares the serials scanned on a returned unit with those sold (see
``retour.returns.units``). Both the order API, the importer and receiving check them here, so a
serial is written the same way wherever it comes from: serials are compared case-insensitively
and kept in capitals, since scanners and people type the same label in either case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

MAX_SERIAL_LENGTH = 64
MAX_LOT_LENGTH = 64
# Far above any real line, far below what would strain a page or a query.
MAX_SERIALS_PER_LINE = 10_000

_ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


def serial_normalize(value: str) -> str:
    return value.strip().upper()


def serial_problem(value: str) -> tuple[str, Any] | None:
    """``(code, message)`` when ``value`` (already normalised) is not a serial number we accept."""
    return _identifier_problem(value, "invalid_serial_number", MAX_SERIAL_LENGTH, _("serial number"))


def lot_problem(value: str) -> tuple[str, Any] | None:
    """``(code, message)`` when ``value`` is not a lot number we accept (empty is fine: no lot)."""
    if not value:
        return None
    return _identifier_problem(value, "invalid_lot_number", MAX_LOT_LENGTH, _("lot number"))


def _identifier_problem(value: str, code: str, limit: int, what: Any) -> tuple[str, Any] | None:
    if not value or len(value) > limit or not _ALLOWED.fullmatch(value):
        return code, _(
            "A %(what)s has 1 to %(limit)s characters: letters, digits and . _ / - "
            "(starting with a letter or a digit)."
        ) % {"what": what, "limit": limit}
    return None


def serial_duplicates(values: Iterable[str]) -> list[str]:
    """The serials that appear more than once, in the order they first repeat."""
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def serials_split(text: str) -> list[str]:
    """A scanner's or a person's list (one per line, or separated by commas, semicolons or
    spaces) → the serials, normalised, in the order given."""
    return [serial_normalize(part) for part in re.split(r"[\s,;|]+", text or "") if part.strip()]
