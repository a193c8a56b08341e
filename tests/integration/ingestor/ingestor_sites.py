"""A real local HTTP server for the ingestor's tests: feeds with ETags, article pages, and hostile behaviours."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Static:
    body: bytes
    content_type: str = "application/rss+xml"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class LocalSite:
    """ThreadingHTTPServer on 127.0.0.1 serving static documents (with ETag/304) and custom behaviours."""

    def __init__(self) -> None:
        self.static: dict[str, Static] = {}
        self.behaviours: dict[str, Behaviour] = {}
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.release = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                site.requests[path] += 1
                if path in site.behaviours:
                    site.behaviours[path](self)
                    return
                entry = site.static.get(path)
                if entry is None:
                    self._send(path, 404, b"not found", "text/plain")
                    return
                if entry.delay:
                    time.sleep(entry.delay)
                etag = '"' + hashlib.sha256(entry.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.statuses[(path, 304)] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(path, 200, entry.body, entry.content_type, {"ETag": etag, **entry.headers})

            def _send(
                self, path: str, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
            ) -> None:
                site.statuses[(path, status)] += 1
                self.send_response(status)
                names = {name.lower() for name in headers or {}}
                if "content-type" not in names:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-site", daemon=True)

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


def rss(title: str, items: list[tuple[str, str, str]], *, start: datetime | None = None) -> bytes:
    """An RSS 2.0 document; items are (guid, link, title), dated a minute apart."""
    start = start or datetime(2025, 1, 7, tzinfo=UTC)
    entries = []
    for index, (guid, link, item_title) in enumerate(items):
        date = format_datetime(start + timedelta(minutes=index), usegmt=True)
        entries.append(
            f"<item><guid>{escape(guid)}</guid><link>{escape(link)}</link><title>{escape(item_title)}</title>"
            f"<pubDate>{date}</pubDate><description>Summary of {escape(item_title)}</description></item>"
        )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{escape(title)}</title>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


def page(title: str, paragraphs: int = 3) -> bytes:
    body = "".join(
        f"<p>{escape(title)}: paragraph {n} of the story, with enough words to be the main text.</p>"
        for n in range(paragraphs)
    )
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{escape(title)}</title></head><body><nav>Home</nav>"
        f"<article><h1>{escape(title)}</h1>{body}</article><footer>footer</footer></body></html>"
    ).encode()


def add_news_feeds(site: LocalSite, feeds: int, items: int, *, page_delay: float = 0.0) -> list[str]:
    """``feeds`` RSS feeds of ``items`` items each, with one HTML page per item; returns the feed URLs."""
    urls = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            path = f"/news{f}/story-{i}.html"
            site.static[path] = Static(page(f"Feed {f} story {i}"), "text/html; charset=utf-8", delay=page_delay)
            entries.append((f"tag:test,2025:feed{f}:{i}", site.url(path), f"Feed {f} story {i}"))
        site.static[f"/news{f}/rss.xml"] = Static(rss(f"News {f}", entries))
        urls.append(site.url(f"/news{f}/rss.xml"))
    return urls


# --- hostile behaviours ------------------------------------------------------------------------------------------


def never_answers(site: LocalSite) -> Behaviour:
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        site.release.wait(120)

    return behaviour


def trickles(site: LocalSite, pause: float = 0.3) -> Behaviour:
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(100000):
            if site.release.wait(pause):
                return
            try:
                handler.wfile.write(b"<")
                handler.wfile.flush()
            except OSError:
                return

    return behaviour


def status(code: int, headers: dict[str, str] | None = None) -> Behaviour:
    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return behaviour


def redirect(location: str) -> Behaviour:
    return status(302, {"Location": location})


def huge_body(size: int) -> Behaviour:
    """``size`` bytes, with no Content-Length: only a cap while streaming can stop it."""

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        chunk = b"<rss>" + b" " * (1024 * 1024 - 5)
        sent = 0
        try:
            while sent < size:
                handler.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            return

    return behaviour


def gzip_bomb(decompressed: int) -> Behaviour:
    bomb = gzip.compress(b"\0" * decompressed, compresslevel=9)

    def behaviour(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(bomb)))
        handler.end_headers()
        try:
            handler.wfile.write(bomb)
        except OSError:
            return

    return behaviour


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
