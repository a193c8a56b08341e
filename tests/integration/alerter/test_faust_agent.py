"""The faust worker on the real broker: claims in, alert events out, state kept across a restart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from newsmon.contracts import AlertEvent, DeadLetter
from newsmon.kafka import consumer, producer
from services.alerter.app import ensure_topics
from services.alerter.samples import MONDAY, RU_MOD, UA_MILITARY, article, claim, hours
from services.alerter.settings import AlerterSettings

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(240)]

CNN = article("https://cnn.example/kurakhove", "CNN", published=MONDAY + hours(20))
EPOCH = article("https://epoch.example/kurakhove", "The Epoch Times", published=MONDAY + hours(22))
RU_SAYS = claim("captured", RU_MOD, at=CNN, actor="RU", about=MONDAY)
UA_SAYS = claim("contested", UA_MILITARY, at=CNN, about=MONDAY + hours(24), offset=200)
RU_AGAIN = claim("captured", RU_MOD, at=EPOCH, actor="RU", about=MONDAY)


@pytest.fixture
def alerter_settings(kafka_bootstrap: str, common_settings: Callable[..., Any], tmp_path: Path) -> AlerterSettings:
    settings: AlerterSettings = common_settings(AlerterSettings, alerter={"data_dir": tmp_path / "faust"})
    assert settings.kafka.bootstrap == kafka_bootstrap
    return settings


def _environment(settings: AlerterSettings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "NEWSMON_KAFKA__BOOTSTRAP": settings.kafka.bootstrap,
            "NEWSMON_KAFKA__TOPIC_PREFIX": settings.kafka.topic_prefix,
            "NEWSMON_ALERTER__DATA_DIR": str(settings.alerter.data_dir),
            "NEWSMON_LOGGING__LEVEL": "INFO",
        }
    )
    return env


@contextmanager
def worker(settings: AlerterSettings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``newsmon alert`` as its own process; stopped with SIGTERM like a deployment would."""
    command = [str(Path(sys.executable).with_name("newsmon")), "alert"]
    with log.open("ab") as output:
        process = subprocess.Popen(command, env=_environment(settings), stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def produce(settings: AlerterSettings, records: list[tuple[str, bytes]]) -> None:
    async with producer(settings.kafka) as client:
        for key, value in records:
            await client.send_and_wait(settings.kafka.topic("claims.by-place"), value, key=key.encode())


async def read_topic(settings: AlerterSettings, topic: str, *, until: int, quiet: float = 5.0) -> list[bytes]:
    """Every value of the topic: waits for ``until`` records, then for ``quiet`` seconds of nothing more."""
    values: list[bytes] = []
    async with consumer(settings.kafka, group=None, topics=[topic]) as client:
        deadline = asyncio.get_running_loop().time() + 150
        while asyncio.get_running_loop().time() < deadline:
            batch = await client.getmany(timeout_ms=int(quiet * 1000))
            fresh = [record.value for records in batch.values() for record in records if record.value is not None]
            values.extend(fresh)
            if not fresh and len(values) >= until:
                break
    return values


async def test_claims_become_alert_events_and_a_restart_recovers_the_state(
    alerter_settings: AlerterSettings, tmp_path: Path
) -> None:
    settings = alerter_settings
    await ensure_topics(settings)
    log = tmp_path / "worker.log"
    place = RU_SAYS.place.id
    await produce(
        settings,
        [(place, RU_SAYS.to_json_bytes()), (place, b"{not json"), (place, UA_SAYS.to_json_bytes())],
    )
    with worker(settings, log):
        first = [AlertEvent.model_validate_json(v) for v in await read_topic(settings, "alerts", until=1)]
        letters = [DeadLetter.model_validate_json(v) for v in await read_topic(settings, "dlq", until=1, quiet=1)]
    assert [(e.event, e.alert.version) for e in first] == [("opened", 1)], log.read_text()[-3000:]
    assert first[0].alert.summary.startswith("Kurakhove: Russia's Defense Ministry says captured")
    assert [(letter.service, letter.stage, letter.payload) for letter in letters] == [
        ("alerter", "decode", "{not json")
    ]

    # While the worker is down: a replayed claim (no event) and a new source (one update, version 2 — only a
    # worker that recovered the place's state from the changelog knows it is an update of version 1).
    await produce(settings, [(place, RU_SAYS.to_json_bytes()), (place, RU_AGAIN.to_json_bytes())])
    with worker(settings, log):
        events = [AlertEvent.model_validate_json(v) for v in await read_topic(settings, "alerts", until=2)]
    assert [(e.event, e.alert.version) for e in events] == [("opened", 1), ("updated", 2)], log.read_text()[-3000:]
    assert len({e.id for e in events}) == 2
    assert {s.source for s in events[-1].alert.sides[0].sources} == {"CNN", "The Epoch Times"}
