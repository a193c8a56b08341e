"""Scrape a running consumer process and the lag exporter over HTTP: the documented series, plausible values."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from ops_helpers import free_port, parse_metrics, produce_articles, sample_value

from newsmon.settings import KafkaSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

WORKER = Path(__file__).with_name("relay_worker.py")
NEWSMON = Path(sys.executable).with_name("newsmon")


async def wait_until(check: Callable[[], Any], what: str, time_limit: float = 60.0) -> Any:
    deadline = time.monotonic() + time_limit
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await check()
            if last:
                return last
        except (httpx.HTTPError, KeyError) as exc:
            last = exc
        await asyncio.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what}: {last!r}")


async def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    code: int = await asyncio.to_thread(process.wait, 30)
    return code


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


async def test_service_and_lag_exporter_endpoints_serve_the_documented_series(
    kafka_settings: KafkaSettings,
    kafka_bootstrap: str,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
    tmp_path: Path,
) -> None:
    source = await create_topic(f"{ops_prefix}articles.raw", 2)
    await create_topic(f"{ops_prefix}articles.enriched", 2)
    group = f"newsmon-{ops_prefix}relay"
    await produce_articles(raw_producer, source, 30)

    worker_port, exporter_port = free_port(), free_port()
    env = {
        "NEWSMON_KAFKA__BOOTSTRAP": kafka_bootstrap,
        "NEWSMON_KAFKA__TOPIC_PREFIX": ops_prefix,
        "NEWSMON_METRICS__PORT": str(worker_port),
    }
    worker = start(
        [sys.executable, str(WORKER), "--input", "articles.raw", "--output", "articles.enriched", "--group", group],
        env,
        tmp_path / "worker.log",
    )
    exporter = start(
        [str(NEWSMON), "lag-exporter", "--port", str(exporter_port), "--interval", "0.5",
         "--prefix", f"newsmon-{ops_prefix}", "--bootstrap", kafka_bootstrap],
        {},
        tmp_path / "exporter.log",
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{worker_port}", timeout=5) as service:

            async def ready() -> bool:
                return (await service.get("/readyz")).status_code == 200

            await wait_until(ready, "the relay to be ready")
            health = await service.get("/healthz")
            assert health.json() == {"service": "relay", "status": "ok"}

            async def relayed_all() -> dict[Any, float] | None:
                samples = parse_metrics((await service.get("/metrics")).text)
                return samples if sample_value(samples, "newsmon_messages_out_total") == 30 else None

            samples = await wait_until(relayed_all, "30 records relayed")

        assert sample_value(samples, "newsmon_messages_in_total", service="relay", topic="articles.raw") == 30
        assert sample_value(samples, "newsmon_messages_out_total", topic="articles.enriched") == 30
        assert sample_value(samples, "newsmon_processing_seconds_count", service="relay") == 30
        processing = sample_value(samples, "newsmon_processing_seconds_sum", service="relay")
        assert 30 * 0.01 <= processing < 30  # each record sleeps 10 ms; none takes a second
        assert sample_value(samples, "newsmon_freshness_since_published_seconds_count", stage="relayed") == 30
        age = sample_value(samples, "newsmon_freshness_since_published_seconds_sum", stage="relayed") / 30
        assert 0 < age < 300
        assert sample_value(samples, "newsmon_service_info", service="relay") == 1
        assert sample_value(samples, "newsmon_process_start_time_seconds", service="relay") <= time.time()

        # the relay stops; articles keep arriving; the exporter shows the lag without it
        assert await stop(worker) == 0, (tmp_path / "worker.log").read_text()
        await produce_articles(raw_producer, source, 10)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{exporter_port}", timeout=5) as lag_endpoint:

            async def lag_is_ten() -> dict[Any, float] | None:
                scraped = parse_metrics((await lag_endpoint.get("/metrics")).text)
                lag = sample_value(scraped, "newsmon_consumer_lag_records", group=group)
                return scraped if lag == 10 else None

            exported = await wait_until(lag_is_ten, "the exporter to report a lag of 10")
            ready = await lag_endpoint.get("/readyz")
        assert ready.status_code == 200
        seconds = sample_value(exported, "newsmon_consumer_lag_seconds", group=group, partition="0")
        seconds += sample_value(exported, "newsmon_consumer_lag_seconds", group=group, partition="1")
        assert 0 < seconds < 600
        assert {labels for (name, labels) in exported if name == "newsmon_consumer_lag_records"} == {
            frozenset({"service": "lag-exporter", "group": group, "topic": source, "partition": p}.items())
            for p in ("0", "1")
        }
    finally:
        for process in (worker, exporter):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 30)
    assert exporter.returncode == 0, (tmp_path / "exporter.log").read_text()
