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

import httpx
import pytest

from newsmon.bench.processes import describe_groups
from newsmon.contracts import AlertEvent, DeadLetter
from newsmon.kafka import consumer, producer
from services.alerter.app import ensure_topics, free_port
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
            "NEWSMON_ALERTER__WEB_PORT": str(settings.alerter.web_port),
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


async def group_settles(settings: AlerterSettings, *, members: int, seconds: float = 120.0) -> None:
    """Wait until the alerter's consumer group is stable with ``members`` workers."""
    group = f"{settings.kafka.topic_prefix}{settings.alerter.app_id}"
    deadline = asyncio.get_running_loop().time() + seconds
    states: dict[str, tuple[str, int]] = {}
    while asyncio.get_running_loop().time() < deadline:
        states = await describe_groups(settings.kafka, [group])
        if states.get(group) == ("Stable", members):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"group {group} not stable with {members} members after {seconds:.0f} s: {states}")


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
    port = free_port("127.0.0.1")
    with worker(settings.model_copy(update={"alerter": settings.alerter.model_copy(update={"web_port": port})}), log):
        first = [AlertEvent.model_validate_json(v) for v in await read_topic(settings, "alerts", until=1)]
        letters = [DeadLetter.model_validate_json(v) for v in await read_topic(settings, "dlq", until=1, quiet=1)]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as web:
            health = (await web.get("/healthz")).json()
            metrics = (await web.get("/metrics")).text
    assert health["records"] == 3
    assert health["dead_letters"] == 1
    assert 'newsmon_messages_out_total{service="alerter",topic="alerts"} 1.0' in metrics
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


async def test_the_worker_raises_on_the_seeds_exactly_what_replay_raises(
    alerter_settings: AlerterSettings, tmp_path: Path
) -> None:
    from newsmon.contracts.claims import place_key
    from services.alerter.embedded import default_enricher, place_records, replay, seed_raw_articles

    settings = alerter_settings
    enriched_and_events = list(replay(seed_raw_articles(), default_enricher()))
    expected = [event for _, events in enriched_and_events for event in events]
    records = [record for enriched, _ in enriched_and_events for record in place_records(enriched)]
    await ensure_topics(settings)
    await produce(settings, [(place_key(record), record.to_json_bytes()) for record in records])
    with worker(settings, tmp_path / "worker.log"):
        got = [AlertEvent.model_validate_json(v) for v in await read_topic(settings, "alerts", until=len(expected))]
    assert _by_alert(got) == _by_alert(expected)


def _by_alert(events: list[AlertEvent]) -> dict[str, list[AlertEvent]]:
    """Events grouped per alert: order is guaranteed per alert (one partition), not across alerts."""
    grouped: dict[str, list[AlertEvent]] = {}
    for event in events:
        grouped.setdefault(event.alert.id, []).append(event)
    return grouped


async def test_a_second_worker_takes_over_the_places_of_a_stopped_one(
    alerter_settings: AlerterSettings, tmp_path: Path
) -> None:
    settings = alerter_settings
    other = settings.model_copy(
        update={"alerter": settings.alerter.model_copy(update={"data_dir": tmp_path / "faust-b"})}
    )
    await ensure_topics(settings)
    place = RU_SAYS.place.id
    await produce(settings, [(place, RU_SAYS.to_json_bytes()), (place, UA_SAYS.to_json_bytes())])
    with worker(settings, tmp_path / "a.log") as first:
        opened = await read_topic(settings, "alerts", until=1, quiet=1)
        with worker(other, tmp_path / "b.log"):
            # B joins the group: the partitions are shared out between A and B (A stops only once both are in, so
            # the takeover is a rebalance of a settled group, not one in the middle of B's first join)
            await group_settles(settings, members=2)
            first.send_signal(signal.SIGTERM)
            await asyncio.to_thread(first.wait, 60)  # A leaves: B now owns every place and restores A's state
            await group_settles(settings, members=1)
            await produce(settings, [(place, RU_AGAIN.to_json_bytes())])
            events = [AlertEvent.model_validate_json(v) for v in await read_topic(settings, "alerts", until=2)]
    assert len(opened) == 1
    logs = (tmp_path / "b.log").read_text()[-3000:]
    assert [(e.event, e.alert.version) for e in events] == [("opened", 1), ("updated", 2)], logs
