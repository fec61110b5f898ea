"""The client's address, believing X-Forwarded-For only from the configured proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in getattr(settings, "TRUSTED_PROXIES", ()))


def client_ip(request: HttpRequest) -> str:
    """The address of whoever sent the request.

    ``REMOTE_ADDR`` unless the peer is one of ``RETOUR_TRUSTED_PROXIES``; then X-Forwarded-For is
    read from the right (each proxy appends the address it saw) past every trusted proxy: the
    first untrusted address is the client. Entries further left are whatever the client wrote.
    """
    address = request.META.get("REMOTE_ADDR") or "unknown"
    if not _trusted(address):
        return address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop[:64]
        address = hop
    return address
