"""Guards that run before anything reads the request.

- Bodies over the limit are refused (API: 413 ``payload_too_large``). The API takes no
  uploads: a multipart body to it has the JSON limit; pages (the portal's photo form) have
  ``MAX_UPLOAD_BODY_BYTES``.
- A NUL character in the path or the query string is refused (API: 422 ``validation_error``
  with the per-field code ``null_character``): PostgreSQL cannot store or even compare it in a
  text column, SQLite can; refusing it here makes both databases answer alike.
- Django's page middleware (session, CSRF, auth, messages, X-Frame-Options) is skipped by a
  bearer-token API call, which uses none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import middleware as _auth
from django.contrib.messages import middleware as _messages
from django.contrib.sessions import middleware as _session
from django.http import HttpRequest, HttpResponse
from django.middleware import clickjacking as _clickjacking
from django.middleware import csrf as _csrf
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


# --- the bearer-token fast path of the API ------------------------------------------------------


def is_api_bearer_call(request: HttpRequest) -> bool:
    """A REST API call authenticated by an ``Authorization: Bearer`` key. It uses no session,
    no cookie, no message, no logged-in user and no CSRF token (browsers cannot send that
    header cross-site without CORS, which Retour does not grant), so the page middleware
    below skips it."""
    return (
        request.path_info.startswith("/api/")
        and request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
    )


class _SkippedForApi:
    """Mixin: the wrapped Django middleware does nothing for a bearer-token API call."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_bearer_call(request):
            return self.get_response(request)  # type: ignore[attr-defined]
        return super().__call__(request)  # type: ignore[misc]


class SessionMiddleware(_SkippedForApi, _session.SessionMiddleware):
    pass


class CsrfViewMiddleware(_SkippedForApi, _csrf.CsrfViewMiddleware):
    def process_view(self, request: HttpRequest, callback: Any, args: Any, kwargs: Any) -> Any:
        if is_api_bearer_call(request):
            return None  # the key authenticates the call, not a cookie: nothing to forge
        return super().process_view(request, callback, args, kwargs)


class AuthenticationMiddleware(_SkippedForApi, _auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_SkippedForApi, _messages.MessageMiddleware):
    pass


class XFrameOptionsMiddleware(_SkippedForApi, _clickjacking.XFrameOptionsMiddleware):
    pass
