"""Import orders from a file: CSV (one row per order line) or JSONL (one order body per line).

Each order is checked with the API's ``OrderIn`` and written by ``order_upsert`` in its own
transaction, so one bad order never stops the others; the summary names each rejected order
with its line number in the file and the reasons.

CSV: a header row, then one row per order line; rows with the same ``number`` form one order
(they need not be adjacent) and must agree on the order's columns. ``,``, ``;`` and tab
separators are recognised, and a UTF-8 byte-order mark is ignored. Dates may be given without a
time zone (``2026-07-03 15:00``) and are then read in the store's time zone; a bare date
(``2026-07-03``) is taken as noon there.
Booleans: true/false, yes/no, 1/0. ``tags`` are separated by ``|``, and so are the
``serial_numbers`` of a line (one per unit sold); an empty ``serial_numbers`` or ``lot_number``
cell keeps what the order already has.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DatabaseError
from pydantic import ValidationError

from retour.core.errors import DomainError
from retour.orders.schemas import OrderIn
from retour.orders.services import order_upsert
from retour.stores.models import Store

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)

# No column needs more: a longer cell is refused with its row (the API's own limits are smaller).
MAX_CELL = 64 * 1024
MAX_CSV_FIELD = 64 * 1024 * 1024
MAX_JSONL_LINE = 1024 * 1024  # the API's body limit

# CSV column → where it goes in the order body. Aliases on the right of the first name.
ORDER_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("number", "order_number", "order"),
    "external_id": ("external_id",),
    "placed_at": ("placed_at", "order_date"),
    "currency": ("currency",),
    "channel": ("channel",),
    "is_business": ("is_business", "business"),
    "delivered_at": ("delivered_at", "delivery_date"),
    "withdrawal_info_given": ("withdrawal_info_given",),
    "withdrawal_info_given_on": ("withdrawal_info_given_on",),
    "customer.email": ("email", "customer_email"),
    "customer.name": ("name", "customer_name"),
    "customer.phone": ("phone", "customer_phone"),
    "customer.language": ("language", "customer_language"),
    "shipping_address.name": ("ship_name", "shipping_name"),
    "shipping_address.line1": ("line1", "address_line1", "ship_line1"),
    "shipping_address.line2": ("line2", "address_line2", "ship_line2"),
    "shipping_address.city": ("city", "ship_city"),
    "shipping_address.postal_code": ("postal_code", "zip", "ship_postal_code"),
    "shipping_address.country": ("country", "ship_country"),
    "shipping_address.subdivision": ("subdivision", "ship_subdivision"),
    "shipping.amount": ("shipping_amount",),
    "shipping.standard_amount": ("shipping_standard_amount",),
    "payment.provider": ("payment_provider",),
    "payment.reference": ("payment_reference", "payment_id", "payment_intent"),
}
LINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "line_ref"),
    "sku": ("sku",),
    "title": ("title", "product"),
    "quantity": ("quantity", "qty"),
    "unit_price": ("unit_price", "price"),
    "discount": ("discount",),
    "category": ("category",),
    "tags": ("tags",),
    "final_sale": ("final_sale",),
    "returnable": ("returnable",),
    "legal_exclusion": ("legal_exclusion",),
    "used": ("used", "second_hand"),
    "image_url": ("image_url", "image"),
    "delivered_quantity": ("delivered_quantity",),
    "delivered_at": ("line_delivered_at",),
    "serial_numbers": ("serial_numbers", "serials", "serial_number", "serial"),
    "lot_number": ("lot_number", "lot", "batch"),
}
REQUIRED = ("number", "placed_at", "currency", "customer.email", "sku", "quantity", "unit_price")
MOMENTS = {"placed_at", "delivered_at"}
DAYS = {"withdrawal_info_given_on"}


class OrdersFileError(ValueError):
    """The file as a whole cannot be read (missing, unknown format, required columns absent)."""


@dataclass
class Rejection:
    line: int
    number: str
    reasons: list[str]

    def __str__(self) -> str:
        order = f" (order {self.number})" if self.number else ""
        return f"line {self.line}{order}: " + "; ".join(self.reasons)


@dataclass
class ImportSummary:
    source: str = ""
    total: int = 0
    imported: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [
            f"{self.source}: {self.total} orders read — {self.imported} imported, {self.updated} updated, "
            f"{len(self.rejected)} rejected."
        ]
        if self.ignored_columns:
            lines.append("Ignored columns (unknown): " + ", ".join(self.ignored_columns))
        if self.rejected:
            lines.append("Rejected:")
            lines += [f"  {rejection}" for rejection in self.rejected]
        return "\n".join(lines)


@dataclass
class _Candidate:
    """One order read from the file: its body, or why it could not be read."""

    line: int
    number: str
    body: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)  # file line of each order line (CSV)


@dataclass
class _CsvOrder:
    """The rows of one order number, gathered before the body is built."""

    line: int
    number: str
    order_values: dict[str, str] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, values: dict[str, str], line: int, tz: ZoneInfo) -> None:
        for target, value in values.items():
            if target.startswith("line.") or not value:
                continue
            if target in self.order_values and self.order_values[target] != value:
                self.problems.append(
                    f"{target.split('.')[-1]}: line {line} says {value!r} but line {self.line} says "
                    f"{self.order_values[target]!r}"
                )
            self.order_values.setdefault(target, value)
        self.lines.append(
            _line_body({t[5:]: v for t, v in values.items() if t.startswith("line.") and v}, tz)
        )
        self.line_numbers.append(line)

    def candidate(self, tz: ZoneInfo) -> _Candidate:
        body: dict[str, Any] = {}
        for target, value in self.order_values.items():
            parent, _, name = target.rpartition(".")
            holder = body.setdefault(parent, {}) if parent else body
            holder[name] = _cell(name, value, tz)
        body["lines"] = self.lines
        return _Candidate(self.line, self.number, body, list(self.problems), self.line_numbers)


def orders_import(
    *, store: Store, path: str | Path, progress: Progress | None = None, encoding: str = "utf-8"
) -> ImportSummary:
    """Import every order of the file into ``store``; returns what was imported, updated and rejected.

    ``encoding`` names the file's character set (``latin-1``, ``cp1252``…) when it is not UTF-8."""
    path = Path(path)
    if not path.is_file():
        raise OrdersFileError(f"no such file: {path}")
    encoding = _codec(encoding)
    summary = ImportSummary(source=path.name)
    try:
        candidates = _read(path, store, summary, encoding)
    except UnicodeDecodeError:
        raise OrdersFileError(_not_decodable(path, encoding)) from None
    summary.total = len(candidates)
    for done, candidate in enumerate(candidates, start=1):
        _import_one(store, candidate, summary)
        if progress:
            progress(done, summary.total)
    return summary


def _import_one(store: Store, candidate: _Candidate, summary: ImportSummary) -> None:
    problems = list(candidate.problems)
    if not problems and candidate.body is not None:
        try:
            data = OrderIn.model_validate(candidate.body)
            _order, created = order_upsert(store=store, data=data)
        except ValidationError as exc:
            problems = [_pydantic_problem(error, candidate) for error in exc.errors()]
        except DomainError as exc:
            problems = [_domain_problem(error, candidate) for error in exc.errors] or [str(exc.detail)]
        except DatabaseError as exc:
            # order_upsert's transaction was rolled back: this order only is lost, the rest go on.
            log.warning("import of order %r refused by the database: %s", candidate.number, exc)
            problems = [f"the database refused this order ({type(exc).__name__}: {_first_line(exc)})"]
        else:
            if created:
                summary.imported += 1
            else:
                summary.updated += 1
            return
    summary.rejected.append(Rejection(line=candidate.line, number=candidate.number, reasons=problems))


def _where(loc: list[Any] | tuple[Any, ...], candidate: _Candidate) -> str:
    """``lines.2.quantity`` → ``quantity (line 7)`` for a CSV, where each order line is a file line."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "lines" and isinstance(parts[1], int) and candidate.line_numbers:
        index = parts[1]
        if 0 <= index < len(candidate.line_numbers):
            rest = ".".join(str(p) for p in parts[2:]) or "line"
            return f"{rest} (line {candidate.line_numbers[index]})"
    return ".".join(str(p) for p in parts) or "order"


def _pydantic_problem(error: Any, candidate: _Candidate) -> str:
    loc = [p for p in error.get("loc", ()) if p not in ("body",)]
    return f"{_where(loc, candidate)}: {error.get('msg', 'invalid')}"


def _domain_problem(error: dict[str, Any], candidate: _Candidate) -> str:
    return f"{_where(error.get('loc') or [], candidate)}: {error.get('message') or error.get('code')}"


# --- reading -------------------------------------------------------------------------------


def _codec(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise OrdersFileError(f"unknown encoding: {encoding!r} (e.g. utf-8, latin-1, cp1252)") from None
    return "utf-8-sig" if name == "utf-8" else name  # a UTF-8 byte-order mark is ignored


def _not_decodable(path: Path, encoding: str) -> str:
    """Where the file stops being ``encoding``, as a person can find it in an editor."""
    raw = path.read_bytes()
    try:
        raw.decode(encoding)
        where = ""
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        where = f" (line {line}, byte 0x{raw[exc.start]:02x})"
    if encoding == "utf-8-sig":
        return (
            f"{path.name} is not UTF-8{where}; save it as UTF-8 or pass --encoding latin-1 "
            "(or the encoding it was saved in, e.g. cp1252)"
        )
    return f"{path.name} cannot be read as {encoding}{where}; pass the encoding it was saved in"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def _read(path: Path, store: Store, summary: ImportSummary, encoding: str = "utf-8-sig") -> list[_Candidate]:
    with path.open("r", encoding=encoding, newline="") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise OrdersFileError(f"{path.name} is empty")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") or (
        suffix not in (".csv", ".tsv", ".txt") and head.lstrip().startswith("{")
    ):
        return list(_read_jsonl(path, encoding))
    if suffix in (".csv", ".tsv", ".txt", ""):
        return _read_csv(path, head, ZoneInfo(store.time_zone or "UTC"), summary, encoding)
    raise OrdersFileError(f"{path.name}: unknown format (use .csv or .jsonl)")


def _read_jsonl(path: Path, encoding: str = "utf-8-sig") -> Iterator[_Candidate]:
    with path.open("r", encoding=encoding) as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            if len(text) > MAX_JSONL_LINE:
                yield _Candidate(number, "", None, [f"the line is longer than {MAX_JSONL_LINE} characters"])
                continue
            try:
                body = json.loads(text)
            except json.JSONDecodeError as exc:
                yield _Candidate(number, "", None, [f"not valid JSON: {exc.msg} (column {exc.colno})"])
                continue
            except RecursionError:
                yield _Candidate(number, "", None, ["the JSON is nested too deeply"])
                continue
            if not isinstance(body, dict):
                yield _Candidate(number, "", None, ["each line must be a JSON object (an order)"])
                continue
            yield _Candidate(number, str(body.get("number") or ""), body)


def _columns(header: list[str], summary: ImportSummary) -> dict[str, str]:
    """Map each known target (``customer.email``) to the header column that holds it."""
    names = {name.strip().lower(): name for name in header if name}
    mapping: dict[str, str] = {}
    for table, prefix in ((ORDER_COLUMNS, ""), (LINE_COLUMNS, "line.")):
        for target, aliases in table.items():
            found = next((names[a] for a in aliases if a in names), None)
            if found is not None:
                mapping[prefix + target] = found
    used = set(mapping.values())
    summary.ignored_columns = [name for name in header if name and name not in used]
    missing = [t for t in REQUIRED if t not in mapping and f"line.{t}" not in mapping]
    if missing:
        raise OrdersFileError("missing required columns: " + ", ".join(t.split(".")[-1] for t in missing))
    return mapping


def _read_csv(
    path: Path, head: str, tz: ZoneInfo, summary: ImportSummary, encoding: str = "utf-8-sig"
) -> list[_Candidate]:
    try:
        dialect: Any = csv.Sniffer().sniff(head.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The csv module's own limit (128 KiB a cell) ends the whole file with an error; read what
    # a file may hold and refuse an oversized cell for its row only.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD))
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, dialect)
        header = next(reader, [])
        mapping = _columns(header, summary)
        index = {target: header.index(column) for target, column in mapping.items()}
        orders: dict[str, _CsvOrder] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            too_long = [
                header[i] if i < len(header) else str(i + 1) for i, c in enumerate(row) if len(c) > MAX_CELL
            ]
            if too_long:
                key = f"\0{reader.line_num}"
                orders[key] = _CsvOrder(reader.line_num, "")
                orders[key].problems.append(
                    f"{', '.join(too_long)}: the cell is longer than {MAX_CELL} characters"
                )
                continue
            values = {t: (row[i].strip() if i < len(row) else "") for t, i in index.items()}
            number = values.get("number", "")
            # Rows without a number are each their own (rejected) order.
            order = orders.setdefault(number or f"\0{reader.line_num}", _CsvOrder(reader.line_num, number))
            if not number:
                order.problems.append("number: the order number is empty")
            order.add(values, reader.line_num, tz)
    return [order.candidate(tz) for order in orders.values()]


def _line_body(values: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    line: dict[str, Any] = {name: _cell(name, value, tz) for name, value in values.items()}
    for name in ("tags", "serial_numbers"):
        if name in line:
            line[name] = [t.strip() for t in str(values[name]).split("|") if t.strip()]
    return line


def _cell(name: str, value: str, tz: ZoneInfo) -> Any:
    if name in MOMENTS:
        return _moment(value, tz)
    if name in DAYS:
        return value[:10]
    return value


def _moment(value: str, tz: ZoneInfo) -> str:
    """ISO 8601 with an offset; a bare date or a naive time is read in the store's time zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value  # OrderIn explains what is wrong with it
    if len(value) == 10:
        parsed = datetime.combine(date.fromisoformat(value), time(12, 0))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat()
