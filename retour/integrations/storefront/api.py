"""/api/v1/portal-links: the secret the shop signs portal deep links with, and ready-made links."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from retour.core.api import api_store, require_role
from retour.core.errors import NotFound, ValidationFailed
from retour.integrations.storefront.links import LinkRefused, portal_link_make, portal_link_secret_rotate
from retour.orders.models import Order
from retour.stores.models import Role

router = Router(tags=["portal links"])


class SecretOut(Schema):
    secret: str = Field(..., description="HMAC-SHA256 key for portal links, shown in this answer only")


class PortalLinkIn(Schema):
    order_number: str = Field(..., max_length=64)
    expires_in_days: int = Field(30, ge=1, le=365)


class PortalLinkOut(Schema):
    url: str
    expires_at: datetime


@router.post("/secret", response={201: SecretOut}, summary="Make a new portal link secret (admin)")
def portal_link_secret_endpoint(request: HttpRequest) -> Any:
    """Links signed with the previous secret stop working."""
    require_role(request, Role.ADMIN)
    return Status(201, {"secret": portal_link_secret_rotate(store=api_store(request))})


@router.post("", response={201: PortalLinkOut}, summary="A signed portal link for an order")
def portal_link_endpoint(request: HttpRequest, payload: PortalLinkIn) -> Any:
    require_role(request, Role.ADMIN, Role.AGENT)
    store = api_store(request)
    if not Order.objects.filter(store=store, number=payload.order_number).exists():
        raise NotFound()
    try:
        url, expires_at = portal_link_make(
            store=store, order_number=payload.order_number, ttl=timedelta(days=payload.expires_in_days)
        )
    except LinkRefused:
        raise ValidationFailed(
            _("The store has no portal link secret yet."),
            errors=[
                {
                    "loc": ["order_number"],
                    "code": "no_secret",
                    "message": _("An admin makes one with POST /api/v1/portal-links/secret."),
                }
            ],
        ) from None
    return Status(201, {"url": url, "expires_at": expires_at})
