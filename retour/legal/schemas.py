"""Shapes of the consumer-law calculator, shared by the API and the CLI.

Query models, response models, the parsing of raw string parameters, and the conversion of engine
results into the contract's JSON (dates ``YYYY-MM-DD``, rates and money as decimal strings).
Plain pydantic, no Django: the CLI and the tests use it without settings.

Parameters are taken as strings and parsed here, so that an empty value (``informed_on=``) means
"not given" and every bad value becomes one ``validation_error`` entry with its own ``loc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema

from retour.legal import engine
from retour.legal.subdivisions import LegalInputError, normalize_country, resolve_region

# --- query models (documentation for OpenAPI; values are parsed by ``compute``) ------------------

Country = Annotated[str, Field(description="ISO 3166-1 alpha-2 code of the consumer's country, e.g. FR")]
Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date", "example": "2026-07-03"})]
OptionalDay = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date"})]
Amount = Annotated[str, WithJsonSchema({"type": "string", "format": "decimal", "example": "104.90"})]
TrueByDefault = Annotated[str | None, WithJsonSchema({"type": "boolean", "default": True})]
FalseByDefault = Annotated[str | None, WithJsonSchema({"type": "boolean", "default": False})]


class WithdrawalQuery(BaseModel):
    country: Country
    delivered_on: Day
    subdivision: Annotated[
        str | None, Field(description="Region code as holiday calendars use it (BY, 57, 6AE, MD)")
    ] = None
    postal_code: Annotated[
        str | None, Field(description="Used to derive the region when it is not given")
    ] = None
    informed: Annotated[
        TrueByDefault, Field(description="false when the withdrawal information was never given")
    ] = None
    informed_on: OptionalDay = None


class RefundDueQuery(BaseModel):
    country: Country
    notice_received_on: Day
    proof_of_dispatch_on: OptionalDay = None
    goods_received_on: OptionalDay = None
    goods_to_return: Annotated[
        TrueByDefault, Field(description="false when nothing comes back or the trader collects the goods")
    ] = None


class GuaranteeQuery(BaseModel):
    country: Country
    delivered_on: Day
    used: Annotated[FalseByDefault, Field(description="true for second-hand goods")] = None


class LateRefundQuery(BaseModel):
    country: Country
    due_on: Day
    paid_on: Day
    amount: Amount


# --- response models ---------------------------------------------------------------------------


class WithdrawalOut(BaseModel):
    applies: bool
    days: int | None
    ends_on: date | None
    rolled_forward: bool
    subdivision: str | None
    explanation: str


class RefundDueOut(BaseModel):
    due_on: date | None
    waiting_for_goods: bool
    explanation: str


class GuaranteeOut(BaseModel):
    guarantee_ends_on: date | None
    presumption_ends_on: date | None
    needs_legal_review: bool
    explanation: str


class LateRefundOut(BaseModel):
    days_late: int
    surcharge_rate: Annotated[str, WithJsonSchema({"type": "string", "format": "decimal", "example": "0.05"})]
    surcharge_amount: Annotated[
        str, WithJsonSchema({"type": "string", "format": "decimal", "example": "5.25"})
    ]
    explanation: str


# --- parsing ------------------------------------------------------------------------------------


class ParamErrors(ValueError):
    """One or more bad parameters; ``errors`` is the problem+json list (loc, code, message)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['loc'][-1]}: {e['message']}" for e in errors))


_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class _Params:
    """Reads raw string parameters, collecting every error before giving up."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.errors: list[dict[str, Any]] = []

    def _error(self, name: str, code: str, message: str) -> None:
        self.errors.append({"loc": ["query", name], "code": code, "message": message})

    def text(self, name: str, required: bool = False) -> str | None:
        value = self.raw.get(name)
        value = str(value).strip() if value is not None else ""
        if not value:
            if required:
                self._error(name, "missing", f"{name} is required")
            return None
        return value

    def day(self, name: str, required: bool = False) -> date | None:
        value = self.text(name, required)
        if value is None:
            return None
        try:
            if not _DAY_RE.match(value):
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self._error(name, "invalid_date", f"{name} must be a date as YYYY-MM-DD, got {value!r}")
            return None

    def flag(self, name: str, default: bool) -> bool:
        value = self.text(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self._error(name, "invalid_boolean", f"{name} must be true or false, got {value!r}")
        return default

    def country(self, name: str = "country") -> str | None:
        value = self.text(name, required=True)
        if value is None:
            return None
        try:
            return normalize_country(value)
        except LegalInputError as exc:
            self._error(name, exc.code, str(exc))
            return None

    def subdivision(self, country: str | None, name: str = "subdivision") -> str | None:
        """A subdivision the calendar or ISO 3166-2 knows; a typo is refused, not ignored."""
        value = self.text(name)
        if value is None or country is None:
            return value
        try:
            resolve_region(country, value, None, strict=True)
        except LegalInputError as exc:
            self._error(name, exc.code, str(exc))
            return None
        return value

    def amount(self, name: str) -> Decimal | None:
        value = self.text(name, required=True)
        if value is None:
            return None
        if not _DECIMAL_RE.match(value):
            self._error(
                name, "invalid_amount", f"{name} must be a decimal number such as 104.90, got {value!r}"
            )
            return None
        if Decimal(value) < 0:
            self._error(name, "negative_amount", f"{name} cannot be negative, got {value}")
            return None
        return Decimal(value)

    def done(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.errors:
            raise ParamErrors(self.errors)
        return kwargs


def parse_withdrawal(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Engine keyword arguments for ``withdrawal`` from raw string parameters."""
    p = _Params(raw)
    country = p.country()
    return p.done({
        "country": country,
        "delivered_on": p.day("delivered_on", required=True),
        "subdivision": p.subdivision(country),
        "postal_code": p.text("postal_code"),
        "informed": p.flag("informed", default=True),
        "informed_on": p.day("informed_on"),
    })  # fmt: skip


def parse_refund_due(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Engine keyword arguments for ``refund_due`` from raw string parameters."""
    p = _Params(raw)
    return p.done({
        "country": p.country(),
        "notice_received_on": p.day("notice_received_on", required=True),
        "proof_of_dispatch_on": p.day("proof_of_dispatch_on"),
        "goods_received_on": p.day("goods_received_on"),
        "goods_to_return": p.flag("goods_to_return", default=True),
    })  # fmt: skip


def parse_guarantee(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Engine keyword arguments for ``guarantee`` from raw string parameters."""
    p = _Params(raw)
    return p.done({
        "country": p.country(),
        "delivered_on": p.day("delivered_on", required=True),
        "used": p.flag("used", default=False),
    })  # fmt: skip


def parse_late_refund(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Engine keyword arguments for ``late_refund`` from raw string parameters."""
    p = _Params(raw)
    return p.done({
        "country": p.country(),
        "due_on": p.day("due_on", required=True),
        "paid_on": p.day("paid_on", required=True),
        "amount": p.amount("amount"),
    })  # fmt: skip


# --- rendering ----------------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def withdrawal_payload(result: engine.WithdrawalResult, lang: str | None) -> dict[str, Any]:
    """The contract's JSON for a withdrawal result, explanation in ``lang``."""
    return {
        "applies": result.applies,
        "days": result.days,
        "ends_on": _iso(result.ends_on),
        "rolled_forward": result.rolled_forward,
        "subdivision": result.subdivision,
        "explanation": result.explanation.get(lang),
    }


def refund_due_payload(result: engine.RefundDueResult, lang: str | None) -> dict[str, Any]:
    """The contract's JSON for a refund due date."""
    return {
        "due_on": _iso(result.due_on),
        "waiting_for_goods": result.waiting_for_goods,
        "explanation": result.explanation.get(lang),
    }


def guarantee_payload(result: engine.GuaranteeResult, lang: str | None) -> dict[str, Any]:
    """The contract's JSON for a guarantee result."""
    return {
        "guarantee_ends_on": _iso(result.guarantee_ends_on),
        "presumption_ends_on": _iso(result.presumption_ends_on),
        "needs_legal_review": result.needs_legal_review,
        "explanation": result.explanation.get(lang),
    }


def late_refund_payload(result: engine.LateRefundResult, lang: str | None) -> dict[str, Any]:
    """The contract's JSON for a late refund: rate and amount as decimal strings."""
    return {
        "days_late": result.days_late,
        "surcharge_rate": format(result.surcharge_rate, "f"),
        "surcharge_amount": format(result.surcharge_amount, "f"),
        "explanation": result.explanation.get(lang),
    }


_ENDPOINTS: dict[
    str, tuple[Callable[..., dict[str, Any]], Callable[..., Any], Callable[..., dict[str, Any]]]
] = {
    "withdrawal": (parse_withdrawal, engine.withdrawal, withdrawal_payload),
    "refund-due": (parse_refund_due, engine.refund_due, refund_due_payload),
    "guarantee": (parse_guarantee, engine.guarantee, guarantee_payload),
    "late-refund": (parse_late_refund, engine.late_refund, late_refund_payload),
}
ENDPOINTS = tuple(_ENDPOINTS)


def compute(endpoint: str, raw: Mapping[str, Any], lang: str | None) -> dict[str, Any]:
    """Parse ``raw`` parameters, run the engine and render the contract's JSON.

    Raises ``ParamErrors`` for any bad parameter, including those the engine refuses.
    """
    parse, calculate, render = _ENDPOINTS[endpoint]
    kwargs = parse(raw)
    try:
        result = calculate(**kwargs)
    except LegalInputError as exc:
        raise ParamErrors([{"loc": ["query", exc.field], "code": exc.code, "message": str(exc)}]) from exc
    return render(result, lang)
