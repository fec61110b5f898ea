"""Outbound HTTP to addresses that someone outside chose (a merchant's webhook URL): never to our
own networks.

A URL is judged by the addresses its host resolves to: loopback, private, shared (100.64/10),
link-local (169.254/16, where cloud metadata lives), multicast, reserved, unspecified and their
IPv6 forms (including IPv4 addresses inside IPv6: ``::ffff:127.0.0.1``, 6to4, NAT64) are refused.
The check runs when the URL is configured and again on every connection, after DNS resolution,
and the connection goes to the very address that was checked (a name that resolves to a public
address when configured and to an internal one later is still refused). Environment proxies are
not used, and redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """The host resolves to an address outbound calls may not reach."""

    def __init__(self, host: str, address: IPAddress, reason: str) -> None:
        super().__init__(f"Refused: {host} resolves to {address}, a {reason} address")
        self.host, self.address, self.reason = host, address, reason


def _v4_refusal(ip: ipaddress.IPv4Address) -> str | None:
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def ip_refusal(ip: IPAddress) -> str | None:
    """Why outbound calls may not reach ``ip`` (``"loopback"``, ``"private"`` …), or None."""
    if isinstance(ip, ipaddress.IPv4Address):
        return _v4_refusal(ip)
    inner = ip.ipv4_mapped or ip.sixtofour
    if inner is None and ip in _NAT64:
        inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if inner is not None:
        refusal = _v4_refusal(inner)
        if refusal or ip.ipv4_mapped:
            return refusal
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local or ip.is_site_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip in _NAT64:
        return None  # a public IPv4 address behind NAT64, checked above
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "non-public"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (a literal address is itself); raises ``OSError``."""
    literal = host.strip("[]")
    try:
        return [ipaddress.ip_address(literal)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def first_refusal(host: str, addresses: Iterable[IPAddress]) -> AddressRefused | None:
    for address in addresses:
        reason = ip_refusal(address)
        if reason:
            return AddressRefused(host, address, reason)
    return None


def host_refusal(host: str, port: int) -> AddressRefused | None:
    """At configuration time: the refusal for a host that resolves to a forbidden address.

    A host that does not resolve (yet) is not refused here; every connection checks again.
    """
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return None
    return first_refusal(host, addresses)


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses forbidden addresses, connects to a checked address."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        refused = first_refusal(host, addresses)
        if refused:
            raise refused
        error: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                # TLS still verifies the certificate for the host name (httpcore passes it as SNI).
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport, without environment proxies, whose connections go through the guard."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trust_env=False, **kwargs)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=_GuardedBackend(),
        )


def outbound_client(*, timeout: float, allow_private: bool = False) -> httpx.Client:
    """An httpx client for URLs chosen outside; ``allow_private`` (tests, development) lifts the
    address check. Redirects are not followed: a 3xx is the answer."""
    transport = httpx.HTTPTransport(trust_env=False) if allow_private else GuardedTransport()
    return httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)
