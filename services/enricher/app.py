"""The enricher service: articles.raw → extraction → articles.enriched and claims.by-place.

One loop: take a batch of raw articles, extract each (records that break the contract or make the extractor fail
are dead-lettered with the reason), send the enriched article (key: article id), one record per claim (key: place
id) and per numeric fact (key: the smallest id of its places), wait until the broker acknowledged all of them, then
commit the batch's offsets. A crash between sending and committing replays the batch; the records carry
deterministic ids, so consumers see the same claims again, not new ones. The gazetteer is loaded once at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from pydantic import BaseModel

from newsmon import kafka
from newsmon.contracts import EnrichedArticle, RawArticle
from newsmon.contracts.claims import place_key
from newsmon.contracts.dead_letters import Service
from newsmon.contracts.topics import ARTICLES_ENRICHED, ARTICLES_RAW, CLAIMS_BY_PLACE, DLQ, Topic
from newsmon.errors import PoisonError, TransientError
from newsmon.kafka import (
    DeadLetterPublisher,
    IdleCommitter,
    KafkaPublisher,
    consumer,
    decode,
    producer,
)
from newsmon.lifecycle import sleep_or_stop
from newsmon.metrics import Metrics, NullMetrics
from newsmon.settings import KafkaSettings
from services.enricher.extract import PlaceFinderLike, extract
from services.enricher.settings import EnricherSettings

log = logging.getLogger(__name__)

SERVICE: Service = "enricher"
TOPICS: tuple[Topic, ...] = (ARTICLES_RAW, ARTICLES_ENRICHED, CLAIMS_BY_PLACE, DLQ)
Record: TypeAlias = "ConsumerRecord[bytes, bytes]"
Outgoing: TypeAlias = tuple[str, str, BaseModel]


class BatchPublisher(Protocol):
    async def publish_many(self, records: Iterable[Outgoing]) -> None:
        """Send the records; return once every one is acknowledged."""


def outgoing_records(article: EnrichedArticle) -> list[Outgoing]:
    """What one enriched article becomes on the wire: the article, each claim by place, each fact by place."""
    records: list[Outgoing] = [(ARTICLES_ENRICHED.name, article.id, article)]
    records += [(CLAIMS_BY_PLACE.name, place_key(record), record) for record in article.place_records()]
    return records


@dataclass
class EnricherStats:
    articles: int = 0
    claims: int = 0
    facts: int = 0
    dead_lettered: int = 0
    batches: int = 0


class Enricher:
    def __init__(
        self,
        source: AIOKafkaConsumer,
        publisher: BatchPublisher,
        dead_letters: DeadLetterPublisher,
        finder: PlaceFinderLike,
        *,
        batch_max_records: int = 200,
        batch_max_wait_ms: int = 500,
        metrics: Metrics | None = None,
    ) -> None:
        self._consumer = source
        self._publisher = publisher
        self._dead_letters = dead_letters
        self._finder = finder
        self._max_records = batch_max_records
        self._max_wait_ms = batch_max_wait_ms
        self._metrics = metrics or NullMetrics()
        self.stats = EnricherStats()
        self._idle = IdleCommitter(source)

    async def run(self, stopping: asyncio.Event) -> None:
        log.info("enriching %s", ARTICLES_RAW.name)
        while not stopping.is_set():
            batches = await self._consumer.getmany(timeout_ms=self._max_wait_ms, max_records=self._max_records)
            records = [record for partition in batches.values() for record in partition]
            if not records:
                await self._idle.after_empty_poll()
                continue
            delay = 0.5
            while True:
                try:
                    await self.handle(records)
                except TransientError as exc:
                    # the broker is away: keep the batch (nothing committed) and try again, unless asked to stop
                    self._metrics.on_error(SERVICE, "publish_failed")
                    log.warning("cannot send the batch, retrying in %.1f s: %s", delay, exc)
                    if await sleep_or_stop(stopping, delay):
                        return
                    delay = min(delay * 2, 30.0)
                    continue
                break
            await self._commit(batches)

    async def handle(self, records: Sequence[Record]) -> None:
        """Extract a batch and send the results; returns once the broker acknowledged every record sent."""
        outgoing: list[Outgoing] = []
        for record in records:
            self._metrics.on_message_in(ARTICLES_RAW.name)
            started = time.monotonic()
            try:
                raw: RawArticle = decode(RawArticle, record.value)
            except PoisonError as exc:
                await self._dead_letter(record, "decode", exc.kind, str(exc))
                continue
            try:
                article = extract(raw, finder=self._finder, now=datetime.now(UTC))
            except Exception as exc:
                log.exception("extraction failed for article %s", raw.id)
                await self._dead_letter(record, "extract", type(exc).__name__, f"extraction failed: {exc}")
                continue
            outgoing += outgoing_records(article)
            self.stats.articles += 1
            self.stats.claims += len(article.claims)
            self.stats.facts += len(article.facts)
            self._metrics.on_processed(SERVICE, time.monotonic() - started)
            log.info(
                "enriched article %s: %d places, %d claims, %d facts",
                article.id,
                len(article.places),
                len(article.claims),
                len(article.facts),
            )
            await asyncio.sleep(0)  # extraction is CPU work: let the consumer's heartbeats through
        if outgoing:
            await self._publisher.publish_many(outgoing)
            for topic, _, _ in outgoing:
                self._metrics.on_message_out(topic)
        self.stats.batches += 1

    async def _dead_letter(self, record: Record, stage: str, kind: str, reason: str) -> None:
        self.stats.dead_lettered += 1
        self._metrics.on_dead_letter(SERVICE, kind)
        await self._dead_letters.publish(stage=stage, error_kind=kind, reason=reason, record=record)

    async def _commit(self, batches: dict[TopicPartition, list[Record]]) -> None:
        offsets = {partition: records[-1].offset + 1 for partition, records in batches.items() if records}
        try:
            await self._consumer.commit(offsets)
            self._idle.note_committed(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # a rebalance took the partitions: their new owner re-extracts the batch, with the same ids
            self._metrics.on_error(SERVICE, "commit_failed")
            log.warning("offset commit failed, records will be redelivered: %s", exc)


class _KafkaBatchPublisher:
    def __init__(self, publisher: KafkaPublisher) -> None:
        self._publisher = publisher

    async def publish_many(self, records: Iterable[Outgoing]) -> None:
        await self._publisher.publish_many(records)


async def ensure_topics(settings: KafkaSettings, topics: Iterable[Topic] = TOPICS) -> None:
    """Create the enricher's topics when they do not exist yet (a fresh cluster, a new prefix)."""
    await kafka.ensure_topics(settings, topics, owner="enricher")


def load_finder(settings: EnricherSettings) -> PlaceFinderLike:
    from services.enricher.gazetteer import load_gazetteer
    from services.enricher.places import PlaceFinder

    started = time.monotonic()
    finder = PlaceFinder(load_gazetteer(settings.enricher.gazetteer_cache_dir))
    log.info("gazetteer loaded in %.2f s", time.monotonic() - started)
    return finder


@asynccontextmanager
async def build(
    settings: EnricherSettings, *, finder: PlaceFinderLike | None = None, metrics: Metrics | None = None
) -> AsyncIterator[Enricher]:
    """Load the gazetteer, enter the producer and the consumer, yield the enricher; close them in reverse."""
    section = settings.enricher
    place_finder: PlaceFinderLike = finder if finder is not None else await asyncio.to_thread(load_finder, settings)
    await ensure_topics(settings.kafka)
    async with (
        producer(settings.kafka, client_id=f"{settings.kafka.client_id}-enricher") as kafka_producer,
        consumer(
            settings.kafka, group=section.group, topics=[ARTICLES_RAW.name], max_poll_records=section.batch_max_records
        ) as kafka_consumer,
    ):
        publisher = KafkaPublisher(kafka_producer, settings.kafka)
        yield Enricher(
            kafka_consumer,
            _KafkaBatchPublisher(publisher),
            DeadLetterPublisher(publisher, SERVICE),
            place_finder,
            batch_max_records=section.batch_max_records,
            batch_max_wait_ms=section.batch_max_wait_ms,
            metrics=metrics,
        )
