"""What every workspace view shares: rendering with the header, errors as messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from retour.core.errors import DomainError, NotFound
from retour.core.i18n import language_links
from retour.returns.models import ReturnRequest
from retour.returns.selectors import return_get


def render_staff(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a workspace page in the store's time zone, with the header (store switcher,
    language, sign-out)."""
    staff = getattr(request, "staff", None)
    base = {"staff": staff, "languages": language_links(request)}
    tz = staff.store.time_zone if staff else settings.TIME_ZONE
    with timezone.override(tz):
        return render(request, template, {**base, **(context or {})}, status=status)


def staff_return(request: HttpRequest, number: str) -> ReturnRequest:
    """The return ``number`` as the viewer may see it: another store's, or (for a partner)
    another location's, is a 404."""
    staff = request.staff  # type: ignore[attr-defined]
    try:
        return return_get(store=staff.store, number=number, location=staff.location)
    except NotFound:
        raise Http404() from None


def error_text(exc: DomainError) -> str:
    """A refusal in the reader's language: the detail, then each field's message."""
    parts = [str(exc.detail)]
    parts += [str(e.get("message", "")) for e in exc.errors if str(e.get("message", "")) not in parts]
    return " ".join(p for p in parts if p)


def refuse(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, error_text(exc))
