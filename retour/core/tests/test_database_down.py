"""A database that is down or hangs: /healthz answers 503 with a reason quickly, the API 503.

Each case runs Retour in a child process whose DATABASE_URL points at a local socket: one that
accepts connections and never answers (a hung server), or a port where nothing listens (down).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, sys, time
import django
django.setup()
import retour.config.urls  # noqa: F401 - loaded before the clock starts, as a running server has it
from django.test import Client
client = Client()
out = {}
for name, path, headers in [
    ("healthz", "/healthz", {}),
    ("healthz_again", "/healthz", {}),
    ("api", "/api/v1/returns", {"HTTP_AUTHORIZATION": "Bearer rt_test_0000000000000000"}),
]:
    started = time.monotonic()
    response = client.get(path, **headers)
    out[name] = {
        "status": response.status_code,
        "type": response["Content-Type"],
        "body": response.content.decode(),
        "seconds": time.monotonic() - started,
    }
print(json.dumps(out))
"""


@pytest.fixture
def hung_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _probe(tmp_path: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="retour.config.settings",
        RETOUR_DATA_DIR=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_healthz_answers_503_with_a_reason_within_seconds_when_the_database_hangs(tmp_path, hung_server):
    out = _probe(tmp_path, f"postgres://retour@127.0.0.1:{hung_server}/retour")

    health = out["healthz"]
    assert health["status"] == 503
    assert health["type"] == "application/json"
    assert json.loads(health["body"])["reason"] == "database_timeout"
    assert health["seconds"] < 5
    assert out["healthz_again"]["status"] == 503 and out["healthz_again"]["seconds"] < 5


def test_an_api_call_while_the_database_hangs_is_a_503_problem(tmp_path, hung_server):
    api = _probe(tmp_path, f"postgres://retour@127.0.0.1:{hung_server}/retour")["api"]

    assert api["status"] == 503
    assert api["type"] == "application/problem+json"
    assert json.loads(api["body"])["code"] == "database_unavailable"
    assert api["seconds"] < 10


def test_an_api_call_while_the_database_is_down_is_a_503_problem(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there

    out = _probe(tmp_path, f"postgres://retour@127.0.0.1:{port}/retour")

    assert json.loads(out["healthz"]["body"])["reason"] == "database_unavailable"
    assert out["healthz"]["status"] == 503
    assert out["api"]["status"] == 503
    assert json.loads(out["api"]["body"])["code"] == "database_unavailable"


def test_healthz_answers_ok_quickly_with_a_working_database(db):
    started = time.monotonic()
    response = Client().get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert time.monotonic() - started < 3


def test_postgres_connections_have_connect_and_statement_timeouts(monkeypatch, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        DATABASE_URL="postgres://retour@127.0.0.1:1/retour",
        RETOUR_DATA_DIR=str(tmp_path / "var"),
        RETOUR_DB_STATEMENT_TIMEOUT="7",
        PYTHONPATH=str(ROOT),
    )
    code = (
        "import json; from retour.config import settings as s; "
        "print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    options = json.loads(done.stdout)

    assert options["connect_timeout"] == 5
    assert "statement_timeout=7000" in options["options"]
