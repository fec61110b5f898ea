"""Soak test (`make soak`): kill the worker and web processes under load, then check the data.

On 127.0.0.1 only, bounded in count and time. It starts a local SMTP server (slow to accept a
message and slow to answer QUIT, as real ones are), a fresh Retour (``retour serve`` against
``DATABASE_URL``, or a new SQLite database in a temporary RETOUR_DATA_DIR), and then:

- a few clients create orders and returns and move them (approve, ship, receive) through the API,
  retrying with the same ``Idempotency-Key`` when a killed process drops their request;
- meanwhile the task worker (``kill -9``, as the OOM killer does) and gunicorn's web processes
  are killed in turn, ``--kills`` times each;
- once the load is over it waits for the queue to drain (running the periodic sweep itself, as
  a worker does every 5 minutes) and checks:
  1. every notification was delivered exactly once by Message-ID (copies that share one
     Message-ID are counted apart: providers drop them), and no unknown Message-ID arrived;
  2. no task row and no notification is left running or sending;
  3. no return is in an impossible state (quantities out of order, a status its audit trail
     does not end in).

Prints a report; exits 1 when a check fails. ``python scripts/soak.py --help`` for the knobs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retour.notifications.tests.fake_smtp import FakeSMTP  # noqa: E402

CLI = [sys.executable, "-m", "retour.cli"]


def free_port(first: int = 8200, last: int = 8299) -> int:
    for port in random.sample(range(first, last + 1), last - first + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("soak: no free port in 8200-8299")


class Api:
    """A tiny JSON client that rides out dropped connections and 5xx by retrying."""

    def __init__(self, base: str, key: str):
        self.base, self.key = base, key
        self.retries = 0

    def call(self, method: str, path: str, body: Any = None, *, attempts: int = 40) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())  # the same for every retry of this call
        for attempt in range(attempts):
            request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                if error.code < 500 and error.code != 409:
                    raise RuntimeError(f"{method} {path}: {error.code} {error.read()[:300]!r}") from None
            except (OSError, urllib.error.URLError):
                pass
            self.retries += 1
            time.sleep(min(0.2 * (attempt + 1), 2.0))
        raise RuntimeError(f"{method} {path}: gave up after {attempts} attempts")


def order_body(number: str, email: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "number": number,
        "placed_at": (now - timedelta(days=5)).isoformat(),
        "currency": "EUR",
        "delivered_at": (now - timedelta(days=3)).isoformat(),
        "customer": {"email": email, "name": "Soak Tester", "language": "fr"},
        "shipping_address": {
            "name": "Soak Tester",
            "line1": "1 rue de Rivoli",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
        "lines": [
            {"ref": "L1", "sku": "SOAK-1", "title": "Soak shirt", "quantity": 2, "unit_price": "20.00"}
        ],
    }


def one_return(api: Api, number: str) -> None:
    order = api.call("POST", "/api/v1/orders", order_body(number, f"soak+{number}@example.com"))
    line_id = order["lines"][0]["id"]
    created = api.call(
        "POST",
        "/api/v1/returns",
        {"order_number": number, "lines": [{"line_id": line_id, "quantity": 1, "reason": "defective"}]},
    )
    rr = created["number"]
    if created["status"] == "requested":
        created = api.call("POST", f"/api/v1/returns/{rr}/approve", {})
    api.call("POST", f"/api/v1/returns/{rr}/ship", {"carrier": "colissimo", "tracking_number": number})
    ret_line = created["lines"][0]["id"]
    api.call("POST", f"/api/v1/returns/{rr}/receive", {"lines": [{"id": ret_line, "quantity": 1}]})


def children(pid: int) -> dict[int, str]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    return {int(line.split()[0]): line for line in out.strip().splitlines()}


def killer(serve_pid: int, kills: int, every: float, stop: threading.Event, log: list[str]) -> None:
    """Kill the task worker and a gunicorn web process in turn, ``kills`` times each."""
    done = Counter[str]()
    while not stop.is_set() and (done["worker"] < kills or done["web"] < kills):
        stop.wait(every * random.uniform(0.6, 1.4))
        kids = children(serve_pid)
        want = "worker" if done["worker"] <= done["web"] and done["worker"] < kills else "web"
        if want == "worker":
            target = next((p for p, a in kids.items() if "retour.cli worker" in a), None)
        else:
            master = next((p for p, a in kids.items() if "gunicorn" in a), None)
            target = next(iter(children(master)), None) if master else None
        if target is None:
            continue
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            continue
        done[want] += 1
        log.append(f"{time.strftime('%H:%M:%S')} kill -9 {want} {target}")


def drain(timeout: float) -> dict[str, int]:
    """Wait for the queue to empty, sweeping like a worker would; returns what is left."""
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult

    from retour.core.periodic import periodic_run
    from retour.notifications.models import Notification

    deadline = time.monotonic() + timeout
    left: dict[str, int] = {}
    while time.monotonic() < deadline:
        close_old_connections()
        left = {
            "notifications_unsent": Notification.objects.exclude(status="sent").count(),
            "tasks_waiting": DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).count(),
        }
        if not any(left.values()):
            return left
        periodic_run()  # takes back expired leases, re-enqueues due rows, closes orphaned task rows
        time.sleep(3)
    return left


def check(smtp: FakeSMTP, report: dict[str, Any]) -> list[str]:
    from django_tasks_db.models import DBTaskResult

    from retour.notifications.models import Notification
    from retour.notifications.tasks import notification_message_id
    from retour.returns.models import ReturnEvent, ReturnLine, ReturnRequest

    failures: list[str] = []
    expected = {notification_message_id(n): n.pk for n in Notification.objects.all()}
    received = Counter(str(m["Message-ID"]) for m in smtp.messages)
    missing = [pk for mid, pk in expected.items() if mid not in received]
    unknown = [mid for mid in received if mid not in expected]
    copies = sum(count - 1 for count in received.values() if count > 1)
    report.update(
        notifications=len(expected),
        emails_received=sum(received.values()),
        duplicate_copies_same_message_id=copies,
    )
    if missing:
        failures.append(f"{len(missing)} notifications never delivered: {missing[:10]}")
    if unknown:
        failures.append(f"{len(unknown)} emails with an unknown Message-ID")
    unsent = Notification.objects.exclude(status="sent").values_list("pk", "status")
    if unsent:
        failures.append(f"notifications not sent: {list(unsent)[:10]}")
    running = DBTaskResult.objects.filter(status="RUNNING").count()
    report["task_rows_running"] = running
    if running:
        failures.append(f"{running} task rows left RUNNING")
    bad_lines = [
        ln.pk
        for ln in ReturnLine.objects.all()
        if not (
            0 <= ln.accepted_quantity <= ln.received_quantity <= max(ln.approved_quantity, 0) <= ln.quantity
        )
    ]
    if bad_lines:
        failures.append(f"return lines with impossible quantities: {bad_lines[:10]}")
    returns = list(ReturnRequest.objects.all())
    last_event = {}
    for event in ReturnEvent.objects.order_by("at", "pk"):
        last_event[event.return_request_id] = event.to_status
    wrong_status = [rr.number for rr in returns if last_event.get(rr.pk) != rr.status]
    received_early = [
        rr.number
        for rr in returns
        if rr.status in ("requested", "approved", "in_transit")
        and any(ln.received_quantity for ln in rr.lines.all())
    ]
    report["returns"] = len(returns)
    report["returns_by_status"] = dict(Counter(rr.status for rr in returns))
    if wrong_status:
        failures.append(f"returns whose status is not the end of their audit trail: {wrong_status[:10]}")
    if received_early:
        failures.append(f"returns with received units in a status before receipt: {received_early[:10]}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=45, help="returns to create and move (default 45)")
    parser.add_argument("--clients", type=int, default=3, help="parallel API clients (default 3)")
    parser.add_argument("--kills", type=int, default=6, help="kill -9 of the worker, and of web processes")
    parser.add_argument("--every", type=float, default=3.0, help="seconds between kills (about)")
    parser.add_argument("--drain", type=float, default=300.0, help="seconds to wait for the queue at the end")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="retour-soak-"))
    smtp = FakeSMTP(data_delay=0.15, quit_delay=0.4)
    smtp.__enter__()
    os.environ.update(
        RETOUR_DATA_DIR=str(data_dir),
        RETOUR_EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        RETOUR_EMAIL_FROM="Soak <soak@example.com>",
        RETOUR_SECRET_KEY="soak-" + "x" * 40,
        DJANGO_SETTINGS_MODULE="retour.config.settings",
        PYTHONPATH=str(REPO),
    )
    env = dict(os.environ)
    started = time.monotonic()
    subprocess.run([*CLI, "migrate", "-v", "0"], env=env, cwd=REPO, check=True, timeout=600)
    store = f"soak-{int(time.time())}"
    subprocess.run(
        [*CLI, "store", "create", store, "--name", "Soak", "--country", "FR", "--currency", "EUR"],
        env=env, cwd=REPO, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    key = subprocess.run(
        [*CLI, "apikey", "create", "--store", store, "--role", "admin"],
        env=env, cwd=REPO, check=True, capture_output=True, text=True, timeout=120,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    port = free_port()
    serve_log = (data_dir / "serve.log").open("wb")
    serve = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=serve_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    kills: list[str] = []
    report: dict[str, Any] = {"data_dir": str(data_dir), "port": port}
    try:
        api = Api(f"http://127.0.0.1:{port}", key)
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or serve.poll() is not None:
                    raise SystemExit("soak: the server did not start (see serve.log)") from None
                time.sleep(0.5)
        stop = threading.Event()
        murderer = threading.Thread(target=killer, args=(serve.pid, args.kills, args.every, stop, kills))
        murderer.start()
        errors: list[str] = []

        def client(index: int) -> None:
            for i in range(index, args.returns, args.clients):
                try:
                    one_return(api, f"S{i:04d}")
                except Exception as exc:  # noqa: BLE001 - reported, the others go on
                    errors.append(f"S{i:04d}: {exc}")

        clients = [threading.Thread(target=client, args=(c,)) for c in range(args.clients)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        murderer.join()  # every kill happens, even when the load finished first
        stop.set()
        report.update(api_retries=api.retries, client_errors=errors, kills=kills)

        import django

        django.setup()
        report["left_after_drain"] = drain(args.drain)
        failures = check(smtp, report)
        if serve.poll() is not None:
            failures.append(f"retour serve stopped (exit code {serve.returncode})")
        if errors:
            failures.append(f"{len(errors)} returns could not be completed through the API")
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
        smtp.__exit__(None, None, None)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["failures"] = failures
    print(json.dumps(report, indent=2))
    print("soak: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
