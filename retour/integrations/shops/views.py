"""``POST /hooks/shopify/<store>`` and ``POST /hooks/woocommerce/<store>``: the shops' signed
order webhooks. 401 (problem+json) and nothing stored when the signature is missing or wrong."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from retour.core.api import problem_response
from retour.core.errors import DomainError, NotFound
from retour.integrations.shops.services import shop_webhook_receive
from retour.stores.models import Store


@csrf_exempt  # the shop cannot send a CSRF token; the HMAC signature stands in for it
@require_POST
def shop_webhook(request: HttpRequest, platform: str, store: str) -> HttpResponse:
    """200 ``{"status": …}`` once handled: ``created``, ``updated``, ``unchanged`` (a duplicate or
    an older version), ``recorded`` / ``duplicate`` (a refund), ``ignored`` (another topic),
    ``rejected`` (unusable; the reason is shown to the store admin, the shop need not retry)."""
    try:
        shop = Store.objects.filter(slug=store).first()
        if shop is None:
            raise NotFound()
        outcome = shop_webhook_receive(
            store=shop, platform=platform, body=request.body, headers=request.headers
        )
    except DomainError as error:
        return problem_response(status=error.status, code=error.code, title=error.title, detail=error.detail)
    return JsonResponse({"status": outcome})
