"""Load benchmark of Retour's API: figures, not a test (`make bench`).

Starts the production server (gunicorn) against ``DATABASE_URL`` (or a fresh SQLite database
in a temporary ``RETOUR_DATA_DIR``), loads a store with ~2 000 orders, then drives, one after
the other, at 16 connections:

  (a) POST /api/v1/returns                      each request returns a unit of another order
  (b) GET  /api/v1/orders/{number}/returnability
  (c) POST /bench/insert                        floor: the same stack inserting one row
  (d) GET  /bench/orders/{number}               floor: the same stack reading one row

and prints req/s, p50 and p99 of each, the ratios (a)/(c) and (b)/(d) against their targets,
and the number of SQL queries of one request of (a) and (b) on orders of 1 and 6 lines.

The load generator is ``wrk`` (Debian's package); without it a small threaded Python client
takes its place, which is slower and shares the two cores with the server: the output says so.

With ``DATABASE_URL`` the run writes a new store (``bench-<time>``) into that database: point it
at a scratch database.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk.lua"
LINES_PER_ORDER = 3
UNITS_PER_LINE = 20  # each line can take 20 one-unit returns: room for ~120 000 creates

TARGET_CREATE_RATIO = 0.5
TARGET_READ_RATIO = 0.6
TARGET_P99_MS = 100.0


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000, help="orders to load (default 2000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (default 1: sync)"
    )
    parser.add_argument("--python-client", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of the counted requests")
    return parser.parse_args()


# --- set-up, in this process ---------------------------------------------------------------


def configure_environment(tmp: Path) -> dict[str, str]:
    """The environment of this process and of the server: the same database and settings."""
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["RETOUR_DATA_DIR"] = str(tmp / "var")
    else:
        env.setdefault("RETOUR_DATA_DIR", str(tmp / "var"))
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        RETOUR_DEBUG="0",
        RETOUR_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        RETOUR_LOG_LEVEL="WARNING",
        RETOUR_API_RATE_LIMIT="0",
        RETOUR_EMAIL_URL="memory://",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")])),
    )
    os.environ.update(env)
    (Path(env["RETOUR_DATA_DIR"]) / "static").mkdir(
        parents=True, exist_ok=True
    )  # whitenoise warns without it
    return env


def setup_django() -> str:
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]


def order_payload(number: str, lines: int, now: Any) -> Any:
    from retour.orders.schemas import OrderIn

    return OrderIn.model_validate(
        {
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
    )


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


def count_queries(store: Any, key: str, *, show: bool = False) -> dict[str, int]:
    """SQL queries of one request of each real endpoint, on orders of 1 and of 6 lines."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from retour.orders.services import order_upsert

    now = timezone.now()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    counts: dict[str, int] = {}
    for lines in (1, 6):
        order, _ = order_upsert(store=store, data=order_payload(f"Q{lines}", lines, now))
        line_ids = list(order.lines.order_by("position").values_list("id", flat=True))
        client.get("/healthz")
        client.get(f"/api/v1/orders/Q{lines}/returnability")  # the key's last-used write happens here
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/orders/Q{lines}/returnability")
        check_status(response, 200, "returnability")
        counts[f"returnability_{lines}"] = len(ctx.captured_queries)
        print_queries(f"GET /api/v1/orders/Q{lines}/returnability", ctx.captured_queries, show)
        body = {
            "order_number": f"Q{lines}",
            "lines": [{"line_id": i, "quantity": 1, "reason": "too_small"} for i in line_ids],
        }
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/returns", json.dumps(body), content_type="application/json")
        check_status(response, 201, "create")
        counts[f"create_{lines}"] = len(ctx.captured_queries)
        print_queries(f"POST /api/v1/returns ({lines} lines)", ctx.captured_queries, show)
    return counts


def print_queries(title: str, queries: list[dict[str, str]], show: bool) -> None:
    if show:
        print(f"--- {title}: {len(queries)} queries")
        for i, query in enumerate(queries, 1):
            print(f"{i:>3}. {query['sql'][:300]}")


def check_status(response: Any, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise SystemExit(f"bench: {what} answered {response.status_code}: {response.content[:500]!r}")


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, args: argparse.Namespace, log: Path
) -> subprocess.Popen[bytes]:
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
        "retour.config.wsgi:application",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    sys.stderr.write(log.read_text(errors="replace")[-3000:])
    raise SystemExit("bench: the server did not answer /healthz")


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

    def __init__(self, *, port: int, key: str, orders: list[list[str]], data: Path, args: argparse.Namespace):
        self.port, self.key, self.orders, self.data, self.args = port, key, orders, data, args
        self.wrk = None if args.python_client else shutil.which("wrk")
        self.threads = min(2, args.connections)
        self.offset = 0  # creates move through the orders across runs, so no order runs dry

    def run(self, mode: str, name: str, seconds: int) -> Result:
        result = self._wrk(mode, name, seconds) if self.wrk else self._python(mode, name, seconds)
        self.offset += result.requests + result.errors
        return result

    def _wrk(self, mode: str, name: str, seconds: int) -> Result:
        env = dict(
            os.environ,
            BENCH_MODE=mode,
            BENCH_KEY=self.key,
            BENCH_DATA=str(self.data),
            BENCH_THREADS=str(self.threads),
            BENCH_OFFSET=str(self.offset),
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
            f"http://127.0.0.1:{self.port}",
        ]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
        if out.returncode != 0 or line is None:
            raise SystemExit(f"bench: wrk failed:\n{out.stdout}\n{out.stderr}")
        data = json.loads(line.removeprefix("BENCH_JSON "))
        return Result(
            name=name,
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            errors=data["status_errors"] + data["socket_errors"] + data["timeouts"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
        )

    def _request(self, mode: str, k: int) -> tuple[str, str, bytes | None]:
        order = self.orders[k % len(self.orders)]
        if mode == "create":
            line_id = order[1 + (k // len(self.orders)) % (len(order) - 1)]
            body = {
                "order_number": order[0],
                "lines": [{"line_id": int(line_id), "quantity": 1, "reason": "too_small"}],
            }
            return "POST", "/api/v1/returns", json.dumps(body).encode()
        if mode == "returnability":
            return "GET", f"/api/v1/orders/{order[0]}/returnability", None
        if mode == "floor_insert":
            return "POST", "/bench/insert", b"{}"
        return "GET", f"/bench/orders/{order[0]}", None

    def _python(self, mode: str, name: str, seconds: int) -> Result:
        import httpx

        conns = self.args.connections
        latencies: list[list[float]] = [[] for _ in range(conns)]
        errors = [0] * conns
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        started = time.perf_counter()
        deadline = started + seconds

        def worker(tid: int) -> None:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{self.port}", headers=headers, timeout=10
            ) as client:
                n = 0
                while time.perf_counter() < deadline:
                    method, path, body = self._request(mode, self.offset + n * conns + tid)
                    n += 1
                    t0 = time.perf_counter()
                    try:
                        status = client.request(method, path, content=body).status_code
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
            return Result(name, 0, elapsed, sum(errors), 0.0, 0.0)

        def pct(p: float) -> float:
            return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000

        return Result(name, len(values), elapsed, sum(errors), pct(50), pct(99))


# --- report --------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(
    results: dict[str, Result],
    queries: dict[str, int],
    *,
    engine: str,
    generator: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    print()
    print(
        f"Retour API benchmark — database: {engine}, load generator: {generator}, "
        f"{args.connections} connections, {args.duration} s per endpoint, gunicorn {args.workers} workers"
        f" × {args.threads} thread(s)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Load average at the end: {load} on {os.cpu_count()} cores: other work on the machine lowers every figure"
    )
    print()
    print(f"{'endpoint':<44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in results.values():
        print(
            f"{result.name:<44} {result.rps:>9.1f} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f} {result.errors:>7}"
        )
    create, returnability = results["create"], results["returnability"]
    floor_insert, floor_read = results["floor_insert"], results["floor_read"]
    create_ratio = create.rps / floor_insert.rps if floor_insert.rps else 0.0
    read_ratio = returnability.rps / floor_read.rps if floor_read.rps else 0.0
    checks = [
        (
            "create / floor insert",
            f"{create_ratio:.2f}",
            f">= {TARGET_CREATE_RATIO}",
            create_ratio >= TARGET_CREATE_RATIO,
        ),
        (
            "returnability / floor read",
            f"{read_ratio:.2f}",
            f">= {TARGET_READ_RATIO}",
            read_ratio >= TARGET_READ_RATIO,
        ),
        ("p99 create", f"{create.p99_ms:.1f} ms", f"< {TARGET_P99_MS:.0f} ms", create.p99_ms < TARGET_P99_MS),
        (
            "p99 returnability",
            f"{returnability.p99_ms:.1f} ms",
            f"< {TARGET_P99_MS:.0f} ms",
            returnability.p99_ms < TARGET_P99_MS,
        ),
    ]
    print()
    print(f"{'measure':<44} {'value':>9} {'target':>10}")
    for name, value, target, ok in checks:
        print(f"{name:<44} {value:>9} {target:>10}  {verdict(ok)}")
    if any(r.errors for r in results.values()):
        print("\nwarning: some requests failed (see 'errors'); their figures are not to be trusted")
    if engine != "postgresql":
        print("\nnote: the targets are set for PostgreSQL; on SQLite writes queue one at a time")
    print()
    print("SQL queries per request (order of 1 line / of 6 lines):")
    for what, label in (("create", "POST /api/v1/returns"), ("returnability", "GET …/returnability")):
        one, six = queries[f"{what}_1"], queries[f"{what}_6"]
        flag = "constant" if six == one else f"grows with lines (+{six - one} for 5 more lines)"
        print(f"  {label:<28} {one:>3} / {six:<3} {flag}")
    return {
        "engine": engine,
        "generator": generator,
        "connections": args.connections,
        "load_average": os.getloadavg(),
        "results": {
            k: {
                "rps": round(r.rps, 1),
                "p50_ms": round(r.p50_ms, 2),
                "p99_ms": round(r.p99_ms, 2),
                "requests": r.requests,
                "errors": r.errors,
            }
            for k, r in results.items()
        },
        "ratios": {
            "create_over_floor_insert": round(create_ratio, 3),
            "returnability_over_floor_read": round(read_ratio, 3),
        },
        "queries": queries,
    }


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="retour-bench-"))
    server = None
    try:
        env = configure_environment(tmp)
        print("Setting up (migrate, store, API key, orders)...")
        engine = setup_django()
        store, key, orders = load_store(args.orders)
        queries = count_queries(store, key, show=args.show_queries)
        data = tmp / "orders.txt"
        data.write_text("".join(" ".join(order) + "\n" for order in orders))
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_server(env, port, args, tmp / "server.log")
        driver = Driver(port=port, key=key, orders=orders, data=data, args=args)
        generator = "wrk" if driver.wrk else "Python threads (httpx)"
        if not driver.wrk:
            print(
                "note: wrk is not available" if not args.python_client else "note: --python-client given",
                end="",
            )
            print(
                "; using the Python load generator, which shares the CPU with the server: figures are lower bounds"
            )
        plan = [
            ("floor_insert", "POST /bench/insert (floor: insert one row)"),
            ("create", "POST /api/v1/returns"),
            ("floor_read", "GET /bench/orders/{n} (floor: read one row)"),
            ("returnability", "GET /api/v1/orders/{n}/returnability"),
        ]
        results: dict[str, Result] = {}
        for mode, name in plan:
            print(f"  {name}: warm-up {args.warmup} s, then {args.duration} s", flush=True)
            if args.warmup:
                driver.run(mode, name, args.warmup)
            results[mode] = driver.run(mode, name, args.duration)
        figures = report(results, queries, engine=engine, generator=generator, args=args)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
