"""Fuzz the whole API with schemathesis against a live server holding data (`make fuzz`).

Starts `retour serve` (gunicorn, no worker) on 127.0.0.1:FUZZ_PORT against ``DATABASE_URL``
(PostgreSQL, the production database; point it at a scratch database: the run loads the demo
store into it) or, without it, a fresh SQLite database in a temporary ``RETOUR_DATA_DIR``;
loads the demo store and an admin API key; then runs ``schemathesis run`` over every operation
of /api/v1/openapi.json: valid and invalid requests (NUL characters included), with the checks
not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. Exits non-zero when a check failed or fewer than ``--min-cases``
cases were generated.

    python scripts/fuzz.py [--max-examples 150] [--min-cases 5000] [--port 8150] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _retour(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN / "retour"), *args], env=env, cwd=REPO, check=True, capture_output=True, text=True
    )
    return result.stdout


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def _known_values(base: str, key: str) -> dict[str, str]:
    """An existing return, its order and its customer: the path parameters of the operations
    on one object get them, so that fuzzing reaches past the 404 into the code that acts."""
    request = urllib.request.Request(
        f"{base}/api/v1/returns?limit=1", headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        [item] = json.load(response)["items"]
    return {"return": item["number"], "order": item["order_number"], "email": item["customer_email"]}


def _config_file(directory: Path, known: dict[str, str]) -> Path:
    path = directory / "schemathesis.toml"
    path.write_text(
        "\n".join(
            [
                "[[operations]]",
                'include-path-regex = "^/api/v1/returns/\\\\{number\\\\}"',
                f'parameters = {{ "path.number" = "{known["return"]}" }}',
                "",
                "[[operations]]",
                'include-path-regex = "^/api/v1/orders/\\\\{number\\\\}"',
                f'parameters = {{ "path.number" = "{known["order"]}" }}',
                "",
                "[[operations]]",
                'include-path-regex = "^/api/v1/customers/"',
                f'parameters = {{ "path.email" = "{known["email"]}" }}',
                "",
            ]
        )
    )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--max-examples", type=int, default=250, help="generated cases per operation and phase"
    )
    parser.add_argument("--min-cases", type=int, default=5000, help="fail when fewer cases were generated")
    parser.add_argument("--port", type=int, default=int(os.environ.get("FUZZ_PORT", "8150")))
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="retour-fuzz-"))
    env = {
        **os.environ,
        "RETOUR_DATA_DIR": str(data_dir),
        "RETOUR_API_RATE_LIMIT": "0",  # the fuzzer sends thousands of requests a minute
        "RETOUR_BASE_URL": f"http://127.0.0.1:{args.port}",
    }
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"== fuzzing on {database} (data in {data_dir})", flush=True)
    _retour("migrate", env=env)
    _retour("demo", env=env)
    key = _retour("apikey", "create", "--store", "demo", "--role", "admin", env=env).strip().splitlines()[-1]
    server = subprocess.Popen(
        [str(BIN / "retour"), "serve", "--host", "127.0.0.1", "--port", str(args.port), "--no-worker"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        _wait_for(f"{base}/healthz")
        config = _config_file(data_dir, _known_values(base, key))
        command = [
            str(BIN / "schemathesis"),
            "--config-file",
            str(config),
            "run",
            f"{base}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            str(args.max_examples),
            "--continue-on-failure",
            "--suppress-health-check",
            "all",
            "--request-timeout",
            "30",
            *(["--seed", str(args.seed)] if args.seed is not None else []),
        ]
        run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
        print(run.stdout[-20000:], run.stderr[-5000:], sep="\n", flush=True)
        found = re.search(r"Test cases:\s*(\d[\d,]*)\s+generated", run.stdout)
        cases = int(found.group(1).replace(",", "")) if found else 0
        print(f"== {cases} cases generated (at least {args.min_cases} required)", flush=True)
        if run.returncode != 0:
            return run.returncode
        return 0 if cases >= args.min_cases else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
