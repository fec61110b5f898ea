"""Writes for stores, locations, staff and API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retour.core.errors import ValidationFailed
from retour.stores.models import ApiKey, Location, Role, Store, StoreMembership

KEY_PREFIX = "rt_"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def store_create(
    *,
    slug: str,
    name: str,
    country: str,
    currency: str = "EUR",
    language: str = "en",
    time_zone: str = "Europe/Paris",
) -> Store:
    """A store with its `main` location, the default policy, reason catalogue, FAQ and
    predefined replies."""
    from retour.helpdesk.services import faq_create_defaults, predefined_replies_create_defaults
    from retour.policies.services import policy_create_default, reasons_create_defaults

    if Store.objects.filter(slug=slug).exists():
        raise ValidationFailed(_("A store with the slug “%(slug)s” already exists.") % {"slug": slug})
    store = Store.objects.create(
        slug=slug,
        name=name,
        country=country.upper(),
        currency=currency.upper(),
        language=language,
        time_zone=time_zone,
    )
    Location.objects.create(store=store, code="main", name=name, country=store.country, is_default=True)
    policy_create_default(store=store)
    reasons_create_defaults(store=store)
    faq_create_defaults(store=store)
    predefined_replies_create_defaults(store=store)
    return store


def _partner_location(*, store: Store, role: str, location: str | None) -> Location | None:
    """A partner works for one location of the store (it must be given); other roles see the
    whole store, so a location given with them is refused rather than silently ignored."""
    if role not in Role.values:
        raise ValidationFailed(
            _("Unknown role “%(role)s”: use admin, agent, warehouse or partner.") % {"role": role}
        )
    if role != Role.PARTNER:
        if location:
            raise ValidationFailed(_("Only a partner is tied to a location."))
        return None
    if not location:
        raise ValidationFailed(_("A partner needs the code of its location."))
    loc = Location.objects.filter(store=store, code=location).first()
    if loc is None:
        raise ValidationFailed(_("No location has the code “%(code)s” in this store.") % {"code": location})
    return loc


def apikey_create(
    *, store: Store, role: str, name: str = "", location: str | None = None
) -> tuple[ApiKey, str]:
    """Returns the key row and the plaintext key, which is never stored. A ``partner`` key
    is tied to one location (its code) and sees only the returns routed there."""
    loc = _partner_location(store=store, role=role, location=location)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        store=store, role=role, name=name, prefix=raw[:10], key_hash=hash_key(raw), location=loc
    )
    return key, raw


def apikey_authenticate(raw: str) -> ApiKey | None:
    """The live key for this plaintext, or None. Lookup by hash: constant work per key."""
    if not raw or not raw.startswith(KEY_PREFIX):
        return None
    key = (
        ApiKey.objects.select_related("store", "store__policy", "location")
        .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        now = timezone.now()
        # Write at most once a minute per key: last-used is informative, not worth a write per request.
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def apikey_revoke(*, key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def staff_add(
    *,
    store: Store,
    username: str,
    role: str,
    email: str = "",
    password: str | None = None,
    superuser: bool = False,
    location: str | None = None,
) -> StoreMembership:
    """A staff user with a role in the store (created when missing); a ``partner`` is tied
    to one location of the store (its code)."""
    loc = _partner_location(store=store, role=role, location=location)
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created or password:
        user.set_password(password or secrets.token_urlsafe(16))
    user.is_staff = True
    user.is_superuser = user.is_superuser or superuser
    user.save()
    membership, _ = StoreMembership.objects.update_or_create(
        store=store, user=user, defaults={"role": role, "location": loc}
    )
    return membership
