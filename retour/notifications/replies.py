"""Replies to Retour's emails, tied to their return by a signed token, never by the sender alone.

Every email about a return carries the token twice: in its ``Message-ID``
(``<retour.<token>.<n>.<tag>@domain>``, see ``notification_message_id``, which mail clients quote back in ``In-Reply-To`` and
``References``) and, when ``RETOUR_REPLY_ADDRESS`` is set, in its ``Reply-To``
(``replies+<token>@inbound.example.com``). The token is ``r<return id>-<signature>``, the
signature an HMAC of the return's id and its secret status token with the site's secret key: it
cannot be guessed or moved to another return, and a forged ``From`` gains nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.utils import getaddresses
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

if TYPE_CHECKING:
    from retour.returns.models import ReturnRequest

_TOKEN = r"r(\d{1,18})-([0-9a-f]{20})"
_IN_ADDRESS = re.compile(r"\+" + _TOKEN + r"@", re.I)
_IN_MESSAGE_ID = re.compile(r"<retour\." + _TOKEN + r"\.", re.I)


def _signature(return_id: int, status_token: str) -> str:
    return salted_hmac("retour.reply", f"{return_id}:{status_token}", algorithm="sha256").hexdigest()[:20]


def reply_token(return_request: ReturnRequest) -> str:
    return f"r{return_request.pk}-{_signature(return_request.pk, return_request.token)}"


def reply_address(return_request: ReturnRequest) -> str | None:
    """``replies+<token>@domain`` from ``RETOUR_REPLY_ADDRESS``, or None when it is not set."""
    if not settings.REPLY_ADDRESS:
        return None
    local, _at, domain = settings.REPLY_ADDRESS.partition("@")
    return f"{local}+{reply_token(return_request)}@{domain}"


def tokens_in(addresses: Iterable[str], references: Iterable[str]) -> list[tuple[int, str]]:
    """(return id, signature) pairs found in recipient addresses and in reference headers."""
    found = []
    for _name, address in getaddresses([a for a in addresses if a]):
        found += [(int(m.group(1)), m.group(2).lower()) for m in _IN_ADDRESS.finditer(address)]
    for header in references:
        found += [(int(m.group(1)), m.group(2).lower()) for m in _IN_MESSAGE_ID.finditer(header or "")]
    return found


def return_for_reply(addresses: Iterable[str], references: Iterable[str]) -> ReturnRequest | None:
    """The return whose valid token the message carries (first one that verifies), else None."""
    from retour.returns.models import ReturnRequest

    for return_id, signature in tokens_in(addresses, references):
        rr = ReturnRequest.objects.select_related("store", "customer").filter(pk=return_id).first()
        if rr is not None and constant_time_compare(signature, _signature(rr.pk, rr.token)):
            return rr
    return None
