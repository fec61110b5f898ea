#!/usr/bin/env python3
"""Refresh the French catalogue: extract messages, then fill translations from i18n/*.tsv.

Developer tool (needs GNU gettext's xgettext, as Django's makemessages does). The .po file is
committed; `retour compilemessages` (pure Python, run by `make install`) builds the .mo.

    python scripts/i18n_merge.py            # extract + merge
    python scripts/i18n_merge.py --check    # list msgids that still have no French
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "retour" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def load_tsv() -> dict[str, str]:
    table: dict[str, str] = {}
    for path in sorted((ROOT / "i18n").glob("*.tsv")):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip() or raw.startswith("#"):
                continue
            if "\t" not in raw:
                print(f"{path.name}:{n}: no tab, skipped", file=sys.stderr)
                continue
            msgid, msgstr = raw.split("\t", 1)
            table[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    return table


def extract() -> None:
    env = {
        "RETOUR_DATA_DIR": str(ROOT / "var"),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retour.config.settings",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "fr",
            "--no-location",
            "--no-obsolete",
            "-i",
            ".venv/*",
            "-i",
            "bench/*",
            "-i",
            "var/*",
            "-i",
            "*/tests/*",
        ],
        cwd=ROOT / "retour",
        env=env,
        check=True,
    )


def merge(check_only: bool) -> int:
    from babel.messages.pofile import read_po, write_po

    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    table = load_tsv()
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in table:
            message.string = table[key] if isinstance(message.id, str) else (table[key], table[key])
            message.flags.discard("fuzzy")
        elif not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            missing.append(key)
    if not check_only:
        with PO.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False)
    for key in missing:
        print(f"missing: {key!r}")
    print(f"{len(missing)} msgids without French", file=sys.stderr)
    return 1 if (check_only and missing) else 0


if __name__ == "__main__":
    check = "--check" in sys.argv
    if not check:
        extract()
    raise SystemExit(merge(check))
