"""Inbound email webhooks of the ESPs, through django-anymail, mounted under /hooks/email/.

Each one answers only once its check is configured (404 otherwise), so no inbound call is ever
accepted unauthenticated: Mailgun's is verified by its HMAC signature
(``RETOUR_MAILGUN_WEBHOOK_SIGNING_KEY``); the others by HTTP basic auth
(``RETOUR_INBOUND_WEBHOOK_SECRET``, ``user:password`` in the URL given to the ESP).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt


def _when_configured(view: Callable[..., HttpResponse], setting: str) -> Callable[..., HttpResponse]:
    @csrf_exempt
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "ANYMAIL", {}).get(setting):
            raise Http404()
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    re_path(
        r"^mailgun/inbound(_mime)?/$",
        _when_configured(MailgunInboundWebhookView.as_view(), "MAILGUN_WEBHOOK_SIGNING_KEY"),
        name="inbound_mailgun",
    ),
    path(
        "postmark/inbound/",
        _when_configured(PostmarkInboundWebhookView.as_view(), "WEBHOOK_SECRET"),
        name="inbound_postmark",
    ),
    path(
        "sendgrid/inbound/",
        _when_configured(SendGridInboundWebhookView.as_view(), "WEBHOOK_SECRET"),
        name="inbound_sendgrid",
    ),
]
