"""Signed deep links into the portal: ``/portal/<store>/start?order=…&exp=…&sig=…``.

The shop puts the link on its order page; it opens the portal on that order without the shopper
typing their email. ``sig`` is the hex HMAC-SHA256, with the store's portal link secret, of
``<store slug>|<order number>|<exp>``, where ``exp`` is the link's expiry in Unix seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction

from retour.core import clock
from retour.integrations.storefront.models import PortalLinkKey
from retour.stores.models import Store

DEFAULT_TTL = timedelta(days=30)
MAX_TTL = timedelta(days=365)


class LinkRefused(Exception):
    """Why a link was refused: ``code`` is missing, invalid or expired."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction.atomic
def portal_link_secret_rotate(*, store: Store) -> str:
    """A new secret for the store's links (the old links stop working); returned this once."""
    secret = "pls_" + secrets.token_urlsafe(32)
    PortalLinkKey.objects.update_or_create(store=store, defaults={"secret": secret})
    return secret


def portal_link_signature(*, secret: str, store_slug: str, order_number: str, expires: int) -> str:
    message = f"{store_slug}|{order_number}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def portal_link_make(
    *, store: Store, order_number: str, ttl: timedelta = DEFAULT_TTL, now: datetime | None = None
) -> tuple[str, datetime]:
    """A signed link for ``order_number`` and its expiry (the store needs a secret: rotate one first)."""
    key = PortalLinkKey.objects.filter(store=store).first()
    if key is None:
        raise LinkRefused("no_secret")
    expires_at = (now or clock.now()) + min(ttl, MAX_TTL)
    expires = int(expires_at.timestamp())
    sig = portal_link_signature(
        secret=key.secret, store_slug=store.slug, order_number=order_number, expires=expires
    )
    query = urlencode({"order": order_number, "exp": expires, "sig": sig})
    return f"{settings.BASE_URL}/portal/{store.slug}/start?{query}", expires_at


def portal_link_verify(
    *, store: Store, order_number: str, expires: str, sig: str, now: datetime | None = None
) -> None:
    """Raise LinkRefused unless ``sig`` signs this store, order and expiry, and it has not expired."""
    if not (order_number and expires and sig):
        raise LinkRefused("missing")
    key = PortalLinkKey.objects.filter(store=store).first()
    try:
        expiry = int(expires)
    except ValueError:
        raise LinkRefused("invalid") from None
    expected = portal_link_signature(
        secret=key.secret if key else "", store_slug=store.slug, order_number=order_number, expires=expiry
    )
    if key is None or not hmac.compare_digest(expected, sig.lower()):
        raise LinkRefused("invalid")
    if expiry <= int((now or clock.now()).timestamp()):
        raise LinkRefused("expired")
