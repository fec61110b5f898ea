"""Refuse bodies over the limit before anything reads them (API: 413 payload_too_large)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


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
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "about:blank",
                        "title": "The request body is too large",
                        "status": 413,
                        "code": "payload_too_large",
                        "detail": f"The body must not exceed {limit} bytes.",
                    },
                    status=413,
                    content_type="application/problem+json",
                )
            return HttpResponse("Request body too large", status=413, content_type="text/plain")
        return self.get_response(request)
