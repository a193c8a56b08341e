"""A real Prometheus scrapes the lag exporter and sees the lag ``newsmon lag`` reports (skipped without prometheus)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from aiokafka import AIOKafkaProducer
from ops_helpers import consume_and_commit, free_port, produce_articles

from newsmon.lag import measure_lag
from newsmon.settings import KafkaSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROMETHEUS = shutil.which("prometheus")
NEWSMON = Path(sys.executable).with_name("newsmon")
RULES = Path(__file__).resolve().parents[3] / "deploy" / "prometheus" / "rules" / "newsmon.yml"


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=log.open("wb"), stderr=subprocess.STDOUT)


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus is not installed (apt-get install prometheus)")
async def test_prometheus_scrapes_the_lag_exporter_and_loads_the_rules(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    create_topic: Callable[[str, int], Any],
    raw_producer: AIOKafkaProducer,
    tmp_path: Path,
) -> None:
    assert PROMETHEUS is not None
    topic = await create_topic(f"{ops_prefix}articles.raw", 2)
    group = f"newsmon-{ops_prefix}enricher"
    await produce_articles(raw_producer, topic, 20)
    await consume_and_commit(kafka_bootstrap, group, topic, 7)
    expected = (await measure_lag(kafka_settings, groups=[group])).group(group).total_lag

    exporter_port, prometheus_port = free_port(), free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": "newsmon-lag", "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}]}
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    exporter = start(
        [str(NEWSMON), "lag-exporter", "--port", str(exporter_port), "--interval", "0.5",
         "--prefix", f"newsmon-{ops_prefix}", "--bootstrap", kafka_bootstrap],
        tmp_path / "exporter.log",
    )  # fmt: skip
    prometheus = start(
        [PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"],
        tmp_path / "prometheus.log",
    )  # fmt: skip
    query = f'sum(newsmon_consumer_lag_records{{group="{group}"}})'
    seen = None
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{prometheus_port}", timeout=5) as client:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and seen != expected:
                await asyncio.sleep(1)
                try:
                    result = (await client.get("/api/v1/query", params={"query": query})).json()["data"]["result"]
                except (httpx.HTTPError, KeyError, ValueError):
                    continue
                if result:
                    seen = int(float(result[0]["value"][1]))
            up = (await client.get("/api/v1/query", params={"query": "up"})).json()["data"]["result"]
            rules = (await client.get("/api/v1/rules")).json()["data"]["groups"]
    finally:
        for process in (prometheus, exporter):
            process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(process.wait, 30)
    assert seen == expected == 13, (tmp_path / "prometheus.log").read_text()[-2000:]
    assert [sample["value"][1] for sample in up] == ["1"]
    assert {rule["name"] for group_ in rules for rule in group_["rules"]} >= {
        "NewsmonConsumerLagGrowing",
        "NewsmonDeadLetters",
        "NewsmonFeedFailing",
        "NewsmonWebhookDeadLetters",
    }
    assert all(rule["health"] == "ok" for group_ in rules for rule in group_["rules"])
