"""The acceptance scenario on the real enricher: stop it while articles keep arriving, watch ``newsmon lag``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from ops_helpers import free_port, produce_articles, run_process

from newsmon.lag import measure_lag
from newsmon.settings import KafkaSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NEWSMON = Path(sys.executable).with_name("newsmon")


class EnricherProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = int(env["NEWSMON_METRICS__PORT"])
        self.log = log
        self.process = subprocess.Popen(
            [str(NEWSMON), "enrich"],
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    async def wait_ready(self, time_limit: float = 180) -> None:
        deadline = time.monotonic() + time_limit
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, self.log.read_text()[-3000:]
                try:
                    if (await client.get(f"http://127.0.0.1:{self.port}/readyz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.5)
        raise AssertionError("the enricher never became ready:\n" + self.log.read_text()[-3000:])

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code: int = await asyncio.to_thread(self.process.wait, 60)
        return code


async def lag_json(bootstrap: str, group: str) -> dict[str, Any]:
    import json

    env = {**os.environ, "NEWSMON_KAFKA__BOOTSTRAP": bootstrap}
    result = await run_process([str(NEWSMON), "lag", "--json", "--group", group], env=env)
    [found] = [g for g in json.loads(result.stdout)["groups"] if g["group"] == group]
    document: dict[str, Any] = found
    return document


async def wait_drained(settings: KafkaSettings, group: str, time_limit: float = 120) -> None:
    deadline = time.monotonic() + time_limit
    total = None
    while time.monotonic() < deadline:
        report = await measure_lag(settings, groups=[group], with_seconds=False)
        if report.groups:
            total = report.group(group).total_lag
            if total == 0:
                return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{group} still lags by {total}")


async def test_lag_of_the_stopped_enricher_grows_by_what_arrives_and_drains_after_restart(
    kafka_bootstrap: str,
    kafka_settings: KafkaSettings,
    ops_prefix: str,
    raw_producer: AIOKafkaProducer,
    tmp_path: Path,
) -> None:
    group = f"newsmon-{ops_prefix}enricher"
    raw_topic = f"{ops_prefix}articles.raw"
    env = {
        "NEWSMON_KAFKA__BOOTSTRAP": kafka_bootstrap,
        "NEWSMON_KAFKA__TOPIC_PREFIX": ops_prefix,
        "NEWSMON_ENRICHER__GROUP": group,
        "NEWSMON_METRICS__PORT": str(free_port()),
    }
    log = tmp_path / "enricher.log"

    enricher = EnricherProcess(env, log)
    await enricher.wait_ready()  # it has created its topics and joined the group
    await produce_articles(raw_producer, raw_topic, 8)
    await wait_drained(kafka_settings, group)
    assert await enricher.stop() == 0

    # the enricher is down; articles keep arriving
    await produce_articles(raw_producer, raw_topic, 12)
    first = await lag_json(kafka_bootstrap, group)
    await produce_articles(raw_producer, raw_topic, 5)
    second = await lag_json(kafka_bootstrap, group)
    assert first["total_lag"] == 12
    assert second["total_lag"] == 17
    assert second["topics"] == {raw_topic: 17}
    assert second["members"] == 0
    assert second["max_lag_seconds"] is not None
    assert second["max_lag_seconds"] >= 0

    # restarted, it catches up
    enricher = EnricherProcess({**env, "NEWSMON_METRICS__PORT": str(free_port())}, log)
    await enricher.wait_ready()
    await wait_drained(kafka_settings, group)
    drained = await lag_json(kafka_bootstrap, group)
    assert drained["total_lag"] == 0
    assert drained["max_lag_seconds"] == 0
    assert await enricher.stop() == 0
