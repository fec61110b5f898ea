"""Load benchmark of Retour against a bare floor: figures, not a test (`make bench`).

Two servers run side by side on the same database with the same gunicorn command line:

  * Retour (``retour.config.wsgi``, its own settings, nothing added);
  * the floor (``bench/floor/``): a separate, bare Django + django-ninja project with one
    model and only the middleware a JSON API needs, inserting or reading one row.

Each pair below is driven in interleaved rounds (floor, Retour, then Retour, floor, …) at 16
connections, so that a burst of other work on the machine lowers both sides of a ratio:

  create-return      POST /api/v1/returns                     vs floor insert
  returnability      GET  /api/v1/orders/{n}/returnability    vs floor read
  create-order       POST /api/v1/orders                      vs floor insert
  portal order page  GET  /fr/portal/{store}/order/ (session) vs floor read
  staff queue        the staff queue page, when this commit has one, vs floor read
  import             `retour import orders` of a CSV file     vs floor bulk insert of the file

It prints req/s, p50 and p99 of each side, the ratios with their targets, and the SQL queries
of one request of each endpoint (on orders of 1 and 6 lines). PostgreSQL when ``DATABASE_URL``
points at one (the run writes a new store ``bench-<time>``: use a scratch database), otherwise
a fresh SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk.lua"
LINES_PER_ORDER = 3
UNITS_PER_LINE = 20  # each line can take 20 one-unit returns: room for ~120 000 creates
FLOOR_TOKEN = "bench-floor-token"
TARGET_P99_MS = 100.0
IMPORT_TARGET = 5000.0  # orders per second
# A staff queue page is looked for under these URL names (the first that resolves is used).
STAFF_QUEUE_URLS = ("backoffice:home", "staff:queue", "staff:returns", "staff:index", "backoffice:queue")


@dataclass(frozen=True)
class Pair:
    name: str
    floor: str  # floor mode
    retour: str  # Retour mode
    target: float  # Retour / floor req/s, at least
    p99: bool = False  # the p99 target applies


PAIRS = [
    Pair("create-return", "floor_insert", "create", 0.50, p99=True),
    Pair("returnability", "floor_read", "returnability", 0.60, p99=True),
    Pair("create-order", "floor_insert", "create_order", 0.50),
    Pair("portal order page", "floor_read", "portal_order", 0.40),
    Pair("staff queue", "floor_read", "staff_queue", 0.40),
]


@dataclass
class Run:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Series:
    """The runs of one side of a pair over the rounds."""

    runs: list[Run] = field(default_factory=list)

    @property
    def rps(self) -> float:
        seconds = sum(r.seconds for r in self.runs)
        return sum(r.requests for r in self.runs) / seconds if seconds else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs) if self.runs else 0.0

    @property
    def p99(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs) if self.runs else 0.0

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000, help="orders to load (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per pair (default 3)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per run (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per endpoint (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (default 1: sync)"
    )
    parser.add_argument(
        "--import-orders", type=int, default=20000, help="orders in the import file (0 skips the import)"
    )
    parser.add_argument(
        "--only", nargs="*", metavar="PAIR", help="run only these pairs (e.g. create-return returnability)"
    )
    parser.add_argument("--port", type=int, default=0, help="first port to try (default: any free port)")
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of the counted requests")
    return parser.parse_args()


# --- set-up, in this process ---------------------------------------------------------------


def configure_environment(tmp: Path) -> dict[str, str]:
    """The environment of this process and of both servers: the same database."""
    env = dict(os.environ)
    env.setdefault("RETOUR_DATA_DIR", str(tmp / "var"))
    env.update(
        DJANGO_SETTINGS_MODULE="retour.config.settings",
        RETOUR_DEBUG="0",
        RETOUR_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        RETOUR_LOG_LEVEL="WARNING",
        RETOUR_API_RATE_LIMIT="0",
        RETOUR_LOOKUP_RATE_LIMIT="1000000",
        RETOUR_EMAIL_URL="memory://",
        BENCH_FLOOR_TOKEN=FLOOR_TOKEN,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")])),
    )
    os.environ.update(env)
    (Path(env["RETOUR_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns
    return env


def setup_django() -> str:
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]


def floor_command(env: dict[str, str], *args: str) -> str:
    """Run ``bench/floor/load.py`` under the floor's settings; its output."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.floor.load", *args],
        env=dict(env, DJANGO_SETTINGS_MODULE="bench.floor.settings"),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"bench: the floor's {args[0]} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def order_body(number: str, lines: int, now: Any) -> dict[str, Any]:
    return {
        "number": number,
        "placed_at": (now - timedelta(days=7)).isoformat(),
        "delivered_at": (now - timedelta(days=5)).isoformat(),
        "currency": "EUR",
        "customer": {
            "email": f"customer{number}@example.com",
            "name": f"Customer {number}",
            "language": "fr",
        },
        "shipping_address": {
            "name": "Customer",
            "line1": "1 rue de Rivoli",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
        "shipping": {"amount": "4.90", "standard_amount": "4.90"},
        "lines": [
            {
                "ref": f"L{i}",
                "sku": f"SKU-{i}",
                "title": f"Article {i}",
                "quantity": UNITS_PER_LINE,
                "unit_price": "19.90",
                "category": "apparel",
            }
            for i in range(1, lines + 1)
        ],
    }


def order_payload(number: str, lines: int, now: Any) -> Any:
    from retour.orders.schemas import OrderIn

    return OrderIn.model_validate(order_body(number, lines, now))


def load_store(count: int) -> tuple[Any, str, list[list[str]]]:
    """A new store, an admin API key and ``count`` orders: (store, key, [[number, line ids…]])."""
    from django.db import transaction
    from django.utils import timezone

    from retour.orders.models import OrderLine
    from retour.orders.services import order_upsert
    from retour.stores.services import apikey_create, store_create

    slug = f"bench-{int(time.time())}"
    store = store_create(slug=slug, name="Bench", country="FR", currency="EUR", language="fr")
    _, key = apikey_create(store=store, role="admin", name="bench")
    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, count, 200):
        with transaction.atomic():
            for i in range(start, min(start + 200, count)):
                order_upsert(store=store, data=order_payload(f"B{i:06d}", LINES_PER_ORDER, now))
        print(f"\r  loading orders: {min(start + 200, count)}/{count}", end="", flush=True)
    print(f" in {time.perf_counter() - started:.1f} s")
    ids: dict[str, list[str]] = {}
    for number, line_id in (
        OrderLine.objects.filter(order__store=store)
        .order_by("order__number", "position")
        .values_list("order__number", "id")
    ):
        ids.setdefault(number, []).append(str(line_id))
    return store, key, [[number, *lines] for number, lines in sorted(ids.items())]


def portal_sessions(store: Any, numbers: list[str]) -> list[str]:
    """One shopper session per order, granted as a successful lookup grants it."""
    from django.contrib.sessions.backends.db import SessionStore

    from retour.orders.models import Order
    from retour.portal.access import grant

    by_number = {o.number: o for o in Order.objects.filter(store=store, number__in=numbers)}
    keys = []
    for number in numbers:
        request = SimpleNamespace(session=SessionStore())
        grant(request, store=store, order=by_number[number])  # type: ignore[arg-type]
        request.session.save()
        keys.append(str(request.session.session_key))
    return keys


def staff_page(store: Any) -> tuple[str, str] | None:
    """(path of the staff queue page, a logged-in staff session key), or None on a commit without it."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from retour.stores.services import staff_add

    for name in STAFF_QUEUE_URLS:
        for kwargs in ({}, {"store": store.slug}):
            try:
                path = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            user = get_user_model().objects.create_user(
                username=f"{store.slug}-staff", email=f"staff@{store.slug}.example", password=None
            )
            try:
                staff_add(store=store, user=user, role="admin")
            except TypeError:  # another signature on this commit: membership by hand
                from retour.stores.models import StoreMembership

                StoreMembership.objects.create(store=store, user=user, role="admin")
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            client = Client()
            client.force_login(user)
            from django.conf import settings

            return path, client.cookies[settings.SESSION_COOKIE_NAME].value
    return None


def count_queries(
    store: Any, key: str, portal_session: str, staff: tuple[str, str] | None, *, show: bool = False
) -> dict[str, int]:
    """SQL queries of one request of each Retour endpoint, on orders of 1 and of 6 lines."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from retour.orders.services import order_upsert

    now = timezone.now()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    counts: dict[str, int] = {}

    def measure(label: str, what: str, call: Any, expected: int) -> None:
        with CaptureQueriesContext(connection) as ctx:
            response = call()
        check_status(response, expected, what)
        counts[label] = len(ctx.captured_queries)
        print_queries(f"{what} ({label})", ctx.captured_queries, show)

    from retour.policies.catalogue import reason_catalogue
    from retour.policies.models import Policy

    reason_catalogue(Policy.objects.get(store=store))  # a running server has read it long ago
    for lines in (1, 6):
        order, _ = order_upsert(store=store, data=order_payload(f"Q{lines}", lines, now))
        line_ids = list(order.lines.order_by("position").values_list("id", flat=True))
        client.get("/healthz")
        client.get(f"/api/v1/orders/Q{lines}/returnability")  # the key's last-used write happens here
        measure(
            f"returnability_{lines}",
            "returnability",
            lambda n=lines: client.get(f"/api/v1/orders/Q{n}/returnability"),
            200,
        )
        body = {
            "order_number": f"Q{lines}",
            "lines": [{"line_id": i, "quantity": 1, "reason": "too_small"} for i in line_ids],
        }
        measure(
            f"create_{lines}",
            "create-return",
            lambda b=body: client.post("/api/v1/returns", json.dumps(b), content_type="application/json"),
            201,
        )
        order_json = json.dumps(order_body(f"QO{lines}", lines, now), default=str)
        measure(
            f"create_order_{lines}",
            "create-order",
            lambda b=order_json: client.post("/api/v1/orders", b, content_type="application/json"),
            201,
        )
        [session] = portal_sessions(store, [f"Q{lines}"])
        shopper = Client()
        shopper.cookies[settings.SESSION_COOKIE_NAME] = session
        path = f"/fr/portal/{store.slug}/order/"
        shopper.get(path)
        measure(f"portal_order_{lines}", "portal order page", lambda s=shopper, p=path: s.get(p), 200)
    if staff is not None:
        staff_client = Client()
        staff_client.cookies[settings.SESSION_COOKIE_NAME] = staff[1]
        staff_client.get(staff[0])
        measure("staff_queue", "staff queue", lambda: staff_client.get(staff[0]), 200)
    return counts


def print_queries(title: str, queries: list[dict[str, str]], show: bool) -> None:
    if show:
        print(f"--- {title}: {len(queries)} queries")
        for i, query in enumerate(queries, 1):
            print(f"{i:>3}. {query['sql'][:300]}")


def check_status(response: Any, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise SystemExit(f"bench: {what} answered {response.status_code}: {response.content[:500]!r}")


def import_file(path: Path, count: int) -> None:
    """A CSV of ``count`` two-line orders in the importer's format."""
    from django.utils import timezone

    placed = (timezone.now() - timedelta(days=7)).date().isoformat()
    delivered = (timezone.now() - timedelta(days=5)).date().isoformat()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["number", "placed_at", "delivered_at", "currency", "email", "name", "country"]
            + ["ref", "sku", "title", "quantity", "unit_price"]
        )
        for i in range(count):
            for line in (1, 2):
                writer.writerow(
                    [f"I{i:07d}", placed, delivered, "EUR", f"c{i}@example.com", f"Customer {i}", "FR"]
                    + [f"L{line}", f"SKU-{line}", f"Article {line}", 2, "19.90"]
                )


def run_import(env: dict[str, str], count: int, tmp: Path) -> dict[str, Any]:
    """Floor bulk insert of the file, then Retour's importer on it (into a store of its own)."""
    from retour.orders.importer import orders_import
    from retour.stores.services import store_create

    path = tmp / "import.csv"
    import_file(path, count)
    floor_out = floor_command(env, "import", str(path))
    floor = json.loads(next(ln for ln in floor_out.splitlines() if ln.startswith("FLOOR_IMPORT "))[13:])
    store = store_create(
        slug=f"bench-import-{int(time.time())}", name="Import", country="FR", currency="EUR", language="fr"
    )
    started = time.perf_counter()
    summary = orders_import(store=store, path=path)
    seconds = time.perf_counter() - started
    rejected = len(getattr(summary, "rejected", []) or [])
    return {
        "orders": count,
        "floor_seconds": floor["seconds"],
        "retour_seconds": seconds,
        "rejected": rejected,
    }


# --- the servers ---------------------------------------------------------------------------


def free_port(start: int) -> int:
    for port in range(start, start + 100) if start else [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise SystemExit(f"bench: no free port from {start}")


def start_server(
    env: dict[str, str], app: str, port: int, args: argparse.Namespace, log: Path
) -> subprocess.Popen[bytes]:
    """gunicorn with the same command line for both servers; only the application differs."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "--pythonpath",
        str(REPO),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        "60",
        "--backlog",
        "2048",
        app,
    ]
    if not app.startswith("retour"):
        env = dict(env, DJANGO_SETTINGS_MODULE="bench.floor.settings")
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    import httpx

    probe = "/healthz" if app.startswith("retour") else "/floor/items/none"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=2).status_code in (200, 401):
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    sys.stderr.write(log.read_text(errors="replace")[-3000:])
    raise SystemExit(f"bench: {app} did not answer")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- load generators -----------------------------------------------------------------------


class Driver:
    """Runs one endpoint for a while with wrk, or with the Python client."""

    def __init__(
        self, *, ports: dict[str, int], key: str, files: dict[str, Path], extra: dict[str, str], args: Any
    ) -> None:
        self.ports, self.key, self.files, self.extra, self.args = ports, key, files, extra, args
        self.wrk = None if args.python_client else shutil.which("wrk")
        self.threads = min(2, args.connections)
        self.offsets: dict[str, int] = {}  # each mode moves through the orders across runs
        self.serial = 0
        self.orders = [ln.split() for ln in files["orders"].read_text().splitlines()]
        self.sessions = files["sessions"].read_text().split()

    def run(self, mode: str, seconds: int) -> Run:
        self.serial += 1
        result = self._wrk(mode, seconds) if self.wrk else self._python(mode, seconds)
        self.offsets[mode] = self.offsets.get(mode, 0) + result.requests + result.errors
        return result

    def _port(self, mode: str) -> int:
        return self.ports["floor" if mode.startswith("floor") else "retour"]

    def _wrk(self, mode: str, seconds: int) -> Run:
        env = dict(
            os.environ,
            BENCH_MODE=mode,
            BENCH_KEY=FLOOR_TOKEN if mode.startswith("floor") else self.key,
            BENCH_DATA=str(self.files["orders"]),
            BENCH_SESSIONS=str(self.files["sessions"]),
            BENCH_THREADS=str(self.threads),
            BENCH_OFFSET=str(self.offsets.get(mode, 0)),
            BENCH_RUN=f"R{os.getpid()}x{self.serial}",
            **self.extra,
        )
        command = [
            str(self.wrk),
            "-t",
            str(self.threads),
            "-c",
            str(self.args.connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{self._port(mode)}",
        ]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        for failed in [ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_FAIL ")]:
            print(f"    {mode}: {failed}")
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if out.returncode != 0 or line is None:
            raise SystemExit(f"bench: wrk failed:\n{out.stdout}\n{out.stderr}")
        data = json.loads(line.removeprefix("BENCH_JSON "))
        return Run(
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            errors=data["status_errors"] + data["socket_errors"] + data["timeouts"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
        )

    def _request(self, mode: str, k: int) -> tuple[str, str, bytes | None, dict[str, str]]:
        order = self.orders[k % len(self.orders)]
        cookie = self.extra.get("BENCH_COOKIE_NAME", "sessionid")
        if mode == "create":
            line_id = order[1 + (k // len(self.orders)) % (len(order) - 1)]
            body = {
                "order_number": order[0],
                "lines": [{"line_id": int(line_id), "quantity": 1, "reason": "too_small"}],
            }
            return "POST", "/api/v1/returns", json.dumps(body).encode(), {}
        if mode == "returnability":
            return "GET", f"/api/v1/orders/{order[0]}/returnability", None, {}
        if mode == "create_order":
            body = order_body(f"P{os.getpid()}x{self.serial}-{k}", 2, _now())
            return "POST", "/api/v1/orders", json.dumps(body, default=str).encode(), {}
        if mode == "portal_order":
            session = self.sessions[k % len(self.sessions)]
            return "GET", self.extra["BENCH_PORTAL_PATH"], None, {"Cookie": f"{cookie}={session}"}
        if mode == "staff_queue":
            return (
                "GET",
                self.extra["BENCH_STAFF_PATH"],
                None,
                {"Cookie": f"{cookie}={self.extra['BENCH_STAFF_SESSION']}"},
            )
        if mode == "floor_insert":
            return "POST", "/floor/items", b"{}", {}
        return "GET", f"/floor/items/{order[0]}", None, {}

    def _python(self, mode: str, seconds: int) -> Run:
        import httpx

        conns = self.args.connections
        latencies: list[list[float]] = [[] for _ in range(conns)]
        errors = [0] * conns
        key = FLOOR_TOKEN if mode.startswith("floor") else self.key
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        offset = self.offsets.get(mode, 0)
        started = time.perf_counter()
        deadline = started + seconds

        def worker(tid: int) -> None:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{self._port(mode)}", headers=headers, timeout=10
            ) as client:
                n = 0
                while time.perf_counter() < deadline:
                    method, path, body, extra = self._request(mode, offset + n * conns + tid)
                    n += 1
                    t0 = time.perf_counter()
                    try:
                        status = client.request(method, path, content=body, headers=extra).status_code
                    except httpx.HTTPError:
                        status = 0
                    latencies[tid].append(time.perf_counter() - t0)
                    if not 200 <= status < 400:
                        errors[tid] += 1

        workers = [threading.Thread(target=worker, args=(i,)) for i in range(conns)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()
        elapsed = time.perf_counter() - started
        values = sorted(v for per in latencies for v in per)
        if not values:
            return Run(0, elapsed, sum(errors), 0.0, 0.0)

        def pct(p: float) -> float:
            return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000

        return Run(len(values), elapsed, sum(errors), pct(50), pct(99))


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


# --- report --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(
    results: dict[str, tuple[Series, Series]],
    imported: dict[str, Any] | None,
    queries: dict[str, int],
    *,
    engine: str,
    generator: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    print()
    print(
        f"Retour vs bare floor — database: {engine}, load generator: {generator}, "
        f"{args.connections} connections, {args.rounds} interleaved rounds of {args.duration} s, "
        f"gunicorn {args.workers} workers × {args.threads} thread(s)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Load average at the end: {load} on {os.cpu_count()} cores: other work on the machine lowers every figure"
    )
    print("req/s: all rounds together; p50/p99: the median of the rounds' figures")
    print()
    print(
        f"{'pair':<20} {'floor req/s':>11} {'Retour req/s':>12} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'ratio':>6} {'rounds':>11} {'errors':>7} {'target':>7}"
    )
    figures: dict[str, Any] = {}
    for pair in PAIRS:
        if pair.name not in results:
            continue
        floor, retour = results[pair.name]
        ratio = retour.rps / floor.rps if floor.rps else 0.0
        per_round = [r.rps / f.rps for f, r in zip(floor.runs, retour.runs, strict=False) if f.rps]
        spread = f"{min(per_round):.2f}–{max(per_round):.2f}" if per_round else "-"
        ok = ratio >= pair.target and (not pair.p99 or retour.p99 < TARGET_P99_MS)
        print(
            f"{pair.name:<20} {floor.rps:>11.1f} {retour.rps:>12.1f} {retour.p50:>7.1f} {retour.p99:>7.1f} "
            f"{ratio:>6.2f} {spread:>11} {floor.errors + retour.errors:>7} "
            f"{'≥' + format(pair.target, '.2f'):>7}  {verdict(ok)}"
            + (f"  (p99 < {TARGET_P99_MS:.0f} ms)" if pair.p99 else "")
        )
        figures[pair.name] = {
            "floor": {
                "rps": round(floor.rps, 1),
                "p50_ms": round(floor.p50, 2),
                "p99_ms": round(floor.p99, 2),
            },
            "retour": {
                "rps": round(retour.rps, 1),
                "p50_ms": round(retour.p50, 2),
                "p99_ms": round(retour.p99, 2),
                "errors": retour.errors,
            },
            "ratio": round(ratio, 3),
            "ratio_rounds": [round(r, 3) for r in per_round],
        }
    if "staff queue" not in results and (not args.only or "staff queue" in args.only):
        print(f"{'staff queue':<20} {'-':>11} {'-':>12}  (no staff queue page on this commit)")
    if imported:
        n = imported["orders"]
        floor_rate, retour_rate = n / imported["floor_seconds"], n / imported["retour_seconds"]
        print()
        print(
            f"import of {n} two-line orders (CSV): floor bulk insert {floor_rate:,.0f} orders/s, "
            f"retour import orders {retour_rate:,.0f} orders/s ({imported['retour_seconds']:.1f} s), "
            f"ratio {retour_rate / floor_rate:.2f}; target ≥ {IMPORT_TARGET:,.0f} orders/s "
            f"{verdict(retour_rate >= IMPORT_TARGET)}"
            + (f"; {imported['rejected']} rejected" if imported["rejected"] else "")
        )
        figures["import"] = dict(imported, floor_rate=round(floor_rate), retour_rate=round(retour_rate))
    if any(r.errors for _, r in results.values()) or any(f.errors for f, _ in results.values()):
        print(
            "\nwarning: some requests failed or timed out (see 'errors'); their figures are not to be trusted"
        )
    if engine != "postgresql":
        print("\nnote: the targets are set for PostgreSQL; on SQLite writes queue one at a time")
    print()
    print("SQL queries per request (order of 1 line / of 6 lines):")
    for what in ("create", "returnability", "create_order", "portal_order"):
        one, six = queries.get(f"{what}_1"), queries.get(f"{what}_6")
        if one is None:
            continue
        flag = "constant" if six == one else f"grows with lines (+{(six or 0) - one} for 5 more lines)"
        print(f"  {what:<28} {one:>3} / {six!s:<3} {flag}")
    if "staff_queue" in queries:
        print(f"  {'staff_queue':<28} {queries['staff_queue']:>3}")
    return {
        "engine": engine,
        "generator": generator,
        "connections": args.connections,
        "rounds": args.rounds,
        "duration": args.duration,
        "workers": args.workers,
        "load_average": os.getloadavg(),
        "pairs": figures,
        "queries": queries,
    }


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="retour-bench-"))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        env = configure_environment(tmp)
        print("Setting up (migrate Retour and the floor, store, API key, orders, sessions)...")
        engine = setup_django()
        floor_command(env, "migrate")
        store, key, orders = load_store(args.orders)
        sessions = portal_sessions(store, [order[0] for order in orders])
        staff = staff_page(store)
        queries = count_queries(store, key, sessions[0], staff, show=args.show_queries)
        files = {"orders": tmp / "orders.txt", "sessions": tmp / "sessions.txt"}
        files["orders"].write_text("".join(" ".join(order) + "\n" for order in orders))
        files["sessions"].write_text("\n".join(sessions) + "\n")
        floor_command(env, "seed", str(files["orders"]))
        from django.conf import settings
        from django.db import connections

        extra = {
            "BENCH_PORTAL_PATH": f"/fr/portal/{store.slug}/order/",
            "BENCH_COOKIE_NAME": settings.SESSION_COOKIE_NAME,
        }
        if staff is not None:
            extra.update(BENCH_STAFF_PATH=staff[0], BENCH_STAFF_SESSION=staff[1])
        connections.close_all()
        ports: dict[str, int] = {}
        for name, app in (
            ("retour", "retour.config.wsgi:application"),
            ("floor", "bench.floor.wsgi:application"),
        ):
            ports[name] = free_port(args.port + len(ports) if args.port else 0)
            servers.append(start_server(env, app, ports[name], args, tmp / f"{name}.log"))
        driver = Driver(ports=ports, key=key, files=files, extra=extra, args=args)
        generator = "wrk" if driver.wrk else "Python threads (httpx)"
        if not driver.wrk:
            print(
                "note: using the Python load generator, which shares the CPU with the servers: lower bounds"
            )
        pairs = [p for p in PAIRS if (not args.only or p.name in args.only)]
        if staff is None:
            pairs = [p for p in pairs if p.retour != "staff_queue"]
        results: dict[str, tuple[Series, Series]] = {p.name: (Series(), Series()) for p in pairs}
        if args.warmup:
            for mode in dict.fromkeys(m for p in pairs for m in (p.floor, p.retour)):
                driver.run(mode, args.warmup)
        for round_no in range(args.rounds):
            for pair in pairs:
                floor, retour = results[pair.name]
                sides = [(pair.floor, floor), (pair.retour, retour)]
                for mode, series in sides if round_no % 2 == 0 else reversed(sides):
                    series.runs.append(driver.run(mode, args.duration))
            print(f"  round {round_no + 1}/{args.rounds} done", flush=True)
        for server in servers:
            stop_server(server)
        servers.clear()
        imported = None
        if args.import_orders and (not args.only or "import" in args.only):
            print(f"  import: {args.import_orders} orders, floor then Retour...", flush=True)
            imported = run_import(env, args.import_orders, tmp)
        figures = report(results, imported, queries, engine=engine, generator=generator, args=args)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        for server in servers:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
