"""Where a webhook may go: every address the host resolves to must be public or allowed."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence

import httpx

from services.ops.settings import Network
from shared.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(DomainError):
    """The URL is malformed or points at an address endpoints may not use (422 on `url`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="url")


def parse(url: str) -> httpx.URL:
    """An http(s) URL with a host and no credentials (the signing secret authenticates us)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise DestinationRefused("not a valid URL") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise DestinationRefused("give an http:// or https:// URL with a host name")
    if parsed.userinfo:
        raise DestinationRefused("the URL may not hold a user name or password")
    return parsed


async def check(url: str, allowed: Sequence[Network]) -> list[IPAddress]:
    """Resolve the host and refuse if any address is private, loopback, link-local or reserved."""
    parsed = parse(url)
    addresses = await _resolve(
        parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)
    )
    for address in addresses:
        if not _permitted(address, allowed):
            raise DestinationRefused(
                f"{parsed.host} resolves to {address}, a private or reserved address; "
                "allow its network with OPS_WEBHOOK_ALLOWED_NETWORKS if it is meant"
            )
    return addresses


def _permitted(address: IPAddress, allowed: Sequence[Network]) -> bool:
    if any(address.version == net.version and address in net for net in allowed):
        return True
    return address.is_global and not address.is_multicast


async def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return [_unmapped(literal)]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationRefused(f"{host} does not resolve") from exc
    found = {_unmapped(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in infos}
    if not found:
        raise DestinationRefused(f"{host} does not resolve")
    return sorted(found, key=str)


def _unmapped(address: IPAddress) -> IPAddress:
    # ::ffff:10.0.0.1 reaches 10.0.0.1: judge it as the IPv4 address it is.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
