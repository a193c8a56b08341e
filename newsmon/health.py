"""A tiny HTTP endpoint per service: ``/metrics`` (Prometheus), ``/healthz`` (alive) and ``/readyz`` (ready).

Start it from the service's ``build``::

    metrics = PrometheusMetrics(service="indexer")
    async with serve_health(settings.metrics, service="indexer", metrics=metrics) as health:
        health.add_readiness_check("elasticsearch", es.ping)      # sync or async callable returning bool
        health.set_ready("kafka", False)                           # or a flag the service flips itself
        await consumer.start()
        health.set_ready("kafka", True)
        ...

- ``/healthz`` answers 200 while the event loop runs (a wedged loop cannot answer: that is the signal).
- ``/readyz`` answers 200 only when every check passes and at least one is registered; else 503. The body is JSON:
  ``{"ready": false, "service": "indexer", "checks": {"kafka": true, "elasticsearch": false}}``. A check that
  raises or takes longer than ``check_timeout`` seconds counts as failing.
- ``/metrics`` renders the registry of the :class:`~newsmon.metrics.PrometheusMetrics` given (empty otherwise).

Plain asyncio streams, no web framework: three GET routes do not need one. ``port=0`` picks a free port; the
chosen one is ``health.port`` (and is logged).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from newsmon.settings import MetricsSettings

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], bool | Awaitable[bool]]

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request", 503: "Service Unavailable"}
_MAX_REQUEST_HEAD = 16 * 1024


class HealthServer:
    """Serves the three endpoints; ``async with`` or ``start()``/``stop()``."""

    def __init__(
        self,
        *,
        service: str,
        host: str = "127.0.0.1",
        port: int = 0,
        registry: CollectorRegistry | None = None,
        check_timeout: float = 2.0,
    ) -> None:
        self.service = service
        self.host = host
        self.registry = registry
        self.check_timeout = check_timeout
        self._requested_port = port
        self._checks: dict[str, ReadinessCheck] = {}
        self._server: asyncio.Server | None = None
        self.port: int = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add_readiness_check(self, name: str, check: ReadinessCheck) -> None:
        """Register (or replace) a named check; ``/readyz`` calls every check on every request."""
        self._checks[name] = check

    def set_ready(self, name: str, ready: bool = True) -> None:
        """A check that is simply a flag the service sets: ``set_ready("kafka")`` once the consumer started."""
        self._checks[name] = lambda: ready

    def remove_readiness_check(self, name: str) -> None:
        self._checks.pop(name, None)

    async def readiness(self) -> dict[str, bool]:
        """Run every check now."""
        results: dict[str, bool] = {}
        for name, check in list(self._checks.items()):
            results[name] = await self._run_check(name, check)
        return results

    async def _run_check(self, name: str, check: ReadinessCheck) -> bool:
        try:
            outcome = check()
            if inspect.isawaitable(outcome):
                outcome = await asyncio.wait_for(outcome, timeout=self.check_timeout)
            return bool(outcome)
        except Exception as exc:
            log.debug("readiness check %s failed: %r", name, exc)
            return False

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self._requested_port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("health and metrics endpoint on %s", self.url, extra={"metrics_url": self.url})

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> HealthServer:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        method = "GET"
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5.0)
            if len(head) > _MAX_REQUEST_HEAD:
                raise ValueError("request head too large")
            method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            status, content_type, body = await self._route(method, target.split("?", 1)[0])
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            status, content_type, body = 400, "text/plain; charset=utf-8", b"bad request\n"
        except Exception:
            log.exception("health endpoint failed")
            status, content_type, body = 503, "text/plain; charset=utf-8", b"error\n"
        head_out = (
            f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("latin-1")
        try:
            writer.write(head_out if method == "HEAD" else head_out + body)
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _route(self, method: str, path: str) -> tuple[int, str, bytes]:
        if method not in ("GET", "HEAD"):
            return 405, "text/plain; charset=utf-8", b"method not allowed\n"
        if path == "/metrics":
            data = generate_latest(self.registry) if self.registry is not None else b""
            return 200, CONTENT_TYPE_LATEST, data
        if path == "/healthz":
            return 200, "application/json", _json({"status": "ok", "service": self.service})
        if path == "/readyz":
            checks = await self.readiness()
            ready = bool(checks) and all(checks.values())
            body = _json({"ready": ready, "service": self.service, "checks": checks})
            return (200 if ready else 503), "application/json", body
        return 404, "text/plain; charset=utf-8", b"not found: try /metrics, /healthz or /readyz\n"


def _json(payload: dict[str, Any]) -> bytes:
    return (json.dumps(payload, sort_keys=True) + "\n").encode("utf-8")


@asynccontextmanager
async def serve_health(
    settings: MetricsSettings, *, service: str, metrics: object | None = None
) -> AsyncIterator[HealthServer]:
    """Start the endpoint when ``settings.enabled``; otherwise yield a server that is not listening.

    ``metrics`` is usually a :class:`~newsmon.metrics.PrometheusMetrics`; its ``registry`` is what ``/metrics`` shows.
    """
    registry = getattr(metrics, "registry", None)
    server = HealthServer(
        service=service,
        host=settings.host,
        port=settings.port,
        registry=registry if isinstance(registry, CollectorRegistry) else None,
    )
    if not settings.enabled:
        yield server
        return
    async with server:
        yield server
