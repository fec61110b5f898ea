"""Guards that run before anything reads the request.

- Bodies over the limit are refused (API: 413 ``payload_too_large``). The API takes no
  uploads: a multipart body to it has the JSON limit; pages (the portal's photo form) have
  ``MAX_UPLOAD_BODY_BYTES``.
- A NUL character in the path or the query string is refused (API: 422 ``validation_error``
  with the per-field code ``null_character``): PostgreSQL cannot store or even compare it in a
  text column, SQLite can; refusing it here makes both databases answer alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext

from retour.core.schemas import NUL


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _in_callers_language(request: HttpRequest) -> Any:
    # These run before LocaleMiddleware: the answer takes the caller's language itself.
    return translation.override(translation.get_language_from_request(request))


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
            if content_type.startswith("multipart/") and not _is_api(request)
            else settings.MAX_BODY_BYTES
        )
        if length > limit:
            return self._refuse(request, limit)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, limit: int) -> HttpResponse:
        with _in_callers_language(request):
            if _is_api(request):
                return payload_too_large_response(limit)
            text = gettext("The request body is too large")
        return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")


def payload_too_large_response(limit: int) -> HttpResponse:
    from retour.core.api import domain_error_response
    from retour.core.errors import PayloadTooLarge

    detail = gettext("The body must not exceed %(limit)s bytes.") % {"limit": limit}
    return domain_error_response(PayloadTooLarge(detail))


class NullCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = self._nul_at(request)
        if where is None:
            return self.get_response(request)
        with _in_callers_language(request):
            message = gettext("Null characters are not allowed.")
            if not _is_api(request):
                return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
            from retour.core.api import problem_response
            from retour.core.errors import ValidationFailed

            return problem_response(
                status=422,
                code=ValidationFailed.code,
                title=ValidationFailed.title,
                detail=message,
                errors=[{"loc": where, "code": "null_character", "message": message}],
            )

    @staticmethod
    def _nul_at(request: HttpRequest) -> list[str] | None:
        if NUL in request.path_info:
            return ["path"]
        if "%00" in request.META.get("QUERY_STRING", "") or NUL in request.META.get("QUERY_STRING", ""):
            for name, values in request.GET.lists():
                if NUL in name or any(NUL in value for value in values):
                    return ["query", name.replace(NUL, "")]
            return ["query"]
        return None
