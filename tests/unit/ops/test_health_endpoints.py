"""The health endpoint over a real local socket."""

from __future__ import annotations

import asyncio

import httpx

from newsmon.health import HealthServer, serve_health
from newsmon.metrics import PrometheusMetrics
from newsmon.settings import MetricsSettings


async def test_healthz_answers_while_the_loop_runs() -> None:
    async with HealthServer(service="ingestor") as server, httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"service": "ingestor", "status": "ok"}


async def test_readyz_needs_every_check_to_pass() -> None:
    async with HealthServer(service="indexer") as server, httpx.AsyncClient(base_url=server.url) as client:
        nothing_registered = await client.get("/readyz")
        server.set_ready("kafka", False)
        elasticsearch_up = asyncio.Event()

        async def elasticsearch() -> bool:
            return elasticsearch_up.is_set()

        server.add_readiness_check("elasticsearch", elasticsearch)
        both_down = await client.get("/readyz")
        server.set_ready("kafka")
        kafka_only = await client.get("/readyz")
        elasticsearch_up.set()
        ready = await client.get("/readyz")

    assert nothing_registered.status_code == 503
    assert both_down.status_code == 503
    assert kafka_only.status_code == 503
    assert kafka_only.json()["checks"] == {"kafka": True, "elasticsearch": False}
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "service": "indexer", "checks": {"kafka": True, "elasticsearch": True}}


async def test_a_check_that_raises_or_hangs_counts_as_not_ready() -> None:
    def broken() -> bool:
        raise ConnectionError("no broker")

    async def hanging() -> bool:
        await asyncio.sleep(60)
        return True

    server = HealthServer(service="enricher", check_timeout=0.1)
    server.add_readiness_check("broken", broken)
    server.add_readiness_check("hanging", hanging)
    assert await server.readiness() == {"broken": False, "hanging": False}


async def test_metrics_serves_the_registry_in_prometheus_text_format() -> None:
    metrics = PrometheusMetrics("enricher")
    metrics.on_message_in("articles.raw")
    settings = MetricsSettings(port=0)
    async with (
        serve_health(settings, service="enricher", metrics=metrics) as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        response = await client.get("/metrics")
        missing = await client.get("/nope")
        post = await client.post("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'newsmon_messages_in_total{service="enricher",topic="articles.raw"} 1.0' in response.text
    assert missing.status_code == 404
    assert post.status_code == 405


async def test_a_malformed_request_gets_400() -> None:
    async with HealthServer(service="enricher") as server:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(b"garbage\r\n\r\n")
        await writer.drain()
        status_line = await reader.readline()
        writer.close()
        await writer.wait_closed()
    assert status_line.startswith(b"HTTP/1.1 400")


async def test_disabled_endpoint_does_not_listen() -> None:
    async with serve_health(MetricsSettings(enabled=False), service="enricher") as server:
        server.set_ready("kafka")
        assert await server.readiness() == {"kafka": True}
        assert server.port == 0
