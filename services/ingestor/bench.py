"""Ingestor benchmark: conditional polls per minute against many local feeds that answer 304, and new-article
throughput. Run by ``newsmon feeds bench``; the figures go to docs/benchmarks.md (section "Ingestor").

The feeds are served by an aiohttp server in a separate process pinned to another core, spread over many loopback
addresses (127.0.0.2, 127.0.0.3, …) so that the per-host concurrency limit applies as it would on the internet.
The ingestor runs in this process, pinned to one core.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from newsmon.metrics import InMemoryMetrics

SERVER_READY = "bench server ready"


def feed_document(host: str, port: int, feed: int, items: int) -> bytes:
    entries = "".join(
        f"<item><guid>tag:bench,{host}:{feed}:{i}</guid><title>Feed {feed} item {i}</title>"
        f"<link>http://{host}:{port}/page/{feed}/{i}.html</link>"
        f"<pubDate>Tue, 07 Jan 2025 08:{i % 60:02d}:00 GMT</pubDate>"
        f"<description>Summary of item {i} of feed {feed}: a sentence or two of text.</description></item>"
        for i in range(items)
    )
    return f"<rss version='2.0'><channel><title>Bench {feed}</title>{entries}</channel></rss>".encode()


def page_document(feed: str, item: str) -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {n} of item {item} of feed {feed}, long enough to be taken as the text of an article.</p>"
        for n in range(6)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>Item {item}</title></head><body><nav>Home</nav>"
        f"<article><h1>Item {item}</h1>{paragraphs}</article><footer>footer</footer></body></html>"
    ).encode()


def serve(hosts: int, port: int, feeds_per_host: int, items: int) -> None:
    """The server process: ``feeds_per_host`` feeds on each of ``hosts`` loopback addresses."""
    from aiohttp import web

    async def main() -> None:
        cache: dict[tuple[str, int], bytes] = {}

        async def feed(request: web.Request) -> web.Response:
            n = int(request.match_info["n"])
            etag = f'"bench-{n}-{items}"'
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            host = request.host.split(":", 1)[0]
            body = cache.get((host, n))
            if body is None:
                body = cache[(host, n)] = feed_document(host, port, n, items)
            return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

        async def page(request: web.Request) -> web.Response:
            body = page_document(request.match_info["feed"], request.match_info["item"])
            return web.Response(body=body, content_type="text/html")

        app = web.Application()
        app.add_routes([web.get("/feed/{n}.xml", feed), web.get("/page/{feed}/{item}.html", page)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for index in range(hosts):
            await web.TCPSite(runner, f"127.0.0.{index + 2}", port, backlog=1024).start()
        print(SERVER_READY, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


@dataclass
class BenchResult:
    feeds: int
    items_per_feed: int
    pages: bool
    first_poll_seconds: float
    articles: int
    conditional_polls: int
    window_seconds: float
    kafka: bool
    first_poll_cpu: float = 0.0
    window_cpu: float = 0.0

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.first_poll_seconds if self.first_poll_seconds else 0.0

    @property
    def polls_per_minute(self) -> float:
        return self.conditional_polls * 60.0 / self.window_seconds if self.window_seconds else 0.0

    @property
    def polls_per_cpu_minute(self) -> float:
        """Polls per minute of this process's CPU time: the one-core capacity, whatever else the machine runs."""
        return self.conditional_polls * 60.0 / self.window_cpu if self.window_cpu else 0.0

    @property
    def articles_per_cpu_second(self) -> float:
        return self.articles / self.first_poll_cpu if self.first_poll_cpu else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "feeds": self.feeds,
            "items_per_feed": self.items_per_feed,
            "pages": self.pages,
            "kafka": self.kafka,
            "first_poll_seconds": round(self.first_poll_seconds, 2),
            "new_articles": self.articles,
            "new_articles_per_second": round(self.articles_per_second, 1),
            "conditional_polls": self.conditional_polls,
            "window_seconds": round(self.window_seconds, 2),
            "conditional_polls_per_minute": round(self.polls_per_minute),
            "first_poll_cpu_seconds": round(self.first_poll_cpu, 2),
            "new_articles_per_cpu_second": round(self.articles_per_cpu_second, 1),
            "window_cpu_seconds": round(self.window_cpu, 2),
            "conditional_polls_per_cpu_minute": round(self.polls_per_cpu_minute),
        }


def start_server(hosts: int, port: int, feeds_per_host: int, items: int, cpu: int | None) -> subprocess.Popen[str]:
    code = f"from services.ingestor.bench import serve; serve({hosts}, {port}, {feeds_per_host}, {items})"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
    )
    if cpu is not None:
        os.sched_setaffinity(process.pid, {cpu})
    assert process.stdout is not None
    line = process.stdout.readline()
    if SERVER_READY not in line:
        process.kill()
        raise RuntimeError(f"the bench server did not start: {line!r}")
    return process


async def run(
    settings: Any,
    *,
    hosts: int = 50,
    feeds_per_host: int = 20,
    items: int = 10,
    pages: bool = False,
    seconds: float = 20.0,
    port: int = 18731,
    kafka: bool = True,
) -> BenchResult:
    """First poll (every item new), then ``seconds`` of polling feeds that all answer 304."""
    from services.ingestor.feeds import FeedConfig
    from services.ingestor.fetch import Fetcher
    from services.ingestor.poll import FeedPoller

    feeds = [
        FeedConfig(url=f"http://127.0.0.{h + 2}:{port}/feed/{n}.xml", interval=1.0)
        for h in range(hosts)
        for n in range(feeds_per_host)
    ]
    settings.http.allowed_private_hosts = ("127.0.0.0/8",)
    settings.ingestor.fetch_pages = pages
    metrics = InMemoryMetrics()
    if not kafka:
        return await _run_without_kafka(settings, feeds, items, pages, seconds, metrics, Fetcher, FeedPoller)
    from services.ingestor.app import build

    stopping = asyncio.Event()
    async with build(settings, feeds=feeds, metrics=metrics) as running:
        task = asyncio.create_task(running.ingestor.run(stopping))
        started, cpu = time.perf_counter(), time.process_time()
        expected = len(feeds) * items
        while metrics.messages_out["articles.raw"] < expected:  # noqa: ASYNC110 - watching a counter
            await asyncio.sleep(0.05)
        first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        articles = metrics.messages_out["articles.raw"]
        before = metrics.feed_polls["not_modified"]
        window_start, cpu = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        polls = metrics.feed_polls["not_modified"] - before
        window, window_cpu = time.perf_counter() - window_start, time.process_time() - cpu
        stopping.set()
        await task
    return BenchResult(len(feeds), items, pages, first, articles, polls, window, True, first_cpu, window_cpu)


async def _run_without_kafka(
    settings: Any,
    feeds: list[Any],
    items: int,
    pages: bool,
    seconds: float,
    metrics: InMemoryMetrics,
    fetcher_class: Any,
    poller_class: Any,
) -> BenchResult:
    """The Kafka-free core alone: the same polls, states kept in memory."""
    section = settings.ingestor
    async with fetcher_class(settings.http) as fetcher:
        poller = poller_class(fetcher, fetch_pages=pages, metrics=metrics)
        slots = asyncio.Semaphore(section.max_concurrent_polls)
        states: dict[str, Any] = {}
        articles = 0

        async def one(feed: Any) -> None:
            nonlocal articles
            async with slots:
                result = await poller.poll(feed, states.get(feed.url))
                states[feed.url] = result.new_state
                articles += len(result.articles)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(feed) for feed in feeds))
        first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        polls = 0
        window_start, cpu = time.perf_counter(), time.process_time()
        while time.perf_counter() - window_start < seconds:
            before = metrics.feed_polls["not_modified"]
            await asyncio.gather(*(one(feed) for feed in feeds))
            polls += metrics.feed_polls["not_modified"] - before
        window, window_cpu = time.perf_counter() - window_start, time.process_time() - cpu
    return BenchResult(len(feeds), items, pages, first, articles, polls, window, False, first_cpu, window_cpu)
