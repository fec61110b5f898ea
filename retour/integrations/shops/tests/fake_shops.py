"""Local fakes of the shop platforms' order APIs, on 127.0.0.1 (no test reaches the internet).

``FakeShopify`` speaks ``GET /admin/api/<version>/orders.json`` with cursor pagination
(``Link: <…page_info=…>; rel="next"``) and ``orders/count.json``, checking the access token;
``FakeWooCommerce`` speaks ``GET /wp-json/wc/v3/orders`` with ``page``/``per_page`` and
``X-WP-Total``/``X-WP-TotalPages``, checking HTTP basic auth. Both can be told to answer the next
calls with a 429 (and its ``Retry-After``) or a 5xx, and record every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from retour.core.tests.local_http import local_server


def sign(body: bytes, secret: str) -> str:
    """What Shopify and WooCommerce put in their signature headers."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class _Fake:
    def __init__(self) -> None:
        self.orders: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, str]]] = []  # next answers: (status, headers)
        self.fail_pages: set[int] = set()  # pages answered with 500 every time
        self.page_size = 2
        self.url = ""
        self.lock = threading.Lock()

    def page_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith(("orders.json", "/orders"))]

    def answer(self, method: str, path: str, headers: Any) -> tuple[int, Any, dict[str, str]]:
        url = urlparse(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append(
                {"method": method, "path": url.path, "query": query, "headers": dict(headers)}
            )
            if not self.authorized(headers):
                return 401, {"errors": "[API] Invalid API key or access token"}, {}
            if self.script:
                status, extra = self.script.pop(0)
                return status, {"errors": "scripted"}, extra
        return self.route(url.path, query)

    def authorized(self, headers: Any) -> bool:
        raise NotImplementedError

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError


class FakeShopify(_Fake):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def authorized(self, headers: Any) -> bool:
        return headers.get("X-Shopify-Access-Token") == self.token

    def _matching(self, query: dict[str, str]) -> list[dict[str, Any]]:
        since = query.get("updated_at_min")
        orders = sorted(self.orders, key=lambda o: o["updated_at"])
        return [o for o in orders if not since or o["updated_at"] >= since]

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path.endswith("/orders/count.json"):
            return 200, {"count": len(self._matching(query))}, {}
        if not path.endswith("/orders.json"):
            return 404, {"errors": "Not Found"}, {}
        if "page_info" in query:
            # Shopify refuses filters next to a cursor; the cursor holds them.
            if set(query) - {"page_info", "limit"}:
                return 400, {"errors": "page_info cannot be combined with other filters"}, {}
            state = json.loads(base64.urlsafe_b64decode(query["page_info"]))
            start, filters = state["start"], state["filters"]
        else:
            start, filters = 0, {k: v for k, v in query.items() if k == "updated_at_min"}
        page = start // self.page_size + 1
        if page in self.fail_pages:
            return 500, {"errors": "Internal Server Error"}, {}
        size = min(int(query.get("limit", 50)), self.page_size)
        orders = self._matching(filters)
        headers = {}
        if start + size < len(orders):
            cursor = base64.urlsafe_b64encode(
                json.dumps({"start": start + size, "filters": filters}).encode()
            )
            link = f"{self.url}{path}?{urlencode({'limit': size, 'page_info': cursor.decode()})}"
            headers["Link"] = f'<{link}>; rel="next"'
        return 200, {"orders": orders[start : start + size]}, headers


class FakeWooCommerce(_Fake):
    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        super().__init__()
        self.basic = "Basic " + base64.b64encode(f"{consumer_key}:{consumer_secret}".encode()).decode()

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization") == self.basic

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path != "/wp-json/wc/v3/orders":
            return 404, {"code": "rest_no_route"}, {}
        page, size = int(query.get("page", 1)), min(int(query.get("per_page", 10)), self.page_size)
        if page in self.fail_pages:
            return 500, {"code": "internal_server_error"}, {}
        since = query.get("modified_after")
        orders = sorted(
            (o for o in self.orders if not since or o["date_modified_gmt"] >= since[:19]),
            key=lambda o: o["id"],
        )
        pages = max(1, -(-len(orders) // size))
        headers = {"X-WP-Total": str(len(orders)), "X-WP-TotalPages": str(pages)}
        return 200, orders[(page - 1) * size : page * size], headers


@contextmanager
def serve(fake: _Fake) -> Iterator[_Fake]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            status, body, headers = fake.answer("GET", self.path, self.headers)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    with local_server(Handler) as url:
        fake.url = url
        yield fake


class FakePrestaShop(_Fake):
    """``/api/orders`` with ``display=full``, ``filter[date_upd]=[from,to]`` (with ``date=1``),
    ``sort`` and ``limit=offset,count``; the customers, addresses, countries, currencies and
    languages an order refers to. An empty list is answered ``[]``, as PrestaShop does."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.basic = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
        self.resources: dict[str, dict[str, Any]] = {}

    def authorized(self, headers: Any) -> bool:
        return headers.get("Authorization") == self.basic

    def route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path in self.resources:
            return 200, self.resources[path], {}
        if path != "/api/orders":
            return 404, {"errors": [{"code": 3, "message": "not found"}]}, {}
        orders = sorted(self.orders, key=lambda o: (o["date_upd"], o["id"]))
        window = query.get("filter[date_upd]")
        if window:
            if query.get("date") != "1":
                return 400, {"errors": [{"message": "date filter needs date=1"}]}, {}
            low, high = window.strip("[]").split(",")
            orders = [o for o in orders if low <= o["date_upd"] <= high]
        offset, size = (int(n) for n in query.get("limit", f"0,{len(orders)}").split(","))
        page = orders[offset : offset + size]
        return 200, ({"orders": page} if page else []), {}
