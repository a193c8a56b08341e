"""`newsmon webhooks bench`: signed deliveries per second to a verifying receiver on 127.0.0.1.

Two figures: the sender alone (sign + POST + the receiver's verification), and the whole dispatcher on the real
broker (consume from ``alerts`` → deliver → record the outcome → commit).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass

import httpx

from newsmon.contracts.alerts import AlertEvent
from newsmon.contracts.places import Place
from newsmon.contracts.topics import ALERT_SILENCES, ALERTS, DLQ, WEBHOOK_DELIVERIES
from newsmon.kafka import KafkaPublisher, producer
from newsmon.metrics import InMemoryMetrics
from services.alerter.delivery import RetryPolicy, WebhookSender
from services.alerter.webhook_samples import LocalReceiver, alert_event, subscriber
from services.alerter.webhook_settings import DispatcherSettings, WebhookSettings
from services.alerter.webhook_state import ensure_topics
from services.alerter.webhooks import webhook_body


@dataclass(frozen=True)
class BenchResult:
    what: str
    deliveries: int
    seconds: float
    concurrency: int

    @property
    def per_second(self) -> float:
        return self.deliveries / self.seconds if self.seconds else 0.0


def distinct_events(count: int) -> list[AlertEvent]:
    """One opened event per made-up place, so every event is a different alert (deliverable in parallel)."""
    first = 9_000_000
    return [
        alert_event(place=Place(id=str(n), geonames_id=n, name=f"Place {n}", kind="populated_place", country_code="UA"))
        for n in range(first, first + count)
    ]


async def bench_sender(count: int, concurrency: int) -> BenchResult:
    events = distinct_events(count)
    async with LocalReceiver("ok") as receiver, httpx.AsyncClient() as client:
        target = subscriber("bench", receiver.url, max_attempts=1)
        sender = WebhookSender(client, RetryPolicy(), rng=random.Random(0))
        limit = asyncio.Semaphore(concurrency)

        async def one(event: AlertEvent) -> None:
            async with limit:
                result = await sender.deliver(target, event.id, webhook_body(event))
                assert result.delivered, result.reason

        began = time.perf_counter()
        await asyncio.gather(*(one(event) for event in events))
        seconds = time.perf_counter() - began
        assert len(receiver.accepted) == count
    return BenchResult("sender → local receiver", count, seconds, concurrency)


async def bench_dispatcher(settings: DispatcherSettings, count: int, concurrency: int) -> BenchResult:
    from services.alerter.dispatcher import build

    prefix = f"bench{int(time.time())}."
    kafka = settings.kafka.model_copy(update={"topic_prefix": settings.kafka.topic_prefix + prefix})
    webhooks = WebhookSettings(config_file=None, group=f"{prefix}webhooks", concurrency=concurrency, batch_size=500)
    settings = settings.model_copy(update={"kafka": kafka, "webhooks": webhooks})
    await ensure_topics(kafka, (ALERTS, DLQ, WEBHOOK_DELIVERIES, ALERT_SILENCES))
    events = distinct_events(count)
    async with producer(kafka) as client:
        publisher = KafkaPublisher(client, kafka)
        await publisher.publish_many((ALERTS.name, event.alert.id, event) for event in events)
    metrics = InMemoryMetrics()
    async with (
        LocalReceiver("ok") as receiver,
        build(settings, subscribers=(subscriber("bench", receiver.url),), metrics=metrics) as service,
    ):
        stopping = asyncio.Event()
        task = asyncio.create_task(service.run(stopping))
        await receiver.wait_accepted(1)  # the group has formed and the first record is through: start the clock
        began = time.perf_counter()
        await receiver.wait_accepted(count)
        seconds = time.perf_counter() - began
        count -= 1
        stopping.set()
        await task
    return BenchResult("dispatcher: alerts topic → receiver (+ outcome record, commit)", count, seconds, concurrency)
