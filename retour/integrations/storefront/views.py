"""Public pages for the shop's own pages: the returnability JSON, the embed script, and the
signed deep link into the portal. No login: the JSON says only what the policy page says, and
the deep link is trusted only with a valid, unexpired signature."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from retour.core.api import problem_response
from retour.integrations.storefront.links import LinkRefused, portal_link_verify
from retour.integrations.storefront.returnability import public_language, returnability_public
from retour.stores.models import Store

CACHE = "public, max-age=300, stale-while-revalidate=600"
LINK_MESSAGES = {
    "missing": _("This link is incomplete. Find your order with its number and your email address."),
    "invalid": _("This link is not valid. Find your order with its number and your email address."),
    "expired": _("This link has expired. Find your order with its number and your email address."),
    "unknown_order": _(
        "We could not find this order yet. Try again later, or find it with its number and your email address."
    ),
}


def _cached(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """Public, cacheable, readable from any shop's pages; 304 when the client has this version."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def returnability(request: HttpRequest, store: str) -> HttpResponse:
    shop = Store.objects.select_related("policy").filter(slug=store).first()
    if shop is None:
        return problem_response(status=404, code="not_found", title=_("Not found"))
    country = (request.GET.get("country") or shop.country).upper()
    sku = request.GET.get("sku", "")[:100]
    try:
        data = returnability_public(
            store=shop, sku=sku, country=country, language=public_language(request.GET.get("lang"), shop)
        )
    except ValueError:
        return problem_response(
            status=422,
            code="validation_error",
            title=_("The request is not valid"),
            errors=[
                {
                    "loc": ["query", "country"],
                    "code": "invalid_country",
                    "message": _("Use a two-letter ISO 3166-1 country code."),
                }
            ],
        )
    body = json.dumps(data, ensure_ascii=False).encode()
    response = _cached(request, body, "application/json")
    response["Content-Language"] = data["language"]
    return response


@require_GET
def embed_js(request: HttpRequest) -> HttpResponse:
    """The script shops add to product pages (see README, "Returns information on product pages")."""
    body = (Path(__file__).parent / "embed.js").read_bytes()
    return _cached(request, body, "text/javascript; charset=utf-8")


@require_GET
def portal_deep_link(request: HttpRequest, store: str) -> HttpResponse:
    """``/portal/<store>/start?order=…&exp=…&sig=…``: open the portal on that order, or fall back
    to the look-up form with the reason, having granted nothing."""
    from retour.orders.models import Order
    from retour.portal import access

    shop = Store.objects.filter(slug=store).first()
    if shop is None:
        raise Http404()
    number = request.GET.get("order", "")
    try:
        portal_link_verify(
            store=shop,
            order_number=number,
            expires=request.GET.get("exp", ""),
            sig=request.GET.get("sig", ""),
        )
        order = Order.objects.filter(store=shop, number=number).first()
        if order is None:
            raise LinkRefused("unknown_order")
    except LinkRefused as refused:
        messages.error(request, LINK_MESSAGES[refused.code])
        return redirect("portal:start", store=shop.slug)
    access.grant(request, store=shop, order=order)
    return redirect("portal:order", store=shop.slug)
