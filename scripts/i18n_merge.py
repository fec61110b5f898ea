#!/usr/bin/env python3
"""Refresh the catalogues: extract messages, then fill translations from i18n/*.<lang>.tsv.

Developer tool (needs GNU gettext's xgettext, as Django's makemessages does). The .po files are
committed; `retour compilemessages` (pure Python, run by `make install`) builds the .mo files.

    python scripts/i18n_merge.py            # extract + merge every language
    python scripts/i18n_merge.py --check    # list msgids without French (strict), count the others

Tables: ``i18n/NAME.<lang>.tsv``, one ``msgid<TAB>msgstr`` a line (``\\n`` for newlines). A plural
message takes ``msgid<TAB>singular<TAB>plural`` (more forms may follow for languages with more).
French must be complete (``--check`` fails otherwise); German, Spanish, Italian and Dutch cover the
shopper-facing text (portal, customer emails, policy page) and only report what they lack.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRICT = ("fr",)
LANGUAGES = ("fr", "de", "es", "it", "nl")


def po_path(lang: str) -> Path:
    return ROOT / "retour" / "locale" / lang / "LC_MESSAGES" / "django.po"


def load_tsv(lang: str) -> dict[str, list[str]]:
    """msgid → its translation forms (one, or one per plural form) from every table of ``lang``."""
    table: dict[str, list[str]] = {}
    for path in sorted((ROOT / "i18n").glob(f"*.{lang}.tsv")):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip() or raw.startswith("#"):
                continue
            if "\t" not in raw:
                print(f"{path.name}:{n}: no tab, skipped", file=sys.stderr)
                continue
            msgid, *forms = raw.split("\t")
            table[msgid.replace("\\n", "\n")] = [form.replace("\\n", "\n") for form in forms]
    return table


def extract() -> None:
    env = {
        "RETOUR_DATA_DIR": str(ROOT / "var"),
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "retour.config.settings",
        "PYTHONPATH": str(ROOT),
    }
    locales = [arg for lang in LANGUAGES for arg in ("-l", lang)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            *locales,
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


def _plural_forms(forms: list[str], count: int) -> tuple[str, ...]:
    """The plural forms the catalogue wants: a single string serves every form, missing ones repeat the last."""
    return tuple(forms[min(i, len(forms) - 1)] for i in range(count))


def merge(lang: str, check_only: bool) -> list[str]:
    from babel.messages.pofile import read_po, write_po

    path = po_path(lang)
    if not path.exists():
        print(f"{lang}: no catalogue (run without --check first)", file=sys.stderr)
        return []
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    table = load_tsv(lang)
    strict = lang in STRICT
    missing = []
    for message in catalog:
        if not message.id:
            continue
        plural = not isinstance(message.id, str)
        key = message.id[0] if plural else message.id
        if key in table:
            forms = table[key]
            message.string = _plural_forms(forms, catalog.num_plurals) if plural else forms[0]
            message.flags.discard("fuzzy")
            continue
        if not strict and "fuzzy" in message.flags:
            # msgmerge's guess from a similar msgid: wrong more often than not, and unused by gettext.
            message.string = ("",) * catalog.num_plurals if plural else ""
            message.flags.discard("fuzzy")
        if (
            not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
            # msgmerge's guess, kept for the translator but unused by gettext: still missing.
            or "fuzzy" in message.flags
        ):
            missing.append(key)
    if not check_only:
        with path.open("wb") as fh:
            write_po(fh, catalog, width=0, omit_header=False)
    return missing


def main(argv: list[str]) -> int:
    check = "--check" in argv
    if not check:
        extract()
    status = 0
    for lang in LANGUAGES:
        missing = merge(lang, check)
        if lang in STRICT:
            for key in missing:
                print(f"missing ({lang}): {key!r}")
            if check and missing:
                status = 1
        print(f"{lang}: {len(missing)} msgids without a translation", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
