"""Kill -9 the worker while a delivery is in flight: no event is lost, and the only duplicate is
the one in flight, which carries the same webhook-id (and body) so the receiver can tell.

The worker is the real ``retour worker`` in its own process, on its own SQLite database file.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

from retour.integrations.webhooks.tests.receiver import Receiver

SETUP = textwrap.dedent(
    """
    import json, sys
    from retour.cli import setup_django
    setup_django()
    from retour.core.actors import Actor
    from retour.integrations.webhooks.services import webhook_endpoint_create
    from retour.integrations.webhooks.tests.helpers import make_return
    from retour.returns.services import return_approve
    from retour.stores.services import store_create

    store = store_create(slug="shop", name="Shop", country="FR", currency="EUR", language="fr")
    endpoint, secret = webhook_endpoint_create(
        store=store, url=sys.argv[1], events=["return.created", "return.approved"]
    )
    for n in range(3):
        return_approve(return_request=make_return(store, number=f"10{n}"), actor=Actor.system("test"))
    print(json.dumps({"secret": secret}))
    """
)


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "retour.cli", "worker", "--interval", "0.2", "--sweep", "1"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _statuses(db: Path) -> list[str]:
    with sqlite3.connect(db, timeout=20) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM webhooks_webhookdelivery")]


def _event_ids(db: Path) -> set[str]:
    with sqlite3.connect(db, timeout=20) as conn:
        return {row[0] for row in conn.execute("SELECT event_id FROM webhooks_webhookmessage")}


def test_killing_the_worker_mid_delivery_loses_nothing_and_duplicates_only_by_event_id(tmp_path):
    db = tmp_path / "retour.sqlite3"
    env = {
        **os.environ,
        "RETOUR_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{db}",
        "RETOUR_EMAIL_URL": "memory://",
        "RETOUR_WEBHOOK_TIMEOUT": "1",
        "RETOUR_WEBHOOK_LEASE": "1",  # the lease is at least the timeout + 5 s
        "RETOUR_LOG_LEVEL": "WARNING",
        "RETOUR_WEBHOOKS_ALLOW_HTTP": "1",  # the receiver is http://127.0.0.1
        "RETOUR_WEBHOOKS_ALLOW_PRIVATE": "1",
    }
    log = tmp_path / "worker.log"
    _run([sys.executable, "-m", "retour.cli", "migrate", "-v", "0"], env)
    with Receiver() as receiver:
        receiver.hold_first = True
        receiver.secret = json.loads(_run([sys.executable, "-c", SETUP, receiver.url], env).splitlines()[-1])[
            "secret"
        ]
        expected = _event_ids(db)
        assert len(expected) == 6  # created + approved, three returns

        first = _worker(env, log)
        try:
            assert receiver.holding.wait(90), log.read_text()[-3000:]
            os.kill(first.pid, signal.SIGKILL)  # mid-delivery: the receiver has the request, no answer yet
            first.wait(10)
        finally:
            if first.poll() is None:
                os.kill(first.pid, signal.SIGKILL)
        in_flight = receiver.ids()[0]
        assert "sending" in _statuses(db)
        receiver.release.set()

        second = _worker(env, log)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if set(receiver.ids()) >= expected and set(_statuses(db)) == {"succeeded"}:
                    break
                time.sleep(0.5)
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(20)
            except subprocess.TimeoutExpired:
                second.kill()
        received = Counter(receiver.ids())
        assert set(received) == expected, log.read_text()[-3000:]  # nothing lost
        assert set(_statuses(db)) == {"succeeded"}
        assert receiver.rejected == 0  # every call verified with the library
        duplicates = {event_id for event_id, n in received.items() if n > 1}
        assert duplicates <= {in_flight}  # only the delivery cut off by the kill came twice …
        copies = [c["payload"] for c in receiver.calls if c["id"] == in_flight]
        assert all(copy == copies[0] for copy in copies)  # … with the same id and the same body
