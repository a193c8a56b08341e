"""The polite, defensive GET: every guard exercised through httpx.MockTransport."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from newsmon.settings import HttpSettings
from services.ingestor.fetch import Fetcher, FetchError, build_client

FEED = b"<rss version='2.0'><channel><title>t</title></channel></rss>"

Handler = Callable[[httpx.Request], httpx.Response]


async def public_resolver(host: str, port: int) -> list[str]:
    table = {"intranet.example": ["10.0.0.7"], "rebind.example": ["93.184.216.34", "127.0.0.1"]}
    return table.get(host, ["93.184.216.34"])


def fetcher_for(handler: Handler, **overrides: object) -> Fetcher:
    settings = HttpSettings(**{"total_timeout": 2.0, **overrides})  # type: ignore[arg-type]
    client = build_client(settings, transport=httpx.MockTransport(handler))
    return Fetcher(settings, client=client, resolver=public_resolver)


def respond(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> httpx.Response:
    """A response whose body is still to be streamed, as a real transport gives it."""
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))


class Trickle(httpx.AsyncByteStream):
    def __init__(self, chunk: bytes, pause: float, count: int) -> None:
        self.chunk, self.pause, self.count = chunk, pause, count

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            await asyncio.sleep(self.pause)
            yield self.chunk


async def test_conditional_get_sends_validators_and_a_304_costs_no_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return respond(200, FEED, {"ETag": '"v1"', "Last-Modified": "Tue, 07 Jan 2025"})

    async with fetcher_for(handler) as fetcher:
        first = await fetcher.get("https://news.example/rss")
        second = await fetcher.get("https://news.example/rss", etag='"v1"', last_modified="Tue, 07 Jan 2025")
    assert first.status == 200
    assert first.body == FEED
    assert first.headers["etag"] == '"v1"'
    assert second.not_modified
    assert second.body == b""
    assert seen[1].headers["if-modified-since"] == "Tue, 07 Jan 2025"
    assert seen[0].headers["user-agent"].startswith("newsmon/")
    assert "gzip" in seen[0].headers["accept-encoding"]


async def test_gzip_body_is_decompressed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return respond(200, gzip.compress(FEED), headers={"Content-Encoding": "gzip"})

    async with fetcher_for(handler) as fetcher:
        assert (await fetcher.get("https://news.example/rss")).body == FEED


async def test_gzip_bomb_is_cut_at_the_decompressed_limit() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100_000

    def handler(request: httpx.Request) -> httpx.Response:
        return respond(200, bomb, {"Content-Encoding": "gzip"})

    async with fetcher_for(handler, max_body_bytes=1024 * 1024) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("https://news.example/rss")
    assert caught.value.kind == "too_large"


async def test_oversized_body_is_refused_by_content_length_or_while_streaming() -> None:
    def declared(request: httpx.Request) -> httpx.Response:
        return respond(200, b"x" * 2048, {"Content-Length": "2048"})

    def undeclared(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle(b"x" * 1000, 0, 50))

    for handler in (declared, undeclared):
        async with fetcher_for(handler, max_body_bytes=1024) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.get("https://news.example/rss")
        assert caught.value.kind == "too_large"


async def test_a_trickling_server_is_cut_by_the_total_deadline() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Trickle(b"<", 0.05, 10_000))

    async with fetcher_for(handler, total_timeout=0.5, read_timeout=5.0) as fetcher:
        started = asyncio.get_running_loop().time()
        with pytest.raises(FetchError) as caught:
            await fetcher.get("https://news.example/rss")
    assert caught.value.kind == "timeout"
    assert asyncio.get_running_loop().time() - started < 2.0


async def test_redirects_are_followed_and_loops_detected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        if path == "/new":
            return respond(200, FEED)
        if path == "/a":
            return httpx.Response(302, headers={"Location": "https://news.example/b"})
        if path == "/b":
            return httpx.Response(302, headers={"Location": "/a"})
        hop = int(path.strip("/hop"))
        return httpx.Response(307, headers={"Location": f"/hop{hop + 1}"})

    async with fetcher_for(handler, max_redirects=3) as fetcher:
        moved = await fetcher.get("https://news.example/old")
        assert moved.url == "https://news.example/new"
        assert moved.redirects == ("https://news.example/new",)
        with pytest.raises(FetchError) as loop:
            await fetcher.get("https://news.example/a")
        with pytest.raises(FetchError) as chain:
            await fetcher.get("https://news.example/hop0")
    assert loop.value.kind == "redirect_loop"
    assert chain.value.kind == "too_many_redirects"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://10.1.2.3/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://[::ffff:192.168.0.1]/feed",
        "http://intranet.example/feed",
        "http://rebind.example/feed",
        "http://0.0.0.0/feed",
    ],
)
async def test_ssrf_guard_refuses_non_public_addresses(url: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may leave for a private address")

    async with fetcher_for(handler) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(url)
    assert caught.value.kind == "blocked_address"
    assert not caught.value.transient


async def test_ssrf_guard_checks_every_redirect_hop_and_honours_the_allow_list() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "news.example":
            return httpx.Response(302, headers={"Location": "http://10.0.0.9/admin"})
        return respond(200, FEED)

    async with fetcher_for(handler) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("https://news.example/rss")
    assert caught.value.kind == "blocked_address"
    async with fetcher_for(handler, allowed_private_hosts=("10.0.0.0/8",)) as fetcher:
        assert (await fetcher.get("https://news.example/rss")).url == "http://10.0.0.9/admin"
    async with fetcher_for(handler, allowed_private_hosts=("127.0.0.1",)) as fetcher:
        assert (await fetcher.get("http://127.0.0.1/feed")).body == FEED


@pytest.mark.parametrize("url", ["not a url", "ftp://news.example/rss", "http://", "file:///etc/passwd", ""])
async def test_invalid_urls_are_refused_before_any_request(url: str) -> None:
    async with fetcher_for(lambda request: httpx.Response(200)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get(url)
    assert caught.value.kind == "invalid_url"


@pytest.mark.parametrize(
    ("status", "headers", "kind", "retry_after", "transient"),
    [
        (404, {}, "http_404", None, False),
        (500, {}, "http_500", None, True),
        (429, {"Retry-After": "120"}, "http_429", 120.0, True),
        (503, {"Retry-After": "30"}, "http_503", 30.0, True),
    ],
)
async def test_http_errors_carry_their_status_and_retry_after(
    status: int, headers: dict[str, str], kind: str, retry_after: float | None, transient: bool
) -> None:
    async with fetcher_for(lambda request: httpx.Response(status, headers=headers)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("https://news.example/rss")
    assert (caught.value.kind, caught.value.retry_after, caught.value.transient) == (kind, retry_after, transient)


async def test_corrupt_gzip_is_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return respond(200, b"not gzip at all", {"Content-Encoding": "gzip"})

    async with fetcher_for(handler) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("https://news.example/rss")
    assert caught.value.kind == "bad_encoding"


async def test_deflate_is_supported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return respond(200, zlib.compress(FEED), headers={"Content-Encoding": "deflate"})

    async with fetcher_for(handler) as fetcher:
        assert (await fetcher.get("https://news.example/rss")).body == FEED


async def test_per_host_concurrency_is_limited() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            host = request.url.host
            in_flight[host] = in_flight.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), in_flight[host])
            await asyncio.sleep(0.02)
            in_flight[host] -= 1
            return respond(200, FEED)

    settings = HttpSettings(per_host_concurrency=2)
    fetcher = Fetcher(settings, client=build_client(settings, transport=Slow()), resolver=public_resolver)
    async with fetcher:
        urls = [f"https://{host}.example/{n}" for host in ("a", "b") for n in range(10)]
        await asyncio.gather(*(fetcher.get(url) for url in urls))
    assert peak == {"a.example": 2, "b.example": 2}


async def test_the_address_dialled_is_the_address_vetted_so_dns_rebinding_fails() -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # public at the check, loopback at the connect

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    async with Fetcher(HttpSettings(connect_timeout=1.0, total_timeout=2.0), resolver=rebinding) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.get("http://rebind.test:9/feed")
    assert caught.value.kind == "blocked_address"
    assert "127.0.0.1" in caught.value.reason
