"""Small local HTTP servers that speak enough of Stripe's and Mollie's APIs for the real SDKs.

They keep the providers' idempotency (same Idempotency-Key + same body → the same refund,
replayed; another body → refused), so a test can count real refunds made, and can be told to
answer the next calls with an error, a 429, a 5xx, a pending or failed refund, or to hang past
the client's timeout (having made the refund: the answer is what gets lost).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from retour.core.tests.local_http import local_server


class _Fake:
    def __init__(self, secret_key: str):
        self.secret_key = secret_key
        self.payments: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.script: list[str] = []  # what the next refund creations answer
        self.idempotency: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.hang_seconds = 3.0
        self.lock = threading.Lock()
        self.hold = threading.Event()  # when set by a test, a creation waits on release
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.url = ""

    def refund_posts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST" and "refunds" in r["path"]]


class FakeStripe(_Fake):
    def add_payment(self, reference: str, amount: int, currency: str = "eur") -> None:
        self.payments[reference] = {"amount": amount, "currency": currency, "refunded": 0}

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            return 401, _stripe_error("invalid_request_error", "Invalid API Key provided."), {}
        url = urlparse(path)
        if method == "POST" and url.path == "/v1/refunds":
            params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            key = headers.get("Idempotency-Key", "")
            return self._create(params, key)
        if method == "GET" and url.path.startswith("/v1/refunds/"):
            refund = self.refunds.get(url.path.rsplit("/", 1)[1])
            if refund is None:
                return 404, _stripe_error("invalid_request_error", "No such refund", "resource_missing"), {}
            return 200, refund, {}
        if method == "GET" and url.path == "/v1/refunds":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            pi = query.get("payment_intent") or query.get("charge")
            data = [r for r in self.refunds.values() if pi in (r.get("payment_intent"), r.get("charge"))]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}, {}
        if method == "GET" and url.path == "/v1/balance":
            return 200, {"object": "balance", "livemode": False, "available": [], "pending": []}, {}
        return (
            404,
            _stripe_error("invalid_request_error", f"Unrecognized request URL ({method}: {url.path})"),
            {},
        )

    def _create(self, params: dict[str, str], key: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            if key and key in self.idempotency:
                fingerprint, status, answer = self.idempotency[key]
                if fingerprint != json.dumps(params, sort_keys=True):
                    return (
                        400,
                        _stripe_error(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters",
                        ),
                        {},
                    )
                return status, answer, {"Idempotent-Replayed": "true"}
            action = self.script.pop(0) if self.script else "succeeded"
            if action == "429":
                return 429, _stripe_error("invalid_request_error", "Too many requests", "rate_limit"), {}
            if action == "500":
                return 500, _stripe_error("api_error", "Something went wrong on Stripe's end."), {}
            if action == "leak":  # a refusal whose message quotes the key (a careless provider)
                return (
                    400,
                    _stripe_error(
                        "invalid_request_error",
                        f"Refused for key {self.secret_key}, header Bearer {self.secret_key}",
                        "key_refused",
                    ),
                    {},
                )
            reference = params.get("payment_intent") or params.get("charge") or ""
            payment = self.payments.get(reference)
            if payment is None:
                status, answer = (
                    404,
                    _stripe_error(
                        "invalid_request_error", f"No such payment_intent: '{reference}'", "resource_missing"
                    ),
                )
            elif action == "decline" or int(params["amount"]) > payment["amount"] - payment["refunded"]:
                status, answer = (
                    400,
                    _stripe_error(
                        "invalid_request_error",
                        "Refund amount is greater than unrefunded amount on charge",
                        "amount_too_large",
                    ),
                )
            else:
                payment["refunded"] += int(params["amount"])
                refund_id = "re_" + secrets.token_hex(8)
                answer = {
                    "id": refund_id,
                    "object": "refund",
                    "amount": int(params["amount"]),
                    "currency": payment["currency"],
                    "payment_intent": params.get("payment_intent"),
                    "charge": params.get("charge"),
                    "status": action if action in ("pending", "failed") else "succeeded",
                    "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
                    "created": int(time.time()),
                }
                status = 200
                self.refunds[refund_id] = answer
            if key:
                self.idempotency[key] = (json.dumps(params, sort_keys=True), status, answer)
        if action == "timeout":
            time.sleep(self.hang_seconds)
        return status, answer, {}

    def event(self, event_type: str, refund: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "id": event_id or "evt_" + secrets.token_hex(8),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": refund},
        }


class FakeMollie(_Fake):
    """``/v2/payments/{tr_}/refunds`` (create, get, list) and ``/v2/methods``, JSON in and out."""

    def add_payment(self, reference: str, value: str, currency: str = "EUR") -> None:
        self.payments[reference] = {"value": value, "currency": currency, "refunded": "0.00"}

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        from decimal import Decimal

        if headers.get("Authorization") != f"Bearer {self.secret_key}":
            return (
                401,
                _mollie_error(
                    401, "Unauthorized Request", "Missing authentication, or failed to authenticate"
                ),
                {},
            )
        parts = urlparse(path).path.strip("/").split("/")
        if parts == ["v2", "methods"]:
            return 200, {"count": 0, "_embedded": {"methods": []}, "_links": {}}, {}
        if len(parts) >= 4 and parts[:2] == ["v2", "payments"] and parts[3] == "refunds":
            payment_id = parts[2]
            payment = self.payments.get(payment_id)
            if payment is None:
                return 404, _mollie_error(404, "Not Found", f"No payment exists with token {payment_id}."), {}
            if method == "GET" and len(parts) == 5:
                refund = self.refunds.get(parts[4])
                if refund is None:
                    return 404, _mollie_error(404, "Not Found", "No refund exists with token."), {}
                return 200, refund, {}
            if method == "GET":
                data = [r for r in self.refunds.values() if r["paymentId"] == payment_id]
                return (
                    200,
                    {
                        "count": len(data),
                        "_embedded": {"refunds": data},
                        "_links": {"next": None, "previous": None},
                    },
                    {},
                )
            if method == "POST":
                params = json.loads(body or b"{}")
                key = headers.get("Idempotency-Key", "")
                with self.lock:
                    if key and key in self.idempotency:
                        fingerprint, status, answer = self.idempotency[key]
                        if fingerprint != json.dumps(params, sort_keys=True):
                            return (
                                422,
                                _mollie_error(
                                    422,
                                    "Unprocessable Entity",
                                    "The idempotency key was used with another request.",
                                ),
                                {},
                            )
                        return status, answer, {"Idempotent-Replayed": "true"}
                    action = self.script.pop(0) if self.script else "queued"
                    if action == "429":
                        return 429, _mollie_error(429, "Too Many Requests", "Rate limit exceeded."), {}
                    if action == "500":
                        return 503, _mollie_error(503, "Service Unavailable", "Try again later."), {}
                    value = Decimal(params["amount"]["value"])
                    left = Decimal(payment["value"]) - Decimal(payment["refunded"])
                    if action == "decline" or value > left:
                        status, answer = (
                            422,
                            _mollie_error(
                                422,
                                "Unprocessable Entity",
                                "The amount is higher than the amount that can be refunded.",
                                "amount",
                            ),
                        )
                    else:
                        payment["refunded"] = str(Decimal(payment["refunded"]) + value)
                        refund_id = "re_" + secrets.token_hex(5)
                        answer = {
                            "resource": "refund",
                            "id": refund_id,
                            "amount": params["amount"],
                            "status": {"timeout": "pending", "succeeded": "refunded"}.get(action, action),
                            "description": params.get("description", ""),
                            "metadata": params.get("metadata"),
                            "paymentId": payment_id,
                            "createdAt": "2026-07-10T12:00:00+00:00",
                            "_links": {},
                        }
                        self.refunds[refund_id] = answer
                        status = 201
                    if key:
                        self.idempotency[key] = (json.dumps(params, sort_keys=True), status, answer)
                if action == "timeout":
                    time.sleep(self.hang_seconds)
                return status, answer, {}
        return 404, _mollie_error(404, "Not Found", "The resource does not exist"), {}


def _mollie_error(status: int, title: str, detail: str, field: str | None = None) -> dict[str, Any]:
    return {
        "status": status,
        "title": title,
        "detail": detail,
        **({"field": field} if field else {}),
        "_links": {},
    }


def mollie_signature(payload: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: ``t=<unix time>,v1=<HMAC-SHA256 of "t.payload">``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _stripe_error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **({"code": code} if code else {})}}


def _handler(fake: _Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
            )
            if self.command == "POST" and fake.hold.is_set():
                fake.arrived.set()
            status, answer, extra = fake.handle(self.command, self.path, self.headers, body)  # type: ignore[attr-defined]
            if self.command == "POST" and fake.hold.is_set():
                fake.release.wait(30)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(6))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        do_GET = do_POST = do_DELETE = do_PATCH = _serve

    return Handler


@contextmanager
def serve(fake: _Fake) -> Iterator[_Fake]:
    with local_server(_handler(fake)) as url:
        fake.url = url
        try:
            yield fake
        finally:
            fake.release.set()  # a request held by the fake must not keep the server from stopping
