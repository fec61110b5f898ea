"""The ``retour`` command: run, set up and feed a Retour installation.

Every subcommand configures Django (``retour.config.settings``) before it touches a model. Bad
input stops with one line on stderr and exit code 2; ``import orders`` exits 1 when some orders
were rejected (the good ones are imported all the same).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

SETTINGS = "retour.config.settings"
SWEEP_SECONDS = 300  # how often a worker looks for notifications whose task was lost or is due again
STOP_GRACE_SECONDS = 20


class CliError(Exception):
    """Bad input from the command line: reported as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


# --- database, demo ------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":  # building an index on a big table may take long
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from retour.stores.demo import demo_load

    result = demo_load()
    print(result.report())
    return 0


# --- serving -------------------------------------------------------------------------------


def _python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def _stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each child still running, then wait; SIGKILL the ones that outstay the grace."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


RESTART_BACKOFF_FIRST = 1.0  # seconds before the first restart of a child that died
RESTART_BACKOFF_MAX = 60.0
RESTART_STABLE_SECONDS = 60.0  # a child that ran this long starts again from the first delay


def _log_event(event: str, **fields: Any) -> None:
    """One JSON line on stderr, like every other log line of Retour."""
    import json
    from datetime import UTC, datetime

    line = {"at": datetime.now(UTC).isoformat(), "level": "warning", "logger": "retour.serve", "event": event}
    sys.stderr.write(json.dumps({**line, **fields}) + "\n")
    sys.stderr.flush()


def supervise(commands: dict[str, list[str]], *, restart: Sequence[str] = ()) -> int:
    """Run the commands side by side until a signal arrives; then stop all.

    A child named in ``restart`` that dies (the OOM killer, a crash) is started again after a
    delay that doubles at each death in a row (1 s … 60 s), and each restart is logged; the
    others keep running meanwhile. Any other child that stops stops everything.
    """
    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.set()

    def start(name: str) -> subprocess.Popen[bytes]:
        # Their own session: Ctrl-C reaches this supervisor only, which stops each child once.
        return subprocess.Popen(commands[name], env=os.environ.copy(), start_new_session=True)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    started: dict[str, float] = {}
    delays: dict[str, float] = {}
    due: dict[str, float] = {}  # name → when to start it again
    try:
        for name in commands:
            processes[name], started[name] = start(name), time.monotonic()
        status = 0
        while not stopping.is_set():
            now = time.monotonic()
            for name, process in list(processes.items()):
                code = process.poll()
                if code is None or name in due:
                    continue
                if name not in restart:
                    sys.stderr.write(f"retour: the {name} stopped (exit code {code}); stopping the others\n")
                    status = code or 1
                    stopping.set()
                    break
                ran = now - started[name]
                delay = (
                    RESTART_BACKOFF_FIRST
                    if ran >= RESTART_STABLE_SECONDS or name not in delays
                    else min(delays[name] * 2, RESTART_BACKOFF_MAX)
                )
                delays[name], due[name] = delay, now + delay
                _log_event("child_died", child=name, pid=process.pid, exit_code=code, restart_in=delay)
            for name, when in list(due.items()):
                if when <= now and not stopping.is_set():
                    del due[name]
                    processes[name], started[name] = start(name), time.monotonic()
                    _log_event("child_restarted", child=name, pid=processes[name].pid)
            stopping.wait(0.2)
    finally:
        _stop(list(processes.values()))
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def _check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CliError("the database is not up to date: run 'retour migrate' first")


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535 (got {args.port})")
    if args.workers < 1:
        raise CliError(f"--workers must be at least 1 (got {args.workers})")
    _check_migrated()
    call_command("collectstatic", interactive=False, verbosity=0)
    commands = {
        "web server": _python_module(
            "gunicorn",
            "retour.config.wsgi",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--logger-class",
            "retour.config.gunicorn_logger.JsonAccessLogger",
        )
    }
    if not args.no_worker:
        commands["worker"] = _python_module("retour.cli", "worker")
    where = f"http://{args.host}:{args.port}"
    print(f"Retour on {where} (admin: {where}/admin/, API docs: {where}/api/v1/docs)", flush=True)
    print(
        f"Data in {settings.DATA_DIR}; "
        + (
            "one worker beside the web server"
            if not args.no_worker
            else "no worker: run 'retour worker' to send emails"
        ),
        flush=True,
    )
    # gunicorn's master restarts its own dead workers; the task worker has us.
    return supervise(commands, restart=("worker",))


def _sweep_forever(interval: float) -> None:
    """Run the periodic jobs (retour.core.periodic) every ``interval`` seconds."""
    from django.db import close_old_connections

    from retour.core.periodic import periodic_run

    while True:
        time.sleep(interval)
        try:
            results = periodic_run()
            failed = [name for name, count in results.items() if count < 0]
            if failed:
                sys.stderr.write(f"retour: periodic jobs failed: {', '.join(failed)}\n")
        except Exception as exc:  # noqa: BLE001 - a sweep that fails is retried at the next round
            sys.stderr.write(f"retour: periodic sweep failed: {exc}\n")
        finally:
            close_old_connections()


def cmd_worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from retour.core.tasks import tasks_sweep_orphaned, worker_id_new

    # A worker restarted after a crash first closes the rows its dead predecessor left running.
    try:
        tasks_sweep_orphaned()
    except Exception as exc:  # noqa: BLE001 - the periodic sweep tries again
        sys.stderr.write(f"retour: sweeping orphaned tasks failed: {exc}\n")
    if args.sweep > 0:
        threading.Thread(target=_sweep_forever, args=(args.sweep,), name="retour-sweep", daemon=True).start()
    options: dict[str, Any] = {"interval": args.interval, "verbosity": 1, "worker_id": worker_id_new()}
    if args.max_tasks:
        options["max_tasks"] = args.max_tasks
    call_command("db_worker", **options)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from retour.core.retention import retention_purge

    for kind, count in retention_purge().items():
        print(f"{kind.replace('_', ' ')}: {count} deleted")
    return 0


# --- stores, keys, staff -------------------------------------------------------------------


def _store(slug: str) -> Any:
    from retour.stores.models import Store

    store = Store.objects.filter(slug=slug).first()
    if store is None:
        raise CliError(f"no store with slug {slug!r} (create it with 'retour store create {slug} ...')")
    return store


def _check_store_fields(args: argparse.Namespace) -> None:
    import zoneinfo

    import pycountry

    if len(args.country) != 2 or pycountry.countries.get(alpha_2=args.country.upper()) is None:
        raise CliError(f"--country must be an ISO 3166-1 alpha-2 code such as FR (got {args.country!r})")
    if len(args.currency) != 3 or pycountry.currencies.get(alpha_3=args.currency.upper()) is None:
        raise CliError(f"--currency must be an ISO 4217 code such as EUR (got {args.currency!r})")
    if args.language not in ("fr", "en"):
        raise CliError(f"--language must be fr or en (got {args.language!r})")
    if args.time_zone not in zoneinfo.available_timezones():
        raise CliError(f"--time-zone must be an IANA time zone such as Europe/Paris (got {args.time_zone!r})")


def cmd_store_create(args: argparse.Namespace) -> int:
    from django.utils.text import slugify

    from retour.stores.services import store_create

    if slugify(args.slug) != args.slug:
        raise CliError(f"the slug must be lowercase letters, digits and dashes (e.g. {slugify(args.slug)!r})")
    _check_store_fields(args)
    store = store_create(
        slug=args.slug,
        name=args.name,
        country=args.country,
        currency=args.currency,
        language=args.language,
        time_zone=args.time_zone,
    )
    print(f"Created store {store.slug} ({store.name}, {store.country}, {store.currency}, {store.language})")
    return 0


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from retour.stores.services import apikey_create

    key, raw = apikey_create(
        store=_store(args.store), role=args.role, name=args.name, location=args.location or None
    )
    print(f"API key {key.prefix}… for store {args.store}, role {key.role}. It is shown once; keep it safe:")
    print(raw)
    return 0


def cmd_payments_check(args: argparse.Namespace) -> int:
    """Ask the store's payment provider whether it answers and the keys work (exit 1 when not)."""
    from retour.resolutions.payments.base import PaymentError
    from retour.resolutions.payments.services import payment_provider_check

    try:
        print(payment_provider_check(store=_store(args.store)))
    except PaymentError as error:
        sys.stderr.write(f"retour: the payment provider of {args.store} does not work: {error}\n")
        return 1
    return 0


def cmd_staff_create(args: argparse.Namespace) -> int:
    import secrets

    from retour.stores.services import staff_add

    password = args.password or secrets.token_urlsafe(12)
    membership = staff_add(
        store=_store(args.store),
        username=args.username,
        role=args.role,
        email=args.email,
        password=password,
        location=args.location or None,
    )
    where = f", location {membership.location.code}" if membership.location else ""
    print(f"Staff user {membership.user.username}: {membership.role} of store {args.store}{where}")
    if not args.password:
        print(f"Password: {password}")
    return 0


def cmd_customer_export(args: argparse.Namespace) -> int:
    import json

    from retour.privacy.services import customer_export

    data = customer_export(email=args.email, store_slug=args.store)
    if not data["stores"]:
        raise CliError(f"no customer with this email{' in store ' + args.store if args.store else ''}")
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


def cmd_customer_erase(args: argparse.Namespace) -> int:
    from retour.privacy.services import customer_erase

    report = customer_erase(email=args.email, store_slug=args.store)
    if not report.customers:
        raise CliError(f"no customer with this email{' in store ' + args.store if args.store else ''}")
    details = ", ".join(f"{kind}: {count}" for kind, count in report.counts.items())
    print(f"Anonymised {report.customers} customer record(s); orders, returns and refunds kept ({details})")
    return 0


# --- orders --------------------------------------------------------------------------------


class ProgressBar:
    """A text bar on stderr, redrawn in place when stderr is a terminal, else a line every 10 %."""

    def __init__(self, stream: Any = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.last_decile = -1

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        filled = int(self.width * fraction)
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} orders"
        if self.tty:
            self.stream.write("\r" + bar + ("\n" if done >= total else ""))
        elif int(fraction * 10) != self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(bar + "\n")
        self.stream.flush()


def cmd_import_orders(args: argparse.Namespace) -> int:
    from retour.orders.importer import OrdersFileError, orders_import

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    store = _store(args.store)
    try:
        summary = orders_import(
            store=store, path=path, progress=None if args.quiet else ProgressBar(), encoding=args.encoding
        )
    except OrdersFileError as exc:
        raise CliError(str(exc)) from None
    print(summary.report())
    return 1 if summary.rejected else 0


# --- translations, management --------------------------------------------------------------


def po_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.po") if p.parent.name == "LC_MESSAGES" and "locale" in p.parts)


def compile_messages(root: Path) -> list[Path]:
    """Compile every .po under ``root`` (pure Python, no gettext binary); returns the .mo files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in po_files(root):
        locale = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=po.stem)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def cmd_compilemessages(args: argparse.Namespace) -> int:
    root = Path(__file__).resolve().parent
    written = compile_messages(root)
    for mo in written:
        print(f"compiled {mo.relative_to(root.parent)}")
    if not written:
        print("no translation catalogues found")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["retour manage", *args.rest])
    return 0


# --- parser --------------------------------------------------------------------------------


def _add(
    sub: Any, name: str, func: Callable[[argparse.Namespace], int], help_text: str
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(func=func, needs_django=True)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="retour", description="Retour: self-hosted returns management.")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)

    p = _add(sub, "migrate", cmd_migrate, "create or update the database tables")
    p.add_argument("-v", "--verbosity", type=int, default=1, choices=(0, 1, 2, 3))

    p = _add(sub, "serve", cmd_serve, "serve the web app (gunicorn) with one worker beside it, until Ctrl-C")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="web server processes (default 2)")
    p.add_argument(
        "--no-worker", action="store_true", help="do not start a task worker beside the web server"
    )

    p = _add(sub, "worker", cmd_worker, "run queued tasks (emails and other work done after a change)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle (default 1)")
    p.add_argument("--max-tasks", type=int, default=0, help="stop after this many tasks (default: never)")
    p.add_argument(
        "--sweep",
        type=float,
        default=SWEEP_SECONDS,
        help=f"seconds between periodic sweeps, 0 to disable (default {SWEEP_SECONDS})",
    )

    _add(
        sub,
        "purge",
        cmd_purge,
        "delete idempotency records, finished task results, expired sessions and rate-limit counters "
        "past their retention (the worker does it every few minutes)",
    )

    _add(sub, "demo", cmd_demo, "load the demo store 'demo' (idempotent) and print the demo logins")

    store = _group(sub, "store", "manage stores")
    p = _add(store, "create", cmd_store_create, "create a store with its 'main' location and default policy")
    p.add_argument("slug")
    p.add_argument("--name", required=True)
    p.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. FR")
    p.add_argument("--currency", required=True, help="ISO 4217, e.g. EUR")
    p.add_argument("--language", default="en", help="fr or en (default en)")
    p.add_argument("--time-zone", default="Europe/Paris")

    apikey = _group(sub, "apikey", "manage API keys")
    p = _add(
        apikey, "create", cmd_apikey_create, "create an API key; the key is printed alone on the last line"
    )
    p.add_argument("--store", required=True, metavar="SLUG")
    p.add_argument("--role", required=True, choices=("admin", "agent", "warehouse", "partner"))
    p.add_argument("--name", default="")
    p.add_argument("--location", default="", metavar="CODE", help="the partner's location (partner only)")

    staff = _group(sub, "staff", "manage staff users")
    p = _add(
        staff, "create", cmd_staff_create, "create a staff user (or give an existing one a role in a store)"
    )
    p.add_argument("username")
    p.add_argument("--store", required=True, metavar="SLUG")
    p.add_argument("--role", required=True, choices=("admin", "agent", "warehouse", "partner"))
    p.add_argument("--email", default="")
    p.add_argument("--password", default="", help="default: a random one, printed")
    p.add_argument("--location", default="", metavar="CODE", help="the partner's location (partner only)")

    payments = _group(sub, "payments", "payment providers")
    p = _add(
        payments,
        "check",
        cmd_payments_check,
        "tell whether a store's payment provider answers and its keys work",
    )
    p.add_argument("--store", required=True, metavar="SLUG")

    customer = _group(sub, "customer", "a customer's personal data (GDPR)")
    p = _add(customer, "export", cmd_customer_export, "print as JSON everything held about a customer")
    p.add_argument("email")
    p.add_argument("--store", metavar="SLUG", help="only this store (default: every store)")
    p = _add(
        customer,
        "erase",
        cmd_customer_erase,
        "anonymise a customer: contact details, addresses, messages and photos go; "
        "orders, returns, refunds and store credit stay",
    )
    p.add_argument("email")
    p.add_argument("--store", metavar="SLUG", help="only this store (default: every store)")

    imports = _group(sub, "import", "import data")
    p = _add(
        imports, "orders", cmd_import_orders, "import orders from a CSV (one row per line) or JSONL file"
    )
    p.add_argument("file")
    p.add_argument("--store", required=True, metavar="SLUG")
    p.add_argument(
        "--encoding",
        default="utf-8",
        help="the file's character set when it is not UTF-8, e.g. latin-1 or cp1252 (default: utf-8)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    _register_legal(sub)
    _register_connectors(sub)

    p = _add(sub, "compilemessages", cmd_compilemessages, "compile the translations (.po → .mo)")
    p.set_defaults(needs_django=False)

    p = _add(
        sub, "manage", cmd_manage, "run a Django management command, e.g. 'retour manage createsuperuser'"
    )
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def _group(sub: Any, name: str, help_text: str) -> Any:
    """A command with actions (``retour store create``); alone, it is a usage error."""
    parser = sub.add_parser(name, help=help_text, description=help_text)

    def missing_action(_args: argparse.Namespace) -> int:
        raise CliError(f"'retour {name}' needs an action: {', '.join(actions.choices)}")

    parser.set_defaults(func=missing_action, needs_django=False)
    actions = parser.add_subparsers(title=f"{name} actions", metavar="ACTION", parser_class=Parser)
    return actions


def _register_legal(sub: Any) -> None:
    try:
        from retour.legal.cli import register
    except ImportError:  # the legal module is optional until it lands
        return
    register(sub)


def _register_connectors(sub: Any) -> None:
    from retour.integrations.shops.cli import register

    register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    from django.db import DatabaseError

    from retour.core.errors import DomainError

    try:
        if getattr(args, "needs_django", True):
            setup_django()
        return int(func(args) or 0)
    except (CliError, DomainError) as exc:
        sys.stderr.write(f"retour: error: {exc}\n")
        return 2
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"retour: database error: {first} (is the database reachable, and migrated?)\n")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
