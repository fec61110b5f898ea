"""Sign-in, sign-out and the store switcher.

Sign-in tries are limited per account and per address (counted in the database, shared by
all web processes); a wrong password and an unknown user get the same answer.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from retour.backoffice.access import SESSION_STORE_KEY, staff_context, staff_view, store_choices
from retour.backoffice.forms import LoginForm
from retour.core.i18n import language_links
from retour.core.ratelimit import ratelimit_hit

LOGIN_WINDOW = 15 * 60  # seconds


def _client_ip(request: HttpRequest) -> str:
    try:  # the proxy-aware address, when the deployment declares its proxies
        from retour.core.net import client_ip  # type: ignore[import-not-found,unused-ignore]

        return client_ip(request)
    except ImportError:
        return request.META.get("REMOTE_ADDR") or "unknown"


def _limited(request: HttpRequest, username: str) -> int:
    """Count one try; seconds to wait when the account or the address used up its tries."""
    per_account = settings.STAFF_LOGIN_RATE_LIMIT
    keys = [
        (f"staff-login:user:{username.strip().lower()[:150]}", per_account),
        (f"staff-login:ip:{_client_ip(request)}", per_account * 4),
    ]
    for key, limit in keys:
        result = ratelimit_hit(key=key, limit=limit, window=LOGIN_WINDOW)
        if not result.allowed:
            return result.retry_after
    return 0


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("backoffice:home")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        wait = _limited(request, username)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            error = _("Too many sign-in attempts. Try again in %(minutes)s minutes.") % {"minutes": minutes}
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is not None and store_choices(user):
                login(request, user)
                request.session.set_expiry(settings.STAFF_SESSION_MINUTES * 60)
                return HttpResponseRedirect(_next_url(request))
            # The same words whether the user exists, the password is wrong or the user has no store.
            error = _("Incorrect username or password.")
            status = 400
    elif request.method == "POST":
        error, status = _("Enter your username and password."), 400
    context = {
        "form": form,
        "error": error,
        "next": _next_url(request),
        "languages": language_links(request),
        "session_ended": request.GET.get("next") and not request.user.is_authenticated,
    }
    response = render(request, "backoffice/login.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(LOGIN_WINDOW)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("backoffice:login")


@require_POST
@staff_view("return.view")
def switch_store(request: HttpRequest) -> HttpResponse:
    """Work in another of one's stores (a store one does not work for is ignored)."""
    slug = request.POST.get("store", "")
    if any(c.store.slug == slug for c in store_choices(request.user)):
        request.session[SESSION_STORE_KEY] = slug
        staff_context(request)
    return redirect("backoffice:home")
