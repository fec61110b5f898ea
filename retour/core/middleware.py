"""Refuse bodies over the limit before anything reads them (API: 413 payload_too_large)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        content_type = request.META.get("CONTENT_TYPE", "")
        limit = (
            settings.MAX_UPLOAD_BODY_BYTES
            if content_type.startswith("multipart/")
            else settings.MAX_BODY_BYTES
        )
        if length > limit:
            return self._refuse(request, limit)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, limit: int) -> HttpResponse:
        # This runs before LocaleMiddleware: the answer takes the caller's language itself.
        with translation.override(translation.get_language_from_request(request)):
            if request.path.startswith("/api/"):
                from retour.core.api import domain_error_response
                from retour.core.errors import PayloadTooLarge

                detail = gettext("The body must not exceed %(limit)s bytes.") % {"limit": limit}
                return domain_error_response(PayloadTooLarge(detail))
            text = gettext("The request body is too large")
        return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")
