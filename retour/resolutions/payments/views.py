"""``POST /hooks/payments/<provider>/<store>``: the providers' signed notifications about refunds."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from retour.resolutions.payments.base import PaymentError, WebhookRejected
from retour.resolutions.payments.services import payment_webhook_receive
from retour.stores.models import Store

log = logging.getLogger(__name__)


@csrf_exempt  # the provider cannot send a CSRF token; the signature stands in for it
@require_POST
def payment_webhook(request: HttpRequest, provider: str, store: str) -> HttpResponse:
    """200 once handled (or when it is a replay), 400 when the signature does not check out,
    404 for an unknown store, 503 when the provider could not be asked back (it will retry)."""
    shop = Store.objects.filter(slug=store).first()
    if shop is None:
        return JsonResponse({"status": "unknown_store"}, status=404)
    try:
        outcome = payment_webhook_receive(
            store=shop, provider=provider, body=request.body, headers=request.headers
        )
    except WebhookRejected as error:
        log.warning("payment webhook for %s/%s rejected: %s", provider, store, error)
        return JsonResponse({"status": "rejected"}, status=400)
    except PaymentError as error:
        log.warning("payment webhook for %s/%s could not be handled: %s", provider, store, error)
        return JsonResponse({"status": "retry"}, status=503)
    return JsonResponse({"status": outcome})
