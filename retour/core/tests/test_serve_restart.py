"""`retour serve` outlives the death of its task worker (as the OOM killer would kill it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retour.stores.tests.test_cli import ROOT, _free_port, _get


def _children(pid: int) -> dict[int, str]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    return {int(line.split()[0]): line for line in out.strip().splitlines()}


def _worker_pid(pid: int) -> int | None:
    return next((p for p, args in _children(pid).items() if "retour.cli worker" in args), None)


def _wait(predicate, seconds: float):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_killed_worker_is_restarted_and_logged_while_the_web_server_keeps_serving(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(RETOUR_DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    cli = [sys.executable, "-m", "retour.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=120)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+b")
    out = (tmp_path / "serve.out").open("w+b")
    serve = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=ROOT, stdout=out, stderr=log
    )
    health = f"http://127.0.0.1:{port}/healthz"

    def healthy() -> bool:
        try:
            return _get(health) == 200
        except OSError:
            return False

    try:
        assert _wait(healthy, 60), "the server did not start"
        first = _wait(lambda: _worker_pid(serve.pid), 10)
        assert first

        os.kill(first, signal.SIGKILL)

        assert healthy()  # the web server did not go down with it
        try:
            _get(f"http://127.0.0.1:{port}/api/v1/customers/alice.martin@example.com/store-credit")
        except OSError:
            pass  # 401 without a key: only its access-log line matters
        second = _wait(lambda: (p := _worker_pid(serve.pid)) and p != first and p, 10)
        assert second and second != first
        assert serve.poll() is None and healthy()
        os.kill(second, signal.SIGKILL)  # a second death in a row waits longer, and still comes back
        third = _wait(lambda: (p := _worker_pid(serve.pid)) and p not in (first, second) and p, 10)
        assert third
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
    log.seek(0)
    events = []
    for line in log.read().decode(errors="replace").splitlines():
        if line.startswith("{") and '"retour.serve"' in line:
            events.append(json.loads(line))
    died = [e for e in events if e["event"] == "child_died"]
    assert [e["child"] for e in died] == ["worker", "worker"]
    assert died[0]["exit_code"] == -signal.SIGKILL and died[0]["pid"] == first
    assert died[1]["restart_in"] == 2 * died[0]["restart_in"]
    assert [e["pid"] for e in events if e["event"] == "child_restarted"] == [second, third]
    # The access log: JSON on standard error, and no customer email in clear anywhere.
    log.seek(0)
    text = log.read().decode(errors="replace")
    access = [
        json.loads(line) for line in text.splitlines() if line.startswith('{"at"') and '"access"' in line
    ]
    assert any(a["path"] == "/healthz" and a["status"] == 200 for a in access)
    assert any(a["path"].startswith("/api/v1/customers/[email:") and a["status"] == 401 for a in access)
    out.seek(0)
    assert "alice.martin" not in text + out.read().decode(errors="replace")
