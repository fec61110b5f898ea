"""The backfill: page through a shop's REST list of orders and apply each one.

The cursor (the request of the next page) is saved on the connector after every page, so a
sync that stops (an error, Ctrl-C, a crash) starts again where it was. A 429 waits as long as
the shop's ``Retry-After`` says; a 5xx or a network error is retried after a growing pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

from retour.core.outbound import AddressRefused, GuardedTransport
from retour.integrations.shops.adapters import adapter_for
from retour.integrations.shops.adapters.base import ShopPayloadError
from retour.integrations.shops.models import ShopConnector
from retour.integrations.shops.services import connector_credentials, connector_error, shop_order_apply

MAX_TRIES = 8
MAX_WAIT_SECONDS = 120.0
DEFAULT_RETRY_AFTER = 2.0


class ShopSyncError(Exception):
    """The shop did not give its orders (refused credentials, persistent errors)."""


@dataclass
class SyncSummary:
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    resumed: bool = False

    def report(self) -> str:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(self.counts.items())) or "no orders"
        resumed = " (resumed)" if self.resumed else ""
        return f"Synced {self.pages} page(s){resumed}: {counts}"


def retry_after(response: httpx.Response, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds to wait per ``Retry-After`` (seconds, possibly fractional like Shopify's "2.0",
    or an HTTP date), within ``MAX_WAIT_SECONDS``."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(raw) - timezone.now()).total_seconds()
        except (TypeError, ValueError):
            return default
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


def fetch(
    client: httpx.Client,
    request: dict[str, Any],
    *,
    sleep: Callable[[float], None] = time.sleep,
    missing_ok: bool = False,
) -> httpx.Response | None:
    """GET one page, waiting out 429s and retrying 5xx and network errors; None for a 404 when
    ``missing_ok`` (a deleted customer or address an order still refers to)."""
    problem = ""
    for attempt in range(1, MAX_TRIES + 1):
        try:
            response = client.get(request["url"], params=request.get("params") or None)
        except httpx.HTTPError as error:
            problem, wait = f"{type(error).__name__}: {error}", min(2.0**attempt, MAX_WAIT_SECONDS)
        else:
            if response.status_code == 200:
                return response
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code == 429:
                problem, wait = "429 too many requests", retry_after(response)
            elif response.status_code >= 500:
                problem, wait = f"HTTP {response.status_code}", min(2.0**attempt, MAX_WAIT_SECONDS)
            else:
                raise ShopSyncError(
                    f"HTTP {response.status_code} from {request['url']}: {response.text[:200]}"
                )
        if attempt < MAX_TRIES:
            sleep(wait)
    raise ShopSyncError(f"{problem} from {request['url']}, {MAX_TRIES} tries")


def _found(response: httpx.Response | None) -> httpx.Response:
    if response is None:  # only with missing_ok
        raise ShopSyncError("not found")
    return response


def connector_sync(
    *,
    connector: ShopConnector,
    since: datetime | None = None,
    restart: bool = False,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncSummary:
    """Apply every order of the shop (changed since ``since``), page by page, resuming the sync
    left unfinished unless ``restart`` or another ``since`` is given."""
    adapter = adapter_for(connector.platform)
    since_key = since.isoformat() if since else None
    state: dict[str, Any] = dict(connector.sync_state or {})
    summary = SyncSummary()
    if (
        restart
        or not state.get("next")
        or ("since" in state and since is not None and state["since"] != since_key)
    ):
        state = {
            "since": since_key,
            "next": adapter.first_page(since=since, time_zone=connector.store.time_zone),
            "done": 0,
            "total": None,
        }
    else:
        summary.resumed = True
        since = datetime.fromisoformat(state["since"]) if state.get("since") else None
    credentials = connector_credentials(connector)
    options = adapter.client_options(
        shop_url=connector.shop_url, token=credentials.token, consumer_key=credentials.consumer_key
    )
    timeout = getattr(settings, "SHOP_TIMEOUT_SECONDS", 30)
    try:
        # The shop's address is the merchant's to choose: connections go through the same guard
        # as outgoing webhooks (never into our own networks) unless the operator allows it.
        transport = (
            httpx.HTTPTransport(trust_env=False) if settings.SHOPS_ALLOW_PRIVATE else GuardedTransport()
        )
        with httpx.Client(
            timeout=timeout, follow_redirects=False, trust_env=False, transport=transport, **options
        ) as client:
            cache: dict[str, dict[str, Any]] = {}

            def get(path: str) -> dict[str, Any]:
                """A resource the orders refer to, read once per sync."""
                if path not in cache:
                    found = fetch(
                        client,
                        {"url": path, "params": {"output_format": "JSON"}},
                        sleep=sleep,
                        missing_ok=True,
                    )
                    body = found.json() if found is not None else {}
                    cache[path] = body if isinstance(body, dict) else {}
                return cache[path]

            count = adapter.count_request(since=since) if state.get("total") is None else None
            if count is not None:
                state["total"] = adapter.parse_count(_found(fetch(client, count, sleep=sleep)))
            while state["next"]:
                page = adapter.parse_page(_found(fetch(client, state["next"], sleep=sleep)), state["next"])
                orders = adapter.enrich(page.orders, get, time_zone=connector.store.time_zone)
                for payload in orders:
                    outcome = shop_order_apply(connector=connector, payload=payload)
                    summary.counts[outcome] = summary.counts.get(outcome, 0) + 1
                summary.pages += 1
                done = int(state.get("done") or 0) + len(page.orders)
                total = state["total"] if state.get("total") is not None else page.total
                state = {**state, "next": page.next, "done": done, "total": total}
                ShopConnector.objects.filter(pk=connector.pk).update(sync_state=state)  # the cursor
                if progress is not None:
                    progress(done, max(total or 0, done) if page.next else done)
    except (ShopSyncError, ShopPayloadError, httpx.HTTPError, ValueError, AddressRefused) as error:
        connector_error(connector=connector, error=f"sync: {error}")
        raise ShopSyncError(str(error)) from error
    now = timezone.now()
    ShopConnector.objects.filter(pk=connector.pk).update(
        sync_state={}, last_synced_at=now, last_success_at=now
    )
    return summary
