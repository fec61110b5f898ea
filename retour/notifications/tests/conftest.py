"""A return to notify about.

Built through the order and return services once they exist (see ``make_return``); until the
lead's services land, the rows are written directly so the outbox can be tested on its own.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

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


def make_return(store, *, email="alice@example.com", language="", name="Alice Martin", status="requested"):
    from retour.orders.models import Customer, Order, OrderLine
    from retour.returns.models import ReturnLine, ReturnRequest

    now = timezone.now()
    customer, _ = Customer.objects.get_or_create(store=store, email=email, defaults={"name": name, "language": language})
    order = Order.objects.create(
        store=store, number=f"10{Order.objects.count() + 1:02d}", placed_at=now - timedelta(days=5), currency="EUR",
        customer=customer, delivered_at=now - timedelta(days=3),
    )
    line = OrderLine.objects.create(
        order=order, ref="1", sku="TSHIRT-M", title="T-shirt bleu M", quantity=2, unit_price=Decimal("12.50"),
        delivered_quantity=2,
    )
    rr = ReturnRequest.objects.create(
        store=store, number=f"R-{order.number}", order=order, customer=customer, status=status, channel="portal",
        resolution="refund", created_at=now, expires_at=now + timedelta(days=14),
    )
    ReturnLine.objects.create(return_request=rr, order_line=line, reason="too_small", quantity=2, approved_quantity=2,
                              unit_refund=Decimal("12.50"))
    return rr


@pytest.fixture
def return_request(store):
    return make_return(store)
