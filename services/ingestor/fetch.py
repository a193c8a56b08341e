"""Polite, defensive HTTP GET for feeds and article pages.

What it guarantees, whatever the server does:
- a TOTAL deadline per request (redirects included), so a server that trickles one byte a second is cut off;
- at most ``max_body_bytes`` of *decompressed* body: a 50 MB answer or a gzip bomb is aborted while streaming;
- redirects followed by hand, at most ``max_redirects``, loops detected, every hop checked by the SSRF guard;
- no request to a private, loopback, link-local or reserved address unless ``allowed_private_hosts`` allows it;
- at most ``per_host_concurrency`` requests in flight per host; conditional GET headers when validators are known.
Every failure is a :class:`FetchError` with a short ``kind`` (the dead letter's ``error_kind``).
"""

from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpx

from newsmon.settings import HttpSettings
from services.ingestor.errors import FetchError
from services.ingestor.schedule import parse_retry_after
from services.ingestor.ssrf import AddressGuard, Resolver, connection_limits, guarded_transport, system_resolver

__all__ = ["FEED_ACCEPT", "PAGE_ACCEPT", "FetchError", "FetchResponse", "Fetcher", "build_client"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchResponse:
    url: str
    """The final URL, after redirects."""
    status: int
    headers: dict[str, str] = field(repr=False)
    """Response headers, names lowercased."""
    body: bytes = field(repr=False)
    elapsed: float = 0.0
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _BodyReader:
    """Streams a body through its Content-Encoding with a hard cap on the decompressed size."""

    def __init__(self, encoding: str, cap: int, url: str) -> None:
        self._cap = cap
        self._url = url
        self._size = 0
        self._parts: list[bytes] = []
        encoding = encoding.strip().lower()
        self._decoder: zlib._Decompress | None
        if encoding in ("", "identity", "none"):
            self._decoder = None
        elif encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError("bad_encoding", f"unsupported Content-Encoding {encoding!r}", url=url, transient=False)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._cap:
            raise FetchError(
                "too_large",
                f"body exceeds the limit of {self._cap} bytes (decompressed)",
                url=self._url,
                transient=False,
            )
        self._parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if self._decoder is None:
            self._keep(chunk)
            return
        try:
            # max_length bounds the output of this call: a bomb can never inflate more than cap + 1 bytes.
            self._keep(self._decoder.decompress(chunk, self._cap - self._size + 1))
        except zlib.error as exc:
            raise FetchError("bad_encoding", f"corrupt compressed body: {exc}", url=self._url) from exc

    def finish(self) -> bytes:
        if self._decoder is not None:
            try:
                self._keep(self._decoder.flush())
            except zlib.error as exc:
                raise FetchError("bad_encoding", f"corrupt compressed body: {exc}", url=self._url) from exc
        return b"".join(self._parts)


def build_client(settings: HttpSettings, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The one HTTP client of the ingestor: explicit timeouts, limits and User-Agent; redirects by hand."""
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.total_timeout,
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=timeout,
        follow_redirects=False,
        limits=connection_limits(),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        trust_env=False,
    )


class Fetcher:
    """GET with every guard of the module docstring. One per process; ``async with`` closes the client."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        client: httpx.AsyncClient | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self._guard = AddressGuard(settings.allowed_private_hosts, resolver)
        self._client = client or build_client(settings, guarded_transport(self._guard))
        self._host_slots: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = self._host_slots[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return slot

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResponse:
        started = time.perf_counter()
        current = _parse_url(url)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = [str(current)]
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while True:
            try:
                async with asyncio.timeout(self.settings.connect_timeout):
                    await self._guard.check(current)
            except TimeoutError as exc:
                raise FetchError("dns", f"cannot resolve {current.host} in time", url=str(current)) from exc
            # Waiting for a free per-host slot is not the server's fault: the total deadline starts after it.
            async with self._slot(current.host):
                if deadline is None:
                    deadline = loop.time() + self.settings.total_timeout
                try:
                    async with asyncio.timeout_at(deadline):
                        response = await self._one_hop(current, headers)
                except TimeoutError as exc:
                    raise FetchError(
                        "timeout",
                        f"no complete answer within the total deadline of {self.settings.total_timeout:g}s",
                        url=url,
                    ) from exc
            if isinstance(response, FetchResponse):
                elapsed = time.perf_counter() - started
                return FetchResponse(
                    response.url, response.status, response.headers, response.body, elapsed, tuple(visited[1:])
                )
            current = response
            if str(current) in visited:
                raise FetchError(
                    "redirect_loop",
                    f"redirect loop: {' -> '.join([*visited, str(current)])}",
                    url=url,
                    transient=False,
                )
            visited.append(str(current))
            if len(visited) - 1 > self.settings.max_redirects:
                raise FetchError(
                    "too_many_redirects",
                    f"more than {self.settings.max_redirects} redirects",
                    url=url,
                    transient=False,
                )

    async def _one_hop(self, url: httpx.URL, headers: dict[str, str]) -> FetchResponse | httpx.URL:
        """One request: a response, or the URL a redirect points to."""
        try:
            request = self._client.build_request("GET", url, headers=headers)
            response = await self._client.send(request, stream=True)
        except httpx.ConnectTimeout as exc:
            raise FetchError(
                "connect_timeout", f"no connection within {self.settings.connect_timeout:g}s", url=str(url)
            ) from exc
        except httpx.TimeoutException as exc:
            raise FetchError("read_timeout", f"server stopped answering: {type(exc).__name__}", url=str(url)) from exc
        except httpx.ConnectError as exc:
            raise FetchError("connect_error", f"cannot connect: {exc}", url=str(url)) from exc
        except httpx.HTTPError as exc:
            raise FetchError("http_error", f"{type(exc).__name__}: {exc}", url=str(url)) from exc
        try:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError("bad_redirect", f"HTTP {status} without a Location", url=str(url), transient=False)
                try:
                    return _parse_url(str(url.join(location)))
                except (httpx.InvalidURL, FetchError) as exc:
                    raise FetchError(
                        "bad_redirect", f"redirect to an invalid URL {location!r}", url=str(url), transient=False
                    ) from exc
            lowered = {name.lower(): value for name, value in response.headers.items()}
            if status == 304:
                return FetchResponse(str(url), status, lowered, b"")
            if status >= 400 or status < 200:
                retry_after = None
                if status in (429, 503):
                    retry_after = parse_retry_after(lowered.get("retry-after"), datetime.now(UTC))
                hint = f", Retry-After {retry_after:g}s" if retry_after is not None else ""
                raise FetchError(
                    f"http_{status}",
                    f"HTTP {status} {response.reason_phrase}{hint}",
                    url=str(url),
                    status=status,
                    retry_after=retry_after,
                    transient=status in TRANSIENT_STATUSES,
                )
            body = await self._read_body(response, url)
            return FetchResponse(str(url), status, lowered, body)
        finally:
            await response.aclose()

    async def _read_body(self, response: httpx.Response, url: httpx.URL) -> bytes:
        cap = self.settings.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(
                "too_large",
                f"Content-Length {declared} exceeds the limit of {cap} bytes",
                url=str(url),
                transient=False,
            )
        reader = _BodyReader(response.headers.get("content-encoding", ""), cap, str(url))
        try:
            async for chunk in response.aiter_raw(CHUNK):
                reader.feed(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError("read_timeout", f"body stalled: {type(exc).__name__}", url=str(url)) from exc
        except httpx.HTTPError as exc:
            raise FetchError("http_error", f"body broken off: {type(exc).__name__}: {exc}", url=str(url)) from exc
        return reader.finish()


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("invalid_url", f"not a valid URL: {url!r} ({exc})", url=url, transient=False) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError("invalid_url", f"not an http(s) URL with a host: {url!r}", url=url, transient=False)
    return parsed
