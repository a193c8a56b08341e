"""The dispatcher's memory in Kafka: delivery outcomes (``webhooks.deliveries``) and silences (``alerts.silences``).

Both are compacted topics read from the beginning by a group-less consumer that then keeps following them, so every
dispatcher instance sees what the others settled. ``catch_up()`` waits until everything written so far is applied;
the dispatcher calls it at start-up and whenever it is assigned alert partitions, before delivering anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from newsmon.contracts.deliveries import PlaceSilence, WebhookDelivery, delivery_key
from newsmon.contracts.topics import ALERT_SILENCES, WEBHOOK_DELIVERIES, Topic
from newsmon.errors import ConfigurationError, PoisonError, TransientError
from newsmon.kafka import Publisher, connection_options, decode
from newsmon.settings import KafkaSettings
from services.alerter.silence import SilenceBook

log = logging.getLogger(__name__)

RecordHandler = Callable[[str, bytes | None], None]


async def ensure_topics(
    settings: KafkaSettings, topics: Sequence[Topic] = (WEBHOOK_DELIVERIES, ALERT_SILENCES)
) -> None:
    """Create the dispatcher's state topics (compacted) when missing, through the shared topic applier."""
    from newsmon.infra.topics import apply_topics

    for outcome in await apply_topics(settings, topics):
        if outcome.action == "refused":
            raise ConfigurationError(f"topic {outcome.topic}: {outcome.detail}")


class TopicFollower:
    """Reads a topic from its beginning and keeps following it, handing each (key, value) to ``handler``."""

    def __init__(self, settings: KafkaSettings, topic: str, handler: RecordHandler) -> None:
        self._settings = settings
        self.topic = settings.topic(topic)
        self._handler = handler
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []
        self._task: asyncio.Task[None] | None = None
        self._progress = asyncio.Condition()
        self._failure: BaseException | None = None

    async def start(self) -> None:
        # Subscribing without a group assigns every partition of the topic, read from the earliest offset.
        self._consumer = AIOKafkaConsumer(
            self.topic,
            **connection_options(self._settings),
            client_id=f"{self._settings.client_id}-follow",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        try:
            await self._consumer.start()
            self._partitions = await self._wait_for_partitions(self._consumer)
        except (KafkaError, TransientError) as exc:
            await self._consumer.stop()
            raise TransientError(f"cannot read {self.topic} at {self._settings.bootstrap}: {exc}") from exc
        self._task = asyncio.create_task(self._follow(), name=f"follow {self.topic}")
        await self.catch_up()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    async def catch_up(self, limit_seconds: float = 60.0) -> None:
        """Wait until every record written before this call has been handed to the handler."""
        assert self._consumer is not None, "start() first"
        ends = await self._consumer.end_offsets(self._partitions)
        async with asyncio.timeout(limit_seconds), self._progress:
            while not await self._reached(ends):
                if self._failure is not None:
                    raise TransientError(f"following {self.topic} failed: {self._failure}") from self._failure
                await self._progress.wait()

    async def _reached(self, ends: dict[TopicPartition, int]) -> bool:
        assert self._consumer is not None
        for partition, end in ends.items():
            if await self._consumer.position(partition) < end:
                return False
        return True

    async def _wait_for_partitions(self, client: AIOKafkaConsumer) -> list[TopicPartition]:
        for _ in range(50):
            if client.assignment():
                return sorted(client.assignment())
            await asyncio.sleep(0.2)
        raise TransientError(f"topic {self.topic} does not exist (the dispatcher creates it at start-up)")

    async def _follow(self) -> None:
        assert self._consumer is not None
        try:
            while True:
                batch = await self._consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    for record in records:
                        key = record.key.decode("utf-8", "replace") if record.key else ""
                        self._handler(key, record.value)
                async with self._progress:
                    self._progress.notify_all()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("following %s stopped", self.topic)
            self._failure = exc
            async with self._progress:
                self._progress.notify_all()


class DeliveryLog:
    """Which (subscriber, alert event) pairs are settled, and writing new outcomes durably."""

    def __init__(self, publisher: Publisher | None = None) -> None:
        self._publisher = publisher
        self._settled: dict[str, WebhookDelivery] = {}
        self._pending: list[asyncio.Task[None]] = []

    def __len__(self) -> int:
        return len(self._settled)

    def apply(self, key: str, value: bytes | None) -> None:
        if value is None:
            self._settled.pop(key, None)
            return
        try:
            delivery: WebhookDelivery = decode(WebhookDelivery, value)
        except PoisonError:
            log.warning("ignoring unreadable delivery record %s", key)
            return
        self.remember(delivery)

    def remember(self, delivery: WebhookDelivery) -> None:
        current = self._settled.get(delivery.key)
        # a delivered outcome is never downgraded: a stale dead-letter record cannot undo an acknowledgement
        if current is None or current.outcome != "delivered" or delivery.outcome == "delivered":
            self._settled[delivery.key] = delivery

    def all(self) -> list[WebhookDelivery]:
        """Every settled outcome, oldest first."""
        return sorted(self._settled.values(), key=lambda delivery: delivery.settled_at)

    def get(self, subscriber: str, event_id: str) -> WebhookDelivery | None:
        return self._settled.get(delivery_key(subscriber, event_id))

    def is_settled(self, subscriber: str, event_id: str) -> bool:
        return delivery_key(subscriber, event_id) in self._settled

    def is_delivered(self, subscriber: str, event_id: str) -> bool:
        delivery = self.get(subscriber, event_id)
        return delivery is not None and delivery.outcome == "delivered"

    async def record(self, delivery: WebhookDelivery) -> None:
        """Remember the outcome and start writing it; ``flush()`` waits until every write is acknowledged."""
        self.remember(delivery)
        if self._publisher is not None:
            publishing = self._publisher.publish(WEBHOOK_DELIVERIES.name, delivery.key, delivery)
            self._pending.append(asyncio.create_task(publishing))

    async def flush(self) -> None:
        """Wait for the outcome writes started so far; raises the first failure (the caller must not commit)."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        results = await asyncio.gather(*pending, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result


def silence_handler(book: SilenceBook) -> RecordHandler:
    def apply(key: str, value: bytes | None) -> None:
        if value is None:
            book.apply(key, None)
            return
        try:
            book.apply(key, decode(PlaceSilence, value))
        except PoisonError:
            log.warning("ignoring unreadable silence record %s", key)

    return apply
