"""The webhook dispatcher: alert events from the ``alerts`` topic to every subscriber that wants them.

Per batch of alert events: events of one alert go out in order, different alerts in parallel; each (subscriber,
event) ends delivered, dead-lettered or silenced, and that outcome is written to ``webhooks.deliveries`` before the
alerts offset is committed. At start-up (and on every partition assignment) the outcomes are read back, so an event a
subscriber acknowledged is never sent to it again. A crash between a 2xx and the outcome record can repeat that one
event: receivers dedupe on ``webhook-id``, which is the same for every attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord

from newsmon.contracts.alerts import AlertEvent
from newsmon.contracts.dead_letters import Service
from newsmon.contracts.deliveries import DeliveryOutcome, WebhookDelivery, delivery_key
from newsmon.contracts.topics import ALERT_SILENCES, ALERTS, WEBHOOK_DELIVERIES
from newsmon.errors import PoisonError
from newsmon.kafka import DeadLetterPublisher, IdleCommitter, KafkaPublisher, Publisher, consumer, decode, producer
from newsmon.logging import bind_context
from newsmon.metrics import Metrics, NullMetrics
from services.alerter.delivery import Clock, DeliveryResult, RetryPolicy, SystemClock, WebhookSender
from services.alerter.silence import SilenceBook
from services.alerter.webhook_settings import DispatcherSettings, Subscriber
from services.alerter.webhook_state import DeliveryLog, TopicFollower, ensure_topics, silence_handler
from services.alerter.webhooks import event_type, subscribers_for, webhook_body

log = logging.getLogger(__name__)

SERVICE: Service = "dispatcher"


def _url_for_records(url: str) -> str:
    # query strings often carry tokens; dead letters and logs keep only scheme, host and path
    return str(httpx.URL(url).copy_with(query=None, fragment=None))


@dataclass
class Dispatcher:
    """Delivers alert events; pure of Kafka consumption so tests can feed it events directly."""

    subscribers: tuple[Subscriber, ...]
    sender: WebhookSender
    deliveries: DeliveryLog
    silences: SilenceBook
    dead_letters: DeadLetterPublisher
    metrics: Metrics = field(default_factory=NullMetrics)
    clock: Clock = field(default_factory=SystemClock)
    concurrency: int = 8

    async def handle_records(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Settle every record of a batch: alerts in parallel, the events of one alert in offset order."""
        by_alert: dict[bytes | None, list[ConsumerRecord[bytes, bytes]]] = {}
        for record in records:
            by_alert.setdefault(record.key, []).append(record)
        limit = asyncio.Semaphore(self.concurrency)

        async def run_in_order(group: list[ConsumerRecord[bytes, bytes]]) -> None:
            async with limit:
                for record in group:
                    await self.handle_record(record)

        async with asyncio.TaskGroup() as tasks:
            for group in by_alert.values():
                tasks.create_task(run_in_order(group))
        await self.deliveries.flush()

    async def handle_record(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self.metrics.on_message_in(ALERTS.name)
        try:
            event: AlertEvent = decode(AlertEvent, record.value)
        except PoisonError as exc:
            self.metrics.on_dead_letter(SERVICE, exc.kind)
            await self.dead_letters.publish(stage="decode", error_kind=exc.kind, reason=str(exc), record=record)
            return
        await self.handle_event(event, record)

    async def handle_event(self, event: AlertEvent, record: ConsumerRecord[bytes, bytes] | None = None) -> None:
        """Settle one event for every matching subscriber; ``deliveries.flush()`` makes the outcomes durable."""
        targets = subscribers_for(self.subscribers, event)
        if not targets:
            log.debug("alert event %s (%s) matches no subscriber", event.id, event_type(event))
            return
        body = webhook_body(event)
        with bind_context(alert_id=event.alert.id):
            await asyncio.gather(*(self._settle(subscriber, event, body, record) for subscriber in targets))

    async def _settle(
        self, subscriber: Subscriber, event: AlertEvent, body: bytes, record: ConsumerRecord[bytes, bytes] | None
    ) -> None:
        if self.deliveries.is_settled(subscriber.name, event.id):
            self.metrics.on_webhook_sent(subscriber.name, "skipped_duplicate")
            log.debug("alert event %s already settled for %s", event.id, subscriber.name)
            return
        silence = self.silences.silencing(event.alert, self.clock.now())
        if silence is not None:
            self.metrics.on_webhook_sent(subscriber.name, "silenced")
            reason = f"{silence.place_name} silenced until {silence.until.isoformat()}"
            if silence.reason:
                reason += f": {silence.reason}"
            log.info("alert event %s not sent to %s: %s", event.id, subscriber.name, reason)
            await self.deliveries.record(self._outcome(subscriber, event, "silenced", reason=reason))
            return
        result = await self.sender.deliver(subscriber, event.id, body, alert_id=event.alert.id)
        if result.delivered:
            await self.deliveries.record(self._outcome(subscriber, event, "delivered", result))
            return
        await self.dead_letters.publish(
            stage="deliver",
            error_kind=result.error_kind or "failed",
            reason=f"{subscriber.name} ({_url_for_records(subscriber.url)}): {result.reason}",
            record=record,
            key=delivery_key(subscriber.name, event.id),
            payload=event.model_dump_json(),
            url=_url_for_records(subscriber.url),
            subscriber=subscriber.name,
            attempts=result.attempts,
        )
        self.metrics.on_webhook_sent(subscriber.name, "dead_lettered")
        self.metrics.on_dead_letter(SERVICE, result.error_kind or "failed")
        await self.deliveries.record(self._outcome(subscriber, event, "dead_lettered", result))

    def _outcome(
        self,
        subscriber: Subscriber,
        event: AlertEvent,
        outcome: DeliveryOutcome,
        result: DeliveryResult | None = None,
        *,
        reason: str | None = None,
        replayed: bool = False,
    ) -> WebhookDelivery:
        return WebhookDelivery(
            subscriber=subscriber.name,
            event_id=event.id,
            alert_id=event.alert.id,
            event=event_type(event),
            outcome=outcome,
            attempts=result.attempts if result else 0,
            status_code=result.status_code if result else None,
            reason=reason or (result.reason if result else None),
            settled_at=self.clock.now(),
            replayed=replayed,
        )


class _CatchUpOnAssign(ConsumerRebalanceListener):  # type: ignore[misc]
    """Before delivering from newly assigned partitions, read the outcomes other instances recorded."""

    def __init__(self, followers: Sequence[TopicFollower]) -> None:
        self._followers = followers

    async def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    async def on_partitions_assigned(self, assigned: Any) -> None:
        for follower in self._followers:
            await follower.catch_up()


@dataclass
class DispatcherService:
    """The running service: ``run(stopping)`` consumes until the event is set, committing settled batches."""

    dispatcher: Dispatcher
    consumer: AIOKafkaConsumer
    batch_size: int = 100
    handled: int = 0

    async def run(self, stopping: asyncio.Event) -> None:
        idle = IdleCommitter(self.consumer)
        while not stopping.is_set():
            batch = await self.consumer.getmany(timeout_ms=500, max_records=self.batch_size)
            if not batch:
                await idle.after_empty_poll()
                continue
            records = [record for partition in sorted(batch) for record in batch[partition]]
            await self.dispatcher.handle_records(records)
            offsets = {partition: records_[-1].offset + 1 for partition, records_ in batch.items()}
            await self.consumer.commit(offsets)
            idle.note_committed(offsets)
            self.handled += len(records)


@asynccontextmanager
async def build(
    settings: DispatcherSettings,
    *,
    subscribers: tuple[Subscriber, ...] | None = None,
    http_client: httpx.AsyncClient | None = None,
    metrics: Metrics | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[DispatcherService]:
    """Wire the dispatcher: state topics, producer, followers, HTTP client, then the alerts consumer."""
    webhooks = settings.webhooks
    subscribers = webhooks.load_subscribers() if subscribers is None else subscribers
    metrics = metrics or NullMetrics()
    clock = clock or SystemClock()
    log.info(
        "webhook dispatcher: %d subscriber(s): %s",
        len(subscribers),
        ", ".join(f"{s.name} -> {_url_for_records(s.url)}" for s in subscribers) or "none",
    )
    if not subscribers:
        log.warning(
            "no webhook subscribers configured (%s): alert events are consumed and not delivered",
            webhooks.config_file or "no config file",
        )
    await ensure_topics(settings.kafka)
    async with AsyncExitStack() as stack:
        kafka_producer = await stack.enter_async_context(
            producer(settings.kafka, client_id=f"{settings.kafka.client_id}-dispatcher")
        )
        publisher: Publisher = KafkaPublisher(kafka_producer, settings.kafka)
        deliveries = DeliveryLog(publisher)
        silences = SilenceBook()
        followers = [
            TopicFollower(settings.kafka, WEBHOOK_DELIVERIES.name, deliveries.apply),
            TopicFollower(settings.kafka, ALERT_SILENCES.name, silence_handler(silences)),
        ]
        for follower in followers:
            await follower.start()
            stack.push_async_callback(follower.stop)
        log.info("loaded %d delivery outcome(s) and %d silence(s)", len(deliveries), len(silences.active(clock.now())))
        if http_client is None:
            http_client = await stack.enter_async_context(
                httpx.AsyncClient(
                    headers={"user-agent": settings.http.user_agent},
                    timeout=httpx.Timeout(settings.http.total_timeout, connect=settings.http.connect_timeout),
                    limits=httpx.Limits(max_connections=4 * webhooks.concurrency, max_keepalive_connections=20),
                    follow_redirects=False,
                )
            )
        sender = WebhookSender(
            http_client,
            RetryPolicy.from_settings(webhooks),
            breaker_threshold=webhooks.breaker_failure_threshold,
            breaker_cool_down=webhooks.breaker_cool_down,
            clock=clock,
            metrics=metrics,
        )
        dispatcher = Dispatcher(
            subscribers=subscribers,
            sender=sender,
            deliveries=deliveries,
            silences=silences,
            dead_letters=DeadLetterPublisher(publisher, SERVICE),
            metrics=metrics,
            clock=clock,
            concurrency=webhooks.concurrency,
        )
        alerts = await stack.enter_async_context(
            consumer(settings.kafka, group=webhooks.group, topics=[], max_poll_records=webhooks.batch_size)
        )
        alerts.subscribe([settings.kafka.topic(ALERTS.name)], listener=_CatchUpOnAssign(followers))
        yield DispatcherService(dispatcher, alerts, webhooks.batch_size)
