"""The indexer service: Kafka → documents → Elasticsearch, committing offsets only after Elasticsearch acknowledged.

One loop: take a batch, shape every record into its document (records that break the contract are dead-lettered),
bulk-write the batch (the sink retries until each document is indexed or refused), dead-letter what Elasticsearch
refused, then commit. The next batch is shaped while the previous one is being written, never more than one ahead.
While Elasticsearch is down the write simply waits inside the sink: nothing further is taken, nothing is
committed, nothing is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from elasticsearch import AsyncElasticsearch

from newsmon import kafka
from newsmon.contracts.dead_letters import Service
from newsmon.contracts.topics import ALERTS, ARTICLES_ENRICHED, CLAIMS_BY_PLACE, DLQ, Topic
from newsmon.errors import PoisonError, TransientError
from newsmon.kafka import DeadLetterPublisher, IdleCommitter, KafkaPublisher, consumer, producer
from newsmon.metrics import Metrics, NullMetrics, age_seconds
from newsmon.settings import KafkaSettings
from services.indexer.documents import Document, IndexName, decode_document, stub_dead_letter_document
from services.indexer.es import elasticsearch_client, wait_until_ready
from services.indexer.mappings import IndexSpec, apply_all, load_specs
from services.indexer.settings import IndexerSettings
from services.indexer.sink import Backoff, DocumentSink, ElasticsearchSink, Rejection

log = logging.getLogger(__name__)

SERVICE: Service = "indexer"
INDEXED_TOPIC_SPECS: tuple[Topic, ...] = (ARTICLES_ENRICHED, CLAIMS_BY_PLACE, ALERTS, DLQ)
INDEXED_TOPICS: tuple[str, ...] = tuple(topic.name for topic in INDEXED_TOPIC_SPECS)

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


@dataclass
class IndexerStats:
    records: int = 0
    indexed: int = 0
    stale: int = 0
    dead_lettered: int = 0
    retries: int = 0  # bulk requests repeated because Elasticsearch was down, slow or busy
    batches: int = 0
    first_batch_at: float | None = None  # time.monotonic() when the first batch arrived (benchmarks)
    last_batch_done_at: float | None = None


async def ensure_topics(settings: KafkaSettings, topics: Iterable[Topic] = INDEXED_TOPIC_SPECS) -> None:
    """Create the topics the indexer reads when they do not exist yet (a fresh cluster, a new prefix)."""
    await kafka.ensure_topics(settings, topics, owner="indexer")


@dataclass
class Batch:
    """Records decoded and shaped, waiting to be written."""

    records: Sequence[Record]
    started: float
    documents: list[Document] = field(default_factory=list)
    origin: dict[int, Record] = field(default_factory=dict)  # id(document) → the record it came from
    undecodable: list[tuple[Record, PoisonError]] = field(default_factory=list)


def alias_resolver(specs: Mapping[IndexName, IndexSpec], prefix: str) -> Callable[[Document], str]:
    aliases = {name: spec.alias(prefix) for name, spec in specs.items()}

    def index_for(document: Document) -> str:
        return aliases[document.index]

    return index_for


class Indexer:
    """Moves records from the indexed topics into Elasticsearch; see the module docstring for the guarantees."""

    def __init__(
        self,
        source: AIOKafkaConsumer,
        sink: DocumentSink,
        dead_letters: DeadLetterPublisher,
        logical_topics: dict[str, str],
        *,
        batch_max_records: int = 500,
        batch_max_wait_ms: int = 500,
        backoff: Backoff | None = None,
        metrics: Metrics | None = None,
        elasticsearch: AsyncElasticsearch | None = None,
    ) -> None:
        self.elasticsearch = elasticsearch  # for readiness checks of the caller
        self._consumer = source
        self._sink = sink
        self._dead_letters = dead_letters
        self._logical = logical_topics  # physical topic name → logical name
        self._max_records = batch_max_records
        self._max_wait_ms = batch_max_wait_ms
        self._backoff = backoff or Backoff()
        self._metrics = metrics or NullMetrics()
        self.stats = IndexerStats()
        self._idle = IdleCommitter(source)

    async def run(self, stopping: asyncio.Event) -> None:
        """Consume until ``stopping`` is set. Batch N+1 is decoded and shaped while batch N's bulk request is in
        flight; writes, dead letters and commits still happen strictly one batch after the other."""
        log.info("indexing %s", ", ".join(sorted(self._logical)))
        in_flight: asyncio.Task[None] | None = None
        try:
            while not stopping.is_set():
                batches = await self._consumer.getmany(timeout_ms=self._max_wait_ms, max_records=self._max_records)
                records = [record for partition in batches.values() for record in partition]
                if not records:
                    if in_flight is None or in_flight.done():
                        await self._idle.after_empty_poll()
                    continue
                batch = self.prepare(records)
                if in_flight is not None:
                    await in_flight
                in_flight = asyncio.create_task(self._deliver_and_commit(batch, batches))
        finally:
            if in_flight is not None:
                if stopping.is_set():
                    await in_flight  # finish what is in hand, then leave
                else:
                    in_flight.cancel()  # uncommitted: its records come back after a restart
                    with suppress(asyncio.CancelledError):
                        await in_flight

    async def _deliver_and_commit(self, batch: Batch, batches: dict[TopicPartition, list[Record]]) -> None:
        await self.deliver(batch)
        await self._commit(batches)

    async def handle(self, records: Sequence[Record]) -> None:
        """Index a batch; returns once every record is indexed, stale (older alert version) or dead-lettered."""
        await self.deliver(self.prepare(records))

    def prepare(self, records: Sequence[Record]) -> Batch:
        """Decode and shape (CPU only): documents to write and records that broke the contract."""
        batch = Batch(records=records, started=time.monotonic())
        if self.stats.first_batch_at is None:
            self.stats.first_batch_at = batch.started
        for record in records:
            topic = self._logical[record.topic]
            self._metrics.on_message_in(topic)
            try:
                document = decode_document(topic, record.value)
            except PoisonError as exc:
                batch.undecodable.append((record, exc))
                continue
            batch.documents.append(document)
            batch.origin[id(document)] = record
        return batch

    async def deliver(self, batch: Batch) -> None:
        """Write the batch and dead-letter what could not be indexed; returns when all of it is settled."""
        records, documents, origin, started = batch.records, batch.documents, batch.origin, batch.started
        for record, exc in batch.undecodable:
            # no id to name it by: its place in the log is stable across replays
            where = f"{record.topic}/{record.partition}/{record.offset}"
            await self._dead_letter(record, stage="decode", error_kind=exc.kind, reason=str(exc), key=where)
        outcome = await self._sink.write(documents)
        for rejection in outcome.rejected:
            await self._handle_rejection(rejection, origin[id(rejection.document)])
        self.stats.records += len(records)
        self.stats.indexed += outcome.indexed
        self.stats.stale += outcome.stale
        self.stats.retries += outcome.retries
        self.stats.batches += 1
        self.stats.last_batch_done_at = time.monotonic()
        seconds = self.stats.last_batch_done_at - started
        self._metrics.on_bulk_flush(len(documents), seconds)
        self._metrics.on_processed(SERVICE, seconds)
        for document in documents:
            if document.index == "articles":
                self._metrics.on_freshness(
                    "indexed",
                    age_seconds(_parse_time(document.source.get("published"))),
                    age_seconds(_parse_time(document.source.get("fetched_at"))),
                )
        log.info(
            "indexed batch: %d records, %d indexed, %d stale, %d refused in %.3fs",
            len(records),
            outcome.indexed,
            outcome.stale,
            len(outcome.rejected),
            seconds,
        )

    async def _handle_rejection(self, rejection: Rejection, record: Record) -> None:
        reason = f"Elasticsearch refused document {rejection.document.id} ({rejection.status} {rejection.error_type}): "
        reason += rejection.reason
        if rejection.document.index != "deadletters":
            await self._dead_letter(
                record, stage="index", error_kind=rejection.error_type, reason=reason, key=rejection.document.id
            )
            return
        # A dead letter that cannot be indexed must not go back to the dead-letter topic (it would loop):
        # index what is left of it instead, so the gap is visible in Kibana.
        stub = stub_dead_letter_document(rejection.document.id, reason, datetime.now(UTC))
        retry = await self._sink.write([stub])
        if retry.rejected:
            log.error("dead letter %s cannot be indexed even as a stub: %s", stub.id, retry.rejected[0].reason)

    async def _dead_letter(self, record: Record, *, stage: str, error_kind: str, reason: str, key: str) -> None:
        """``key`` (the document id, else the record's position) names the dead letter: one per bad record, the
        same one again on a replay."""
        attempt = 0
        while True:
            try:
                await self._dead_letters.publish(
                    stage=stage, error_kind=error_kind, reason=reason, record=record, key=key
                )
            except TransientError as exc:
                delay = self._backoff.delay(attempt)
                attempt += 1
                log.warning("cannot write dead letter (%s); retry in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            self.stats.dead_lettered += 1
            self._metrics.on_dead_letter(SERVICE, error_kind)
            return

    async def _commit(self, batches: dict[TopicPartition, list[Record]]) -> None:
        offsets = {partition: records[-1].offset + 1 for partition, records in batches.items() if records}
        try:
            await self._consumer.commit(offsets)
            self._idle.note_committed(offsets)
        except (CommitFailedError, KafkaError) as exc:
            # The group moved on (e.g. a rebalance while Elasticsearch was down): the records come back to
            # whoever owns the partitions now, and their documents overwrite themselves. Nothing is lost.
            self._metrics.on_error(SERVICE, "commit_failed")
            log.warning("offset commit failed, records will be redelivered: %s", exc)


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


@asynccontextmanager
async def build(
    settings: IndexerSettings,
    *,
    metrics: Metrics | None = None,
    es_client: AsyncElasticsearch | None = None,
    topics: Sequence[str] = INDEXED_TOPICS,
) -> AsyncIterator[Indexer]:
    """Enter the clients in order (Elasticsearch, producer, consumer), yield the indexer, close them in reverse."""
    section = settings.indexer
    specs = load_specs()
    prefix = settings.elasticsearch.index_prefix
    client = es_client or elasticsearch_client(settings.elasticsearch)
    try:
        await wait_until_ready(client, settings.elasticsearch.url)
        if section.apply_on_start:
            await apply_all(client, specs, prefix, shards=section.shards, replicas=section.replicas)
        await ensure_topics(settings.kafka, [topic for topic in INDEXED_TOPIC_SPECS if topic.name in topics])
        backoff = Backoff(section.retry_initial_backoff, section.retry_max_backoff)
        sink = ElasticsearchSink(
            client,
            alias_resolver(specs, prefix),
            max_bytes=section.bulk_max_bytes,
            backoff=backoff,
            refresh=section.refresh,
        )
        async with (
            producer(settings.kafka, client_id=f"{settings.kafka.client_id}-indexer") as kafka_producer,
            consumer(
                settings.kafka,
                group=section.group,
                topics=topics,
                max_poll_records=section.batch_max_records,
            ) as kafka_consumer,
        ):
            dead_letters = DeadLetterPublisher(KafkaPublisher(kafka_producer, settings.kafka), SERVICE)
            yield Indexer(
                kafka_consumer,
                sink,
                dead_letters,
                {settings.kafka.topic(name): name for name in topics},
                batch_max_records=section.batch_max_records,
                batch_max_wait_ms=section.batch_max_wait_ms,
                backoff=backoff,
                metrics=metrics,
                elasticsearch=client,
            )
    finally:
        if es_client is None:
            await client.close()
