"""The import arrows of docs/architecture.md: portal → returns/resolutions/… → policies/legal
→ orders/catalog/stores → core. Read from the source (no import runs), so a new arrow the
wrong way fails here, whichever code path brings it (a fast path included)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the retour package


def _imports() -> dict[str, set[tuple[str, str]]]:
    """{importing app: {(file, imported module)}} for every retour module outside tests and migrations."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if "tests" in rel.parts or "migrations" in rel.parts:
            continue
        app = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if module.startswith("retour.") and module.split(".")[1] != app:
                    found[app].add((str(rel), module))
    return found


IMPORTS = _imports()


def _offenders(importer: str, imported: str) -> list[str]:
    return sorted(
        f"{file} imports {module}"
        for file, module in IMPORTS.get(importer, ())
        if module.split(".")[1] == imported
    )


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("core", "returns"),  # photo serving lives in returns.views
        ("policies", "returns"),  # eligibility gets the held units from returns.returnability
        ("policies", "resolutions"),
        ("returns", "resolutions"),  # resolutions build on returns; refunds hook in by registration
        ("orders", "returns"),
        ("legal", "returns"),
    ],
)
def test_the_never_arrows_hold(importer, imported):
    assert _offenders(importer, imported) == []


def test_returns_and_resolutions_do_not_import_each_other():
    both = _offenders("returns", "resolutions") + _offenders("resolutions", "returns")
    assert _offenders("resolutions", "returns"), "resolutions build on returns (the one allowed arrow)"
    assert [line for line in both if line.startswith("returns/")] == []


def test_the_refund_trigger_still_credits_store_credit_once_registered():
    """Breaking the circle must not lose the automatic store credit: resolutions register it."""
    from retour.resolutions.services import refund_auto_credit
    from retour.returns.services import REFUND_TRIGGER_HANDLERS

    assert REFUND_TRIGGER_HANDLERS == [refund_auto_credit]


def test_a_keep_it_approval_still_refunds_once_registered():
    """The keep-it rule lives in returns; the refund it leads to is resolutions', registered."""
    from retour.resolutions.keep_it import keep_it_refund
    from retour.returns.services import KEEP_IT_HANDLERS

    assert KEEP_IT_HANDLERS == [keep_it_refund]
