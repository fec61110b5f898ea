from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from retour.cli import compile_messages, main
from retour.stores.models import Store, StoreMembership
from retour.stores.services import apikey_authenticate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_store_create_makes_a_store_with_its_main_location(capsys):
    code, out, _ = run(
        capsys,
        "store",
        "create",
        "boutique",
        "--name",
        "La Boutique",
        "--country",
        "fr",
        "--currency",
        "eur",
        "--language",
        "fr",
    )
    assert code == 0 and "Created store boutique" in out
    store = Store.objects.get(slug="boutique")
    assert (store.country, store.currency, store.language) == ("FR", "EUR", "fr")
    assert store.locations.filter(code="main").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--country", "XX", "--currency", "EUR"], "--country must be an ISO 3166-1 alpha-2 code"),
        (["--country", "FR", "--currency", "EURO"], "--currency must be an ISO 4217 code"),
        (["--country", "FR", "--currency", "EUR", "--language", "de"], "--language must be fr or en"),
        (["--country", "FR", "--currency", "EUR", "--time-zone", "Mars/Olympus"], "--time-zone must be"),
    ],
)
def test_store_create_refuses_bad_values_in_one_line_with_exit_code_2(capsys, argv, message):
    code, out, err = run(capsys, "store", "create", "boutique", "--name", "B", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("retour: error: ") and message in err
    assert not Store.objects.filter(slug="boutique").exists()


def test_a_store_slug_is_unique(capsys, store):
    code, _, err = run(
        capsys, "store", "create", store.slug, "--name", "Again", "--country", "FR", "--currency", "EUR"
    )
    assert code == 2 and "already exists" in err


def test_apikey_create_prints_a_working_key_alone_on_the_last_line(capsys, store):
    code, out, _ = run(
        capsys, "apikey", "create", "--store", store.slug, "--role", "warehouse", "--name", "dock"
    )
    assert code == 0
    key = out.rstrip("\n").splitlines()[-1]
    found = apikey_authenticate(key)
    assert found is not None and found.store == store and found.role == "warehouse" and found.name == "dock"


def test_apikey_create_for_an_unknown_store_fails_cleanly(capsys, db):
    code, out, err = run(capsys, "apikey", "create", "--store", "nope", "--role", "admin")
    assert (
        code == 2
        and out == ""
        and err
        == "retour: error: no store with slug 'nope' (create it with 'retour store create nope ...')\n"
    )


def test_an_unknown_role_is_a_usage_error(capsys, store):
    with pytest.raises(SystemExit) as exit_info:
        main(["apikey", "create", "--store", store.slug, "--role", "owner"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'owner'" in err


def test_a_command_group_without_its_action_is_a_usage_error(capsys):
    code, _, err = run(capsys, "store")
    assert code == 2 and "'retour store' needs an action: create" in err


def test_no_command_prints_the_help_and_fails(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "usage: retour" in err


def test_staff_create_gives_a_role_and_prints_a_generated_password(capsys, store):
    from django.contrib.auth import authenticate

    code, out, _ = run(capsys, "staff", "create", "sam", "--store", store.slug, "--role", "agent")
    assert code == 0
    password = out.strip().splitlines()[-1].removeprefix("Password: ")
    assert authenticate(username="sam", password=password) is not None
    assert StoreMembership.objects.get(user__username="sam", store=store).role == "agent"


def test_staff_create_with_a_chosen_password_does_not_print_it(capsys, store):
    code, out, _ = run(
        capsys,
        "staff",
        "create",
        "wh",
        "--store",
        store.slug,
        "--role",
        "warehouse",
        "--password",
        "a-long-pass-phrase",
    )
    assert code == 0 and "a-long-pass-phrase" not in out


def test_import_orders_prints_the_summary_and_exits_1_when_some_were_rejected(capsys, store, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "number,placed_at,currency,email,sku,quantity,unit_price\n"
        "1,2026-07-01T10:00:00+02:00,EUR,a@example.com,X,1,9.90\n"
        "2,2026-07-01T10:00:00+02:00,EUR,b@example.com,X,0,9.90\n"
    )
    code, out, err = run(capsys, "import", "orders", str(path), "--store", store.slug)
    assert code == 1
    assert "2 orders read — 1 imported, 0 updated, 1 rejected" in out and "line 3 (order 2)" in out
    assert "2/2 orders" in err  # the progress bar
    path.write_text(path.read_text().replace(",0,9.90", ",1,9.90"))
    code, out, _ = run(capsys, "import", "orders", str(path), "--store", store.slug, "--quiet")
    assert code == 0 and "1 imported, 1 updated, 0 rejected" in out


def test_import_orders_refuses_an_unusable_file_with_exit_code_2(capsys, store, tmp_path):
    code, _, err = run(capsys, "import", "orders", str(tmp_path / "missing.csv"), "--store", store.slug)
    assert code == 2 and "no such file" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n")
    code, _, err = run(capsys, "import", "orders", str(bad), "--store", store.slug)
    assert code == 2 and "missing required columns" in err


def test_manage_passes_through_to_django(capsys, db):
    code, out, _ = run(capsys, "manage", "check")
    assert code == 0 and "no issues" in out


def test_compilemessages_compiles_po_files_without_gettext(tmp_path):
    import gettext

    po = tmp_path / "app" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Return"\nmsgstr "Retour"\n\n#, fuzzy\nmsgid "Approve"\nmsgstr "Approuvez"\n',
        encoding="utf-8",
    )
    (tmp_path / "notes" / "x.po").parent.mkdir()
    (tmp_path / "notes" / "x.po").write_text("")  # not under locale/*/LC_MESSAGES: left alone
    assert compile_messages(tmp_path) == [po.with_suffix(".mo")]
    with po.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    assert catalog.gettext("Return") == "Retour"
    assert catalog.gettext("Approve") == "Approve"  # fuzzy entries are not used


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local test server
        return response.status


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_serve_runs_the_web_server_and_a_worker_until_sigterm_stops_both(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(RETOUR_DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    cli = [sys.executable, "-m", "retour.cli"]
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=120)
    port = _free_port()
    serve = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"http://127.0.0.1:{port}/healthz") == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or serve.poll() is not None:
                    raise
                time.sleep(0.3)
        children = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(serve.pid)], capture_output=True, text=True
        ).stdout
        assert "gunicorn" in children and "retour.cli worker" in children
        assert _get(f"http://127.0.0.1:{port}/static/admin/css/base.css") == 200  # collected, served
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        pids = [int(line.split()[0]) for line in children.strip().splitlines()]
        time.sleep(0.2)
        for pid in pids:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
            )
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()


def test_the_periodic_jobs_of_a_worker_run_on_an_empty_database(db):
    from retour.core.periodic import periodic_run

    results = periodic_run()
    assert set(results) >= {"notifications_retried", "returns_expired", "refunds_flagged_overdue"}
    assert all(count == 0 for count in results.values())


def test_serve_refuses_to_start_on_a_database_that_is_not_migrated(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(RETOUR_DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "retour.cli", "serve", "--port", str(_free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "retour: error: the database is not up to date: run 'retour migrate' first\n"
