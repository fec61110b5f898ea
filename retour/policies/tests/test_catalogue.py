"""The per-process reason catalogue: read once, and an edit is seen by the next request,
whichever process made it (the version lives in the database, the cache in the process)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retour.policies.catalogue import reason_catalogue
from retour.policies.models import Policy, ReturnReason

ROOT = Path(__file__).resolve().parents[3]


def _fresh_policy(store) -> Policy:
    return Policy.objects.get(store=store)


@pytest.mark.django_db
def test_the_catalogue_is_read_once_while_the_version_holds(store):
    first = reason_catalogue(_fresh_policy(store))
    policy = _fresh_policy(store)
    with CaptureQueriesContext(connection) as ctx:
        again = reason_catalogue(policy)
    assert again is first and len(ctx.captured_queries) == 0
    assert "too_small" in first.active


@pytest.mark.django_db
def test_saving_or_deleting_a_reason_or_the_policy_gives_a_new_version(store):
    version = _fresh_policy(store).settings_version
    reason = ReturnReason.objects.get(store=store, code="too_small")
    reason.seller_fault = True
    reason.save()
    after_save = _fresh_policy(store).settings_version
    assert after_save != version
    ReturnReason.objects.filter(pk=reason.pk).delete()  # a bulk delete, as the admin's action
    after_delete = _fresh_policy(store).settings_version
    assert after_delete != after_save
    policy = _fresh_policy(store)
    policy.window_days = 40
    policy.save(update_fields=["window_days"])
    assert _fresh_policy(store).settings_version != after_delete


@pytest.mark.django_db
def test_an_edit_is_seen_by_the_next_request(api, store, make_order):
    """Prime the cache with a request, change a reason, the next request sees it."""
    make_order("1001")
    line_id = api.get("/api/v1/orders/1001/returnability").json()["lines"][0]["line_id"]
    body = {"order_number": "1001", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small"}]}
    assert api.post("/api/v1/returns", body).status_code == 201  # cached: too_small is active
    ReturnReason.objects.filter(store=store, code="too_small").update(active=False)  # no signal:
    Policy.objects.filter(store=store).update(settings_version=12345)  # as another process's commit
    refused = api.post("/api/v1/returns", body)
    assert refused.status_code == 422
    assert "too_small" not in reason_catalogue(_fresh_policy(store)).active


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_edit_made_by_another_process_is_seen_by_the_next_request(api, store, make_order):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the other process must reach the test database")
    make_order("1001")
    line_id = api.get("/api/v1/orders/1001/returnability").json()["lines"][0]["line_id"]
    body = {"order_number": "1001", "lines": [{"line_id": line_id, "quantity": 1, "reason": "too_small"}]}
    assert api.post("/api/v1/returns", body).status_code == 201  # this process caches the catalogue
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    script = textwrap.dedent(
        f"""
        import django
        django.setup()
        from retour.policies.models import ReturnReason
        reason = ReturnReason.objects.get(store__slug={store.slug!r}, code="too_small")
        reason.active = False
        reason.save()  # what the admin does
        """
    )
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="retour.config.settings")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    refused = api.post("/api/v1/returns", body)
    assert refused.status_code == 422, refused.content
