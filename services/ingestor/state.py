"""The ingestor's memory in Kafka: one FeedState per feed in the compacted topic ``feeds.state``.

At start-up the topic is read from its beginning to its end offsets (``read_committed``, so the state of a
transaction that a crash left open is never seen); the last record per feed wins. From then on the ingestor is the
only writer, inside the same transactions as the articles (see ``app.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from newsmon import kafka
from newsmon.contracts import FeedState
from newsmon.contracts.topics import ARTICLES_RAW, DLQ, FEEDS_STATE, Topic
from newsmon.errors import PoisonError, TransientError
from newsmon.kafka import connection_options, decode
from newsmon.settings import KafkaSettings

logger = logging.getLogger(__name__)

INGESTOR_TOPICS: tuple[Topic, ...] = (FEEDS_STATE, ARTICLES_RAW, DLQ)


async def ensure_topics(settings: KafkaSettings, topics: Iterable[Topic] = INGESTOR_TOPICS) -> None:
    """Create the topics the ingestor writes (``feeds.state`` compacted) when they do not exist yet."""
    await kafka.ensure_topics(settings, topics, owner="ingestor")


async def load_states(settings: KafkaSettings, *, wait_seconds: float = 120.0) -> dict[str, FeedState]:
    """Every feed's last committed state, read from ``feeds.state`` up to its current end."""
    topic = settings.topic(FEEDS_STATE.name)
    consumer = AIOKafkaConsumer(
        topic,
        **connection_options(settings),
        client_id=f"{settings.client_id}-ingestor-state",
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    states: dict[str, FeedState] = {}
    try:
        await consumer.start()
        partitions = await _partitions(consumer, topic, wait_seconds)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        async with asyncio.timeout(wait_seconds):
            while await _behind(consumer, end):
                batches = await consumer.getmany(*partitions, timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        key = record.key.decode("utf-8") if record.key else None
                        if key is None:
                            continue
                        if record.value is None:
                            states.pop(key, None)
                            continue
                        try:
                            states[key] = decode(FeedState, record.value)
                        except PoisonError as exc:
                            logger.warning("skipping a bad feeds.state record for %s: %s", key, exc)
    except TimeoutError as exc:
        raise TransientError(f"could not read {topic} to its end within {wait_seconds:g}s") from exc
    except KafkaError as exc:
        raise TransientError(f"cannot read {topic} at {settings.bootstrap}: {exc}") from exc
    finally:
        await consumer.stop()
    logger.info("loaded the state of %d feeds from %s", len(states), topic)
    return states


async def _behind(consumer: AIOKafkaConsumer, end: dict[TopicPartition, int]) -> bool:
    for partition, offset in end.items():
        if await consumer.position(partition) < offset:
            return True
    return False


async def _partitions(consumer: AIOKafkaConsumer, topic: str, wait_seconds: float) -> list[TopicPartition]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    while True:
        # Without a group, a subscription is assigned every partition once the metadata arrives.
        if consumer.assignment():
            return sorted(consumer.assignment())
        if loop.time() > deadline:
            raise TransientError(f"topic {topic} has no partitions (does it exist?)")
        await asyncio.sleep(0.2)


class KnownIds:
    """Article ids produced by any feed (the union of every feed's seen ids), plus ids being produced now.

    The same story in two feeds is produced once: the second feed counts it as a duplicate.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._in_flight: set[str] = set()

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._counts or article_id in self._in_flight

    def __len__(self) -> int:
        return len(self._counts)

    def replace(self, old: FeedState | None, new: FeedState) -> None:
        """A feed's state changed from ``old`` to ``new``: follow its seen ids."""
        before = set(old.seen_ids) if old else set()
        after = set(new.seen_ids)
        for removed in before - after:
            self._counts[removed] -= 1
            if self._counts[removed] <= 0:
                del self._counts[removed]
        for added in after - before:
            self._counts[added] += 1

    def reserve(self, ids: Iterable[str]) -> None:
        self._in_flight.update(ids)

    def release(self, ids: Iterable[str]) -> None:
        self._in_flight.difference_update(ids)
