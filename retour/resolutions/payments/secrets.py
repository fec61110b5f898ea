"""Provider secrets at rest: encrypted with a key derived from ``RETOUR_SECRET_KEY``.

Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``; the key is HKDF-SHA256 of the
instance's secret key with a purpose label, so it is never the secret key itself. Changing
``RETOUR_SECRET_KEY`` makes stored provider secrets unreadable: set them again.
"""

from __future__ import annotations

import base64
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"retour payment provider secrets v1"


def _fernet(purpose: bytes = _PURPOSE) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(raw))


def secret_encrypt(value: str, *, purpose: bytes = _PURPOSE) -> str:
    """``purpose`` keeps each kind of secret under its own key (shop connectors use theirs)."""
    return _fernet(purpose).encrypt(value.encode()).decode() if value else ""


def secret_decrypt(token: str, *, purpose: bytes = _PURPOSE) -> str:
    """The clear secret; "" when none is stored or it was encrypted under another secret key."""
    if not token:
        return ""
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def secret_hint(value: str) -> str:
    """What may be shown of a secret: its kind prefix and last four characters (``sk_test_…4242``)."""
    if not value:
        return ""
    prefix = value.rsplit("_", 1)[0] + "_" if "_" in value[:12] else ""
    return f"{prefix[:12]}…{value[-4:]}"


# Keys and tokens as providers write them, should one appear in an error text: Stripe
# (sk_/rk_/pk_live_…), webhook secrets (whsec_…), Mollie (live_/test_/access_…), bearer tokens
# and passwords in URLs.
_SECRET_PATTERNS = re.compile(
    r"\b(?:(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{6,}"
    r"|whsec_[0-9A-Za-z+/=]{6,}"
    r"|(?:live|test|access)_[0-9A-Za-z]{16,})"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[^\s,;\"']+")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@")


def secrets_masked(text: str) -> str:
    """``text`` (a provider's error) with anything that looks like a key or token reduced to its
    hint (``sk_live_…4242``), so it can be shown to staff."""
    text = _SECRET_PATTERNS.sub(lambda m: secret_hint(m.group(0)), text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} …", text)
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}…@", text)
