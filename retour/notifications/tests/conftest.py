"""A return to notify about, built through the order and return services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BASE_URL = "https://returns.example.com"


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are enqueued (after commit, through enqueue_on_commit)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are recorded, not run: lets a test see what was enqueued and when it may run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


def make_order(
    store, *, number: str, email="alice@example.com", language="", name="Alice Martin", delivered=None
):
    from retour.orders.schemas import OrderIn
    from retour.orders.services import order_upsert

    delivered = delivered or timezone.now() - timedelta(days=3)
    data = OrderIn(
        number=number,
        placed_at=delivered - timedelta(days=2),
        currency="EUR",
        delivered_at=delivered,
        customer={"email": email, "name": name, "language": language or None},
        shipping_address={
            "name": name,
            "line1": "1 rue de Rivoli",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
        },
        lines=[
            {"ref": "1", "sku": "TSHIRT-M", "title": "T-shirt bleu M", "quantity": 2, "unit_price": "12.50"}
        ],
    )
    return order_upsert(store=store, data=data)[0]


def make_return(store, *, email="alice@example.com", language="", name="Alice Martin"):
    """A requested return of both units of an order's only line, made through the services."""
    from retour.core.actors import Actor
    from retour.orders.models import Order
    from retour.returns.services import LineRequest, return_create

    order = make_order(
        store, number=f"{1001 + Order.objects.count()}", email=email, language=language, name=name
    )
    line = order.lines.get()
    return return_create(
        order=order,
        actor=Actor.customer(email),
        channel="portal",
        lines=[LineRequest(line_id=line.id, quantity=2, reason="too_small")],
    )


def send_all() -> None:
    """Send every queued row, as the worker would."""
    from retour.notifications.models import Notification
    from retour.notifications.tasks import notification_send

    for pk in Notification.objects.filter(status="pending").values_list("pk", flat=True):
        notification_send(notification_id=pk)


@pytest.fixture
def return_request(store):
    """A requested return whose creation email is already sent (the outbox starts empty)."""
    from django.core import mail

    rr = make_return(store)
    send_all()
    mail.outbox.clear()
    return rr
