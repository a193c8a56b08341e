"""Rebuild one index from its Kafka topic into a new versioned index, then move the alias in one atomic step.

Kafka is the system of record: the topic is read from its earliest offsets up to the end offsets taken at start
into ``news-<name>-v<n+1>`` (created from the current template in ``deploy/elasticsearch/``). When that copy is
complete the alias moves to it atomically, and a short catch-up pass indexes what arrived meanwhile (the running
indexer wrote those records to the old index until the switch). Ids are deterministic, so overlaps overwrite.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from elasticsearch import AsyncElasticsearch

from newsmon.errors import ConfigurationError, PoisonError
from newsmon.kafka import DeadLetterPublisher, KafkaPublisher, connection_options, consumer, producer
from newsmon.settings import KafkaSettings
from services.indexer.documents import SOURCE_TOPICS, Document, IndexName, decode_document
from services.indexer.mappings import create_index, indices_behind, load_specs, put_template, switch_alias
from services.indexer.settings import IndexerSettings
from services.indexer.sink import ElasticsearchSink

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (records read, records to read) as the copy advances."""


@dataclass
class ReindexReport:
    index: IndexName
    alias: str
    old_indices: list[str]
    new_index: str
    topic: str
    records: int = 0
    written: int = 0
    skipped: int = 0  # records of the topic that belong to another index (claims vs facts)
    undecodable: int = 0  # already dead-lettered when the live indexer first met them
    rejected: int = 0
    caught_up: int = 0
    documents: int = 0
    seconds: float = 0.0
    deleted_old: list[str] = field(default_factory=list)


async def topic_partitions(settings: KafkaSettings, topic: str) -> list[TopicPartition]:
    """Every partition of a (physical) topic, asked of the cluster's metadata directly."""
    admin = AIOKafkaAdminClient(**connection_options(settings), client_id=f"{settings.client_id}-reindex-admin")
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    found = [item for item in described if item.get("topic") == topic and not item.get("error_code")]
    if not found or not found[0].get("partitions"):
        raise ConfigurationError(f"topic {topic!r} does not exist; create it with `newsmon topics apply`")
    return sorted(TopicPartition(topic, part["partition"]) for part in found[0]["partitions"])


async def _copy(
    client: AIOKafkaConsumer,
    sink: ElasticsearchSink,
    dead_letters: DeadLetterPublisher,
    report: ReindexReport,
    start: dict[TopicPartition, int],
    end: dict[TopicPartition, int],
    progress: Progress | None,
    batch_size: int,
) -> int:
    """Index every record in [start, end) of each partition; returns the number of records read."""
    remaining = {tp for tp in end if end[tp] > start[tp]}
    total = sum(end[tp] - start[tp] for tp in remaining)
    for tp in end:
        client.seek(tp, start[tp])
    read = 0
    if progress:
        progress(0, total)
    while remaining:
        batches = await client.getmany(*remaining, timeout_ms=1000, max_records=batch_size)
        documents: list[Document] = []
        origin: dict[int, object] = {}
        for tp, records in batches.items():
            for record in records:
                if record.offset >= end[tp]:
                    continue
                read += 1
                try:
                    document = decode_document(SOURCE_TOPICS[report.index], record.value)
                except PoisonError:
                    report.undecodable += 1
                    continue
                if document.index != report.index:
                    report.skipped += 1
                    continue
                documents.append(document)
                origin[id(document)] = record
        for tp in list(remaining):
            if await client.position(tp) >= end[tp]:
                remaining.discard(tp)
        if documents:
            outcome = await sink.write(documents)
            report.written += outcome.indexed + outcome.stale
            report.rejected += len(outcome.rejected)
            for rejection in outcome.rejected:
                await dead_letters.publish(
                    stage="reindex",
                    error_kind=rejection.error_type,
                    reason=f"Elasticsearch refused document {rejection.document.id} in {report.new_index}: "
                    f"{rejection.reason}",
                    record=origin[id(rejection.document)],
                    key=rejection.document.id,
                )
        if progress:
            progress(read, total)
    return read


async def reindex(
    settings: IndexerSettings,
    name: IndexName,
    es: AsyncElasticsearch,
    *,
    progress: Progress | None = None,
    delete_old: bool = False,
) -> ReindexReport:
    started = time.monotonic()
    section = settings.indexer
    prefix = settings.elasticsearch.index_prefix
    spec = load_specs()[name]
    alias = spec.alias(prefix)
    topic = settings.kafka.topic(SOURCE_TOPICS[name])
    partitions = await topic_partitions(settings.kafka, topic)  # fails before anything is created
    await put_template(es, spec, prefix, shards=section.shards, replicas=section.replicas)
    old = await indices_behind(es, alias)
    version = max((spec.version_of(index, prefix) for index in old), default=0) + 1
    new = spec.versioned(prefix, version)
    if not await create_index(es, new):
        # left over from an aborted rebuild: it was never behind the alias, so nobody reads it
        log.warning("deleting %s left over from an earlier, unfinished reindex", new)
        await es.indices.delete(index=new)
        await create_index(es, new)
    report = ReindexReport(name, alias, old, new, topic)
    copy_sink = ElasticsearchSink(es, lambda _document: new, max_bytes=section.bulk_max_bytes, require_alias=False)
    live_sink = ElasticsearchSink(es, lambda _document: alias, max_bytes=section.bulk_max_bytes)
    async with (
        producer(settings.kafka, client_id=f"{settings.kafka.client_id}-reindex") as kafka_producer,
        consumer(settings.kafka, group=None, topics=[]) as kafka_consumer,
    ):
        dead_letters = DeadLetterPublisher(KafkaPublisher(kafka_producer, settings.kafka), "indexer")
        kafka_consumer.assign(partitions)
        begin = await kafka_consumer.beginning_offsets(partitions)
        end = await kafka_consumer.end_offsets(partitions)
        batch = section.batch_max_records
        report.records = await _copy(kafka_consumer, copy_sink, dead_letters, report, begin, end, progress, batch)
        await es.indices.refresh(index=new)
        await switch_alias(es, alias, old, new)
        log.info("alias %s now points to %s (was %s)", alias, new, ", ".join(old) or "nothing")
        latest = await kafka_consumer.end_offsets(partitions)
        report.caught_up = await _copy(kafka_consumer, live_sink, dead_letters, report, end, latest, None, batch)
    await es.indices.refresh(index=new)
    report.documents = int((await es.count(index=new)).body["count"])
    if delete_old and old:
        await es.indices.delete(index=",".join(old))
        report.deleted_old = old
    report.seconds = time.monotonic() - started
    return report
