"""Workspace fixtures: staff of each role (and a partner tied to a second location), returns
made through the services, signed-in browsers and URLs per language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

PASSWORD = "a-long-staff-password-42"
LINES = [
    {"ref": "L1", "sku": "TSHIRT-M", "title": "T-shirt M", "quantity": 2, "unit_price": "20.00"},
    {"ref": "L2", "sku": "MUG", "title": "Mug", "quantity": 1, "unit_price": "12.00"},
]


def url(view: str, lang: str = "en", /, **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"backoffice:{view}", kwargs=kwargs)


@pytest.fixture(autouse=True)
def _staff_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_LOGIN_RATE_LIMIT = 5


@pytest.fixture
def depot(store):
    """A second location of the store, run by a logistics partner."""
    from retour.stores.models import Location

    return Location.objects.create(store=store, code="depot", name="Depot Lyon", country="FR")


@pytest.fixture
def staff(store, other_store, depot):
    """username → membership, one per role in ``store`` (partner at ``depot``, partner_main at
    the default location), and ``outsider``, an admin of the other store only."""
    from retour.stores.services import staff_add

    people = {
        "admin": staff_add(store=store, username="admin", role="admin", password=PASSWORD),
        "agent": staff_add(store=store, username="agent", role="agent", password=PASSWORD),
        "warehouse": staff_add(store=store, username="warehouse", role="warehouse", password=PASSWORD),
        "partner": staff_add(
            store=store, username="partner", role="partner", password=PASSWORD, location="depot"
        ),
        "partner_main": staff_add(
            store=store, username="partner_main", role="partner", password=PASSWORD, location="main"
        ),
        "outsider": staff_add(store=other_store, username="outsider", role="admin", password=PASSWORD),
    }
    people["agent"].user.first_name = "Claire"
    people["agent"].user.save()
    return people


@pytest.fixture
def signed_in(staff):
    """signed_in(username) → a Client signed in as that person."""

    def _client(username: str) -> Client:
        client = Client()
        client.force_login(staff[username].user)
        return client

    return _client


@pytest.fixture
def make_return(store, make_order, customer_actor):
    """make_return(number, status="requested"|"approved"|"received", location=None) → ReturnRequest."""
    from retour.returns.models import ReturnRequest
    from retour.returns.services import LineRequest, return_approve, return_create, return_receive

    def _make(
        number: str = "1001", *, status: str = "requested", location: str | None = None, target_store=None
    ):
        order = make_order(number, lines=LINES, target_store=target_store)
        line = order.lines.get(ref="L1")
        rr = return_create(order=order, actor=customer_actor, lines=[LineRequest(line.id, 2, "too_small")])
        if status in ("approved", "received") and rr.status == "requested":
            return_approve(return_request=rr, actor=customer_actor)
        if status == "received":
            line_id = rr.lines.get().id
            return_receive(
                return_request=rr,
                actor=customer_actor,
                lines=[{"id": line_id, "quantity": 2}],
                location=location,
            )
        elif location:
            from retour.stores.models import Location

            ReturnRequest.objects.filter(pk=rr.pk).update(
                location=Location.objects.get(store=rr.store, code=location)
            )
        return ReturnRequest.objects.get(pk=rr.pk)

    return _make
