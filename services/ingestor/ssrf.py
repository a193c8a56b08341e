"""The SSRF guard: feed and page URLs may only reach public addresses, unless configuration allows more.

Two checks: :meth:`AddressGuard.check` before each request (and each redirect hop) gives a clear error early, and
the connection pool of :func:`guarded_transport` vets again and dials exactly the address it vetted, so a host that
resolves to a public address at the check and to a private one at the connect (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from services.ingestor.errors import FetchError

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressGuard:
    """The SSRF guard: which hosts may be contacted."""

    def __init__(self, allowed: tuple[str, ...], resolver: Resolver = system_resolver) -> None:
        self._allowed_names = {entry.lower() for entry in allowed}
        self._allowed_networks: list[IPNetwork] = []
        for entry in allowed:
            try:
                self._allowed_networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                continue
        self._resolve = resolver

    def _address_allowed(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_global and not address.is_multicast:
            return True
        return any(address in network for network in self._allowed_networks)

    async def vet(self, host: str, port: int, *, url: str) -> list[str]:
        """The addresses ``host`` may be reached at; FetchError if any of them is not allowed."""
        host = host.lower().strip("[]")
        try:
            addresses: list[IPAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = await self._resolve_host(host, port, url)
        if host not in self._allowed_names:
            for address in addresses:
                if not self._address_allowed(address):
                    raise FetchError(
                        "blocked_address",
                        f"refused: {host} resolves to the non-public address {address} (not in allowed_private_hosts)",
                        url=url,
                        transient=False,
                    )
        return [str(address) for address in addresses]

    async def _resolve_host(self, host: str, port: int, url: str) -> list[IPAddress]:
        try:
            resolved = await self._resolve(host, port)
        except OSError as exc:
            raise FetchError("dns", f"cannot resolve {host}: {exc}", url=url) from exc
        if not resolved:
            raise FetchError("dns", f"{host} resolves to no address", url=url)
        return [ipaddress.ip_address(address.split("%", 1)[0]) for address in resolved]

    async def check(self, url: httpx.URL) -> None:
        await self.vet(url.host, url.port or (443 if url.scheme == "https" else 80), url=str(url))


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens connections only to addresses the guard approved, resolved right here.

    The check before each request gives a clear error early; this one closes the gap a DNS-rebinding host would
    use (public address at the check, private one at the connect), because the address vetted is the one dialled.
    """

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._guard.vet(host, port, url=f"{host}:{port}")
        return await self._inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("blocked_address", "unix sockets are never contacted", url=path, transient=False)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(guard: AddressGuard) -> httpx.AsyncHTTPTransport:
    """httpx's transport with its connection pool dialling through the SSRF guard."""
    limits = connection_limits()
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    # httpx 0.28 has no public hook for the network backend; its pool is rebuilt with the same options plus ours.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(guard),
    )
    return transport


def connection_limits() -> httpx.Limits:
    return httpx.Limits(max_connections=256, max_keepalive_connections=128, keepalive_expiry=30.0)
