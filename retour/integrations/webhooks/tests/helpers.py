from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def make_return(store, number: str = "1001"):
    """A requested return of both units of an order's only line, made through the services."""
    from retour.core.actors import Actor
    from retour.orders.schemas import OrderIn
    from retour.orders.services import order_upsert
    from retour.returns.services import LineRequest, return_create

    delivered = timezone.now() - timedelta(days=3)
    order = order_upsert(
        store=store,
        data=OrderIn(
            number=number,
            placed_at=delivered - timedelta(days=2),
            currency="EUR",
            delivered_at=delivered,
            customer={"email": "alice@example.com", "name": "Alice Martin"},
            shipping_address={
                "name": "Alice Martin",
                "line1": "1 rue de Rivoli",
                "city": "Paris",
                "postal_code": "75001",
                "country": "FR",
            },
            lines=[
                {"ref": "1", "sku": "TSHIRT-M", "title": "T-shirt M", "quantity": 2, "unit_price": "12.50"}
            ],
        ),
    )[0]
    return return_create(
        order=order,
        actor=Actor.customer("alice@example.com"),
        channel="portal",
        lines=[LineRequest(line_id=order.lines.get().id, quantity=2, reason="too_small")],
    )


def send_all(now=None) -> list[str]:
    """Send every due delivery once, as the worker would; returns the outcomes."""
    from retour.integrations.webhooks.models import WebhookDelivery
    from retour.integrations.webhooks.tasks import webhook_delivery_send

    ids = WebhookDelivery.objects.filter(status="pending").order_by("id").values_list("pk", flat=True)
    return [webhook_delivery_send(delivery_id=pk, now=now) for pk in ids]
