"""`newsmon webhooks dispatch` as a process, killed with SIGKILL in the middle of its work and started again.

What the dispatcher had recorded as delivered before the kill is never sent again; everything else is delivered
after the restart.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newsmon.contracts.deliveries import WebhookDelivery
from newsmon.contracts.places import Place
from newsmon.contracts.topics import ALERT_SILENCES, ALERTS, DLQ, WEBHOOK_DELIVERIES
from newsmon.kafka import KafkaPublisher, decode, producer
from newsmon.settings import KafkaSettings
from services.alerter.webhook_samples import TEST_SECRET, LocalReceiver, alert_event
from services.alerter.webhook_state import TopicFollower, ensure_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

NEWSMON = str(Path(sys.executable).parent / "newsmon")
EVENTS = 16


async def delivered_ids(kafka: KafkaSettings) -> set[str]:
    found: set[str] = set()

    def keep(_key: str, value: bytes | None) -> None:
        if value is not None:
            delivery: WebhookDelivery = decode(WebhookDelivery, value)
            if delivery.outcome == "delivered":
                found.add(delivery.event_id)

    follower = TopicFollower(kafka, WEBHOOK_DELIVERIES.name, keep)
    await follower.start()
    await follower.stop()
    return found


async def test_a_killed_dispatcher_never_resends_what_it_recorded_as_delivered(
    kafka_bootstrap: str, unique_prefix: Any
) -> None:
    prefix = str(unique_prefix() if callable(unique_prefix) else unique_prefix)
    kafka = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix)
    await ensure_topics(kafka, (ALERTS, DLQ, WEBHOOK_DELIVERIES, ALERT_SILENCES))
    events = [
        alert_event(place=Place(id=str(n), geonames_id=n, name=f"Place {n}", kind="populated_place"))
        for n in range(8_000_000, 8_000_000 + EVENTS)
    ]
    async with producer(kafka) as client:
        publisher = KafkaPublisher(client, kafka)
        for event in events:
            await publisher.publish(ALERTS.name, event.alert.id, event)

    async with LocalReceiver("ok", delay=0.15) as receiver:
        env = {
            **os.environ,
            "NEWSMON_KAFKA__BOOTSTRAP": kafka_bootstrap,
            "NEWSMON_KAFKA__TOPIC_PREFIX": prefix,
            "NEWSMON_WEBHOOKS__CONFIG_FILE": str(Path(os.devnull)),
            "NEWSMON_WEBHOOKS__SUBSCRIBERS": json.dumps([{"name": "ops", "url": receiver.url, "secret": TEST_SECRET}]),
            "NEWSMON_WEBHOOKS__GROUP": f"{prefix}webhooks",
            "NEWSMON_WEBHOOKS__CONCURRENCY": "1",
            "NEWSMON_METRICS__ENABLED": "false",
        }
        first = await asyncio.create_subprocess_exec(NEWSMON, "webhooks", "dispatch", env=env)
        await asyncio.wait_for(receiver.wait_accepted(4), timeout=90)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        recorded_before = await delivered_ids(kafka)
        requests_before = Counter(headers["webhook-id"] for headers in receiver.requests)
        assert 0 < len(recorded_before) < EVENTS

        second = await asyncio.create_subprocess_exec(NEWSMON, "webhooks", "dispatch", env=env)
        try:
            await asyncio.wait_for(receiver.wait_accepted(EVENTS), timeout=90)
            for _ in range(150):  # the last outcome record may trail the last response by a moment
                if len(await delivered_ids(kafka)) == EVENTS:
                    break
                await asyncio.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), timeout=30) == 0

    requests = Counter(headers["webhook-id"] for headers in receiver.requests)
    assert set(requests) == {event.id for event in events}
    assert await delivered_ids(kafka) == {event.id for event in events}
    for event_id in recorded_before:
        assert requests[event_id] == requests_before[event_id] == 1, "re-sent after the restart"
