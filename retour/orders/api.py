"""/api/v1/orders: create or update orders, read them and their returnability."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from retour.core.api import PageParams, api_store, idempotent, paginate, require_role, sees_personal_data
from retour.core.money import money_str
from retour.orders.models import Order, OrderLine
from retour.orders.schemas import OrderIn, OrderOut, OrderPage
from retour.orders.selectors import order_get, order_list
from retour.orders.services import order_upsert
from retour.stores.models import Role

router = Router(tags=["orders"])

READ_ROLES = (Role.ADMIN, Role.AGENT, Role.WAREHOUSE)
WRITE_ROLES = (Role.ADMIN, Role.AGENT)


@router.post("", response={200: OrderOut, 201: OrderOut}, summary="Create or update an order (by number)")
def order_upsert_endpoint(request: HttpRequest, payload: OrderIn) -> Any:
    """201 when the order was created, 200 when an order with this number was updated."""
    require_role(request, *WRITE_ROLES)
    store = api_store(request)

    def handler() -> tuple[int, Any]:
        order, created = order_upsert(store=store, data=payload)
        return (201 if created else 200), order_out(
            order_get(store=store, number=order.number), personal=sees_personal_data(request)
        )

    return idempotent(request, handler)


@router.get("", response=OrderPage, summary="List orders, newest first")
def order_list_endpoint(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    require_role(request, *READ_ROLES)
    page = paginate(order_list(store=api_store(request)), limit=params.limit, cursor=params.cursor)
    personal = sees_personal_data(request)
    return {"items": [order_out(o, personal=personal) for o in page.items], "next_cursor": page.next_cursor}


@router.get("/{number}", response=OrderOut, summary="An order")
def order_detail_endpoint(request: HttpRequest, number: str) -> dict[str, Any]:
    require_role(request, *READ_ROLES)
    return order_out(order_get(store=api_store(request), number=number), personal=sees_personal_data(request))


def order_out(order: Order, *, personal: bool = True) -> dict[str, Any]:
    """The API representation of an order (its lines must be prefetched).

    Without ``personal`` (a warehouse key) the customer's email, phone and the street address are
    empty: receiving needs the lines, the name on the parcel and the country, not the rest.
    """
    currency = order.currency
    out: dict[str, Any] = {
        "number": order.number,
        "external_id": order.external_id,
        "channel": order.channel,
        "placed_at": order.placed_at,
        "currency": currency,
        "is_business": order.is_business,
        "customer": {
            "email": order.customer.email,
            "name": order.customer.name,
            "phone": order.customer.phone,
            "language": order.customer.language,
        },
        "shipping_address": {
            "name": order.ship_name,
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "city": order.ship_city,
            "postal_code": order.ship_postal_code,
            "country": order.ship_country or None,
            "subdivision": order.ship_subdivision or None,
        },
        "shipping": {
            "amount": money_str(order.shipping_amount, currency),
            "standard_amount": money_str(order.shipping_standard_amount, currency),
        },
        "payment": {"provider": order.payment_provider, "reference": order.payment_reference}
        if order.payment_provider
        else None,
        "delivered_at": order.delivered_at,
        "withdrawal_info_given": order.withdrawal_info_given,
        "withdrawal_info_given_on": order.withdrawal_info_given_on,
        "lines": [_line_out(line, currency) for line in order.lines.all()],
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }
    if not personal:
        out["customer"].update(email="", phone="")
        out["shipping_address"].update(line1="", line2="", city="", postal_code="", subdivision=None)
    return out


def _line_out(line: OrderLine, currency: str) -> dict[str, Any]:
    return {
        "id": line.id,
        "ref": line.ref,
        "sku": line.sku,
        "title": line.title,
        "quantity": line.quantity,
        "unit_price": money_str(line.unit_price, currency),
        "discount": money_str(line.discount, currency),
        "paid_total": money_str(line.paid_total, currency),
        "category": line.category,
        "tags": line.tags,
        "final_sale": line.final_sale,
        "returnable": line.returnable,
        "legal_exclusion": line.legal_exclusion or None,
        "used": line.used,
        "image_url": line.image_url,
        "delivered_quantity": line.delivered_quantity,
        "delivered_at": line.delivered_at,
        "serial_numbers": line.serial_numbers or [],
        "lot_number": line.lot_number or None,
    }
