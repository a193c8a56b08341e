"""A webhook receiver for the fault suite: counts the events it accepted by ``webhook-id``; can fail on purpose.

A minimal HTTP/1.1 server on asyncio streams (one request per connection is all the dispatcher needs to be counted;
keep-alive is honoured so the dispatcher's pooled connections work as with a real receiver).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections import Counter


class Receiver:
    """Answers 500 to the first ``fail_first`` requests, then 204; ``accepted`` counts each webhook-id."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests = 0
        self.accepted: Counter[str] = Counter()
        self.secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self._server: asyncio.Server | None = None
        self._last_request = time.monotonic()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hooks/newsmon"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()

    def subscriber_env(self, url: str) -> dict[str, str]:
        """Environment for ``newsmon webhooks dispatch``: this receiver as the only subscriber, quick retries."""
        subscriber = {"name": "faults", "url": url, "secret": self.secret, "max_attempts": 20, "timeout": 5}
        return {
            "NEWSMON_WEBHOOKS__SUBSCRIBERS": json.dumps([subscriber]),
            "NEWSMON_WEBHOOKS__CONFIG_FILE": "/nonexistent/webhooks.yaml",
            "NEWSMON_WEBHOOKS__RETRY_BASE_DELAY": "0.2",
            "NEWSMON_WEBHOOKS__RETRY_MAX_DELAY": "1.0",
            "NEWSMON_WEBHOOKS__BREAKER_COOL_DOWN": "1.0",
        }

    def idle_for(self, seconds: float) -> bool:
        return time.monotonic() - self._last_request >= seconds

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests += 1
                self._last_request = time.monotonic()
                if self.requests <= self.fail_first:
                    writer.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n")
                else:
                    self.accepted[headers.get("webhook-id", "")] += 1
                    writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass  # the client went away, or the receiver is stopping
        finally:
            self._writers.discard(writer)
            writer.close()
