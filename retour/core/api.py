"""What every endpoint of the REST API shares.

Authentication by bearer API key, role checks, ``application/problem+json`` errors (in the
request's language), cursor pagination and ``Idempotency-Key`` handling.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from retour.core.actors import Actor
from retour.core.errors import (
    DomainError,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)

if TYPE_CHECKING:
    from ninja import NinjaAPI

    from retour.stores.models import ApiKey, Location, Store

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# --- rendering -----------------------------------------------------------------------------------


class OrjsonRenderer(BaseRenderer):
    """JSON through orjson (several times faster than the standard library on our bodies).
    What orjson would write differently from ninja's encoder (datetimes, times, Decimal, lazy
    translations, pydantic models) goes through that encoder, so the answers stay identical
    in value; non-ASCII text is written as UTF-8 rather than escaped."""

    media_type = "application/json"
    _encoder = NinjaJSONEncoder()

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(
            data,
            default=self._encoder.default,
            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS,
        )


# --- authentication and roles -------------------------------------------------------------------


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``; the key belongs to one store and has a role."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        from retour.stores.services import apikey_authenticate

        if "\x00" in token:  # PostgreSQL cannot compare it with a text column
            return None
        key = apikey_authenticate(token.strip())
        if key is not None:
            _check_rate_limit(key)
        return key


def _check_rate_limit(key: ApiKey) -> None:
    """At most ``RETOUR_API_RATE_LIMIT`` requests a minute per key (0 = no limit), counted in
    the database so that every web process shares the count."""
    from retour.core.ratelimit import ratelimit_hit

    limit = getattr(settings, "API_RATE_LIMIT", 0)
    if not limit:
        return
    result = ratelimit_hit(key=f"api-key:{key.pk}", limit=limit, window=60)
    if not result.allowed:
        error = RateLimited(_("Too many requests for this API key; try again in a minute."))
        error.retry_after = result.retry_after  # type: ignore[attr-defined]
        raise error


def api_key(request: HttpRequest) -> ApiKey:
    key = getattr(request, "auth", None)
    if key is None:
        raise Unauthenticated()
    return key


def api_store(request: HttpRequest) -> Store:
    """The store of the calling key: every query of an endpoint is scoped by it."""
    return api_key(request).store


def require_role(request: HttpRequest, *roles: str) -> ApiKey:
    """The calling key, when its role is one of ``roles``; else 403 ``forbidden``."""
    key = api_key(request)
    if key.role not in roles:
        raise Forbidden(_("An API key with the role “%(role)s” may not do this.") % {"role": key.role})
    return key


def api_location(request: HttpRequest) -> Location | None:
    """The location a ``partner`` key is tied to (its view of the store), else None."""
    key = api_key(request)
    return key.location if key.role == "partner" else None


# Roles whose keys read customers' personal data (email, phone, address, store credit). A
# warehouse (or partner) key sees what receiving needs: return and order numbers, lines, SKUs.
PERSONAL_DATA_ROLES = ("admin", "agent")


def sees_personal_data(request: HttpRequest) -> bool:
    key = getattr(request, "auth", None)
    return key is not None and key.role in PERSONAL_DATA_ROLES


def api_actor(request: HttpRequest) -> Actor:
    """The audit actor of a call made with an API key."""
    key = api_key(request)
    return Actor(type="api_key", name=f"api key {key.prefix}", api_key_id=key.pk, role=key.role)


# --- problem+json -------------------------------------------------------------------------------


def problem_response(
    *,
    status: int,
    code: str,
    title: Any,
    detail: Any = "",
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An RFC 9457 problem document; lazy texts are rendered in the active language."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(title),
        "status": status,
        "code": code,
        "detail": str(detail or title),
    }
    if errors:
        body["errors"] = [{**e, "message": str(e.get("message", ""))} for e in errors]
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def domain_error_response(exc: DomainError) -> HttpResponse:
    headers = {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if exc.status == 429:
        headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        headers=headers,
    )


# Per-field messages for pydantic's error types. Several msgids are Django's own, whose
# translations ship with Django.
_FIELD_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "int_parsing": _("Enter a whole number."),
    "int_type": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "decimal_parsing": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "greater_than_equal": _("Ensure this value is greater than or equal to %(limit_value)s."),
    "less_than_equal": _("Ensure this value is less than or equal to %(limit_value)s."),
    "greater_than": _("Ensure this value is greater than %(limit_value)s."),
    "less_than": _("Ensure this value is less than %(limit_value)s."),
    "datetime_parsing": _("Enter a valid date/time."),
    "datetime_from_date_parsing": _("Enter a valid date/time."),
    "datetime_type": _("Enter a valid date/time."),
    "date_parsing": _("Enter a valid date."),
    "date_from_datetime_parsing": _("Enter a valid date."),
    "date_from_datetime_inexact": _("Enter a valid date."),
    "date_type": _("Enter a valid date."),
    "timezone_aware": _("Give the time with its offset, e.g. 2026-07-01T10:00:00+02:00."),
    "string_type": _("Must be a string."),
    "string_too_short": _("Must have at least %(min_length)s characters."),
    "string_too_long": _("Must have at most %(max_length)s characters."),
    "string_pattern_mismatch": _("Does not have the expected format."),
    "bool_parsing": _("Must be true or false."),
    "bool_type": _("Must be true or false."),
    "enum": _("Must be one of: %(expected)s."),
    "literal_error": _("Must be one of: %(expected)s."),
    "list_type": _("Must be a list."),
    "too_short": _("Must have at least %(min_length)s items."),
    "too_long": _("Must have at most %(max_length)s items."),
    "model_type": _("Must be an object."),
    "dict_type": _("Must be an object."),
    "model_attributes_type": _("Must be an object."),
    "extra_forbidden": _("Unknown field."),
    "json_invalid": _("The body is not valid JSON."),
    "decimal_max_digits": _("Too many digits."),
    "decimal_max_places": _("Too many decimal places."),
    "decimal_whole_digits": _("Too many digits before the decimal point."),
}

_CTX_ALIASES = {"ge": "limit_value", "le": "limit_value", "gt": "limit_value", "lt": "limit_value"}


def _field_message(error: dict[str, Any]) -> str:
    template = _FIELD_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    ctx = {key: value for key, value in (error.get("ctx") or {}).items()}
    for key, alias in _CTX_ALIASES.items():
        if key in ctx:
            ctx[alias] = ctx[key]
    try:
        return str(template) % ctx if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


def _field_loc(loc: Sequence[Any], body_params: set[str]) -> list[Any]:
    """``("body", "payload", "lines", 0, "sku")`` → ``["lines", 0, "sku"]``: the body as sent."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
        if parts and parts[0] in body_params:
            parts = parts[1:]
    elif parts and parts[0] in ("query", "path", "header"):
        parts = parts[1:]
        # query/path schemas are flattened by ninja, but keep only the field name
        if len(parts) > 1 and parts[0] in body_params:
            parts = parts[1:]
    return [p for p in parts if p not in ("__root__",)]


# Names the endpoints give their body and query schema parameters; stripped from ``loc``.
SCHEMA_PARAM_NAMES = {"payload", "params", "filters", "data", "body"}


def validation_errors(errors: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja/pydantic errors → the contract's ``[{"loc", "code", "message"}]``."""
    result = []
    for error in errors:
        code = error.get("type") or "invalid"
        result.append(
            {
                "loc": _field_loc(error.get("loc", ()), SCHEMA_PARAM_NAMES),
                "code": code,
                "message": _field_message(error),
            }
        )
    return result


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        status=422,
        code=ValidationFailed.code,
        title=ValidationFailed.title,
        detail=_("Some fields are not valid."),
        errors=validation_errors(exc.errors),
    )


def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(exc)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    by_status: dict[int, type[DomainError]] = {
        401: Unauthenticated,
        403: Forbidden,
        404: NotFound,
        429: RateLimited,
    }
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return domain_error_response(Unauthenticated(_("Send a valid API key: Authorization: Bearer <key>.")))
    error_class = by_status.get(exc.status_code)
    if error_class is not None:
        return domain_error_response(error_class())
    if exc.status_code == 400:  # ninja's answer to a body that is not JSON at all
        return problem_response(
            status=422,
            code=ValidationFailed.code,
            title=ValidationFailed.title,
            detail=_("The body is not valid JSON."),
            errors=[{"loc": [], "code": "json_invalid", "message": _("The body is not valid JSON.")}],
        )
    return problem_response(status=exc.status_code, code="http_error", title=str(exc.message))


def _on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return domain_error_response(NotFound())


def _on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database is down, unreachable, timed out or locked: a retryable 503, not a 500."""
    log.warning("database unavailable in %s %s: %s", request.method, request.path, type(exc).__name__)
    return problem_response(
        status=503,
        code="database_unavailable",
        title=_("Service unavailable"),
        detail=_("The database is not answering right now; try again in a moment."),
        headers={"Retry-After": "5"},
    )


def _on_body_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Django's own limits on a form body (fields, memory) are a body too large as well."""
    from retour.core.middleware import payload_too_large_response

    return payload_too_large_response(settings.MAX_BODY_BYTES)


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("Unhandled error in %s %s", request.method, request.path)
    return server_error_response()


def server_error_response() -> HttpResponse:
    return problem_response(
        status=500,
        code="server_error",
        title=_("Internal server error"),
        detail=_("Something went wrong on our side; the error was logged."),
    )


def install_exception_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (DomainError, _on_domain_error),
        (ValidationError, _on_validation_error),
        (HttpError, _on_http_error),
        (Http404, _on_404),
        (OperationalError, _on_database_unavailable),
        (InterfaceError, _on_database_unavailable),
        (RequestDataTooBig, _on_body_too_big),
        (TooManyFieldsSent, _on_body_too_big),
        (TooManyFilesSent, _on_body_too_big),
        (Exception, _on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def problem_for_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn ninja's plain-text 405 into a problem document (keeping the ``Allow`` header)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            problem = problem_response(
                status=405,
                code="method_not_allowed",
                title=_("Method not allowed"),
                detail=_("%(method)s is not allowed here.") % {"method": request.method},
                headers={"Allow": response["Allow"]},
            )
            return problem
        return response

    return wrapper


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that matches no endpoint."""
    return domain_error_response(NotFound(_("There is no API endpoint at this path.")))


# --- cursor pagination --------------------------------------------------------------------------


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (max 200)")
    cursor: str | None = Field(None, description="The `next_cursor` of the previous page")


def _encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or not values:
        raise ValidationFailed(
            _("The cursor is not valid."),
            errors=[
                {
                    "loc": ["cursor"],
                    "code": "invalid_cursor",
                    "message": _("Use the next_cursor of a previous page."),
                }
            ],
        )
    return values


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def paginate(queryset: QuerySet, *, limit: int, cursor: str | None, by_created_at: bool = True) -> Page:
    """Newest first, keyset-paginated on ``(created_at, id)`` (or on ``id`` alone).

    The cursor is opaque to clients; it stays valid while rows are added.
    """
    fields = ["-created_at", "-id"] if by_created_at else ["-id"]
    queryset = queryset.order_by(*fields)
    if cursor:
        values = _decode_cursor(cursor)
        try:
            if by_created_at:
                at = datetime.fromisoformat(values[0])
                last_id = int(values[1])
                queryset = queryset.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last_id))
            else:
                queryset = queryset.filter(id__lt=int(values[0]))
        except (IndexError, TypeError, ValueError):
            _decode_cursor("")  # raises the invalid-cursor error
    rows = list(queryset[: limit + 1])
    items, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = _encode_cursor([last.created_at.isoformat(), last.id] if by_created_at else [last.id])
    return Page(items=items, next_cursor=next_cursor)


# --- idempotency --------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"


def _request_fingerprint(request: HttpRequest) -> str:
    """Same method, path and JSON body (whatever its spacing or key order) → same hash."""
    try:
        body: Any = json.loads(request.body or b"{}")
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = request.body.decode(errors="replace")
    text = f"{request.method} {request.path}\n{canonical}"
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(request: HttpRequest, handler: Callable[[], tuple[int, Any]]) -> Status:
    """Run ``handler`` (which answers ``(status, json-ready body)``) at most once per key.

    Without an ``Idempotency-Key`` header the handler simply runs. With one, the key is
    claimed in the same transaction as the handler's writes: a concurrent request with the
    same key waits on the unique index, then replays the stored answer. Only successful
    answers are stored; a refused request changed nothing and may be retried with its key.
    """
    raw_key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not raw_key:
        return Status(*handler())
    if "\x00" in raw_key:  # PostgreSQL cannot store it; refused alike on both databases
        raise ValidationFailed(
            errors=[
                {
                    "loc": ["header", IDEMPOTENCY_HEADER],
                    "code": "null_character",
                    "message": _("Null characters are not allowed."),
                }
            ]
        )
    if len(raw_key) > 255:
        raise ValidationFailed(
            errors=[
                {
                    "loc": ["header", IDEMPOTENCY_HEADER],
                    "code": "string_too_long",
                    "message": _("Must have at most %(max_length)s characters.") % {"max_length": 255},
                }
            ]
        )
    store = api_store(request)
    fingerprint = _request_fingerprint(request)
    replay = _stored_answer(store=store, key=raw_key, fingerprint=fingerprint)
    if replay is not None:
        return Status(*replay)
    try:
        with transaction.atomic():
            record = _claim_key(request, store=store, key=raw_key, fingerprint=fingerprint)
            if record is None:  # another request holds (held) the key
                raise _KeyTaken()
            status, body = handler()
            record.status_code = status
            record.response_body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            record.save(update_fields=["status_code", "response_body"])
    except _KeyTaken:
        replay = _stored_answer(store=store, key=raw_key, fingerprint=fingerprint)
        if replay is None:
            raise IdempotencyKeyReused(
                _("A request with this Idempotency-Key is still being processed.")
            ) from None
        return Status(*replay)
    return Status(status, record.response_body)


class _KeyTaken(Exception):
    pass


def _claim_key(request: HttpRequest, *, store: Store, key: str, fingerprint: str) -> Any:
    from retour.core.models import IdempotencyRecord

    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                store=store,
                key=key,
                method=request.method or "POST",
                path=request.path[:500],
                body_hash=fingerprint,
            )
    except IntegrityError:
        return None


def _stored_answer(*, store: Store, key: str, fingerprint: str) -> tuple[int, Any] | None:
    from retour.core.models import IdempotencyRecord

    record = IdempotencyRecord.objects.filter(store=store, key=key).first()
    if record is None or record.status_code is None:
        return None
    if record.body_hash != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was first used with another request; use a new key for a new request.")
        )
    return record.status_code, record.response_body
