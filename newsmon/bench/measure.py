"""Watching the outputs of a run: when each article's alert and document appeared."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import AsyncElasticsearch

from newsmon.contracts import AlertEvent
from newsmon.kafka import consumer, decode
from newsmon.settings import KafkaSettings


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Observations:
    produced_at: dict[str, float] = field(default_factory=dict)
    alerted_at: dict[str, float] = field(default_factory=dict)
    searchable_at: dict[str, float] = field(default_factory=dict)
    alert_events: dict[str, int] = field(default_factory=dict)

    def alert_latencies(self) -> list[float]:
        return [t - self.produced_at[a] for a, t in self.alerted_at.items() if a in self.produced_at]

    def search_latencies(self) -> list[float]:
        return [t - self.produced_at[a] for a, t in self.searchable_at.items() if a in self.produced_at]


async def watch_alerts(kafka: KafkaSettings, seen: Observations, stop: asyncio.Event) -> None:
    """Record the first alert event each article caused; count events by id to detect duplicates."""
    async with consumer(kafka, group=None, topics=["alerts"], auto_offset_reset="earliest") as alerts:
        while not stop.is_set():
            batches = await alerts.getmany(timeout_ms=100)
            now = time.monotonic()
            for records in batches.values():
                for record in records:
                    event: AlertEvent = decode(AlertEvent, record.value)
                    seen.alert_events[event.id] = seen.alert_events.get(event.id, 0) + 1
                    if event.cause_article_id and event.cause_article_id not in seen.alerted_at:
                        seen.alerted_at[event.cause_article_id] = now


PENDING_PER_SEARCH = 300


async def watch_documents(
    es: AsyncElasticsearch, index: str, seen: Observations, stop: asyncio.Event, interval: float = 0.1
) -> None:
    """Poll Elasticsearch for the produced articles that are not yet searchable.

    Only the oldest ``PENDING_PER_SEARCH`` are asked for: articles come out roughly in the order they went in, and
    an ids query costs Elasticsearch in proportion to its ids, which would load the node being measured."""
    while not stop.is_set():
        pending = [a for a in seen.produced_at if a not in seen.searchable_at][:PENDING_PER_SEARCH]
        if pending:
            with contextlib.suppress(Exception):
                found = await es.search(
                    index=index, query={"ids": {"values": pending}}, source=False, size=len(pending)
                )
                now = time.monotonic()
                for hit in found["hits"]["hits"]:
                    seen.searchable_at.setdefault(hit["_id"], now)
        await asyncio.sleep(interval)


async def read_topic(kafka: KafkaSettings, topic: str) -> list[bytes | None]:
    """Every record value of a topic from the beginning to its current end (all partitions, no group)."""
    return [value for _, value in await read_records(kafka, topic)]


async def read_records(kafka: KafkaSettings, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    """(key, value) of every record of a topic up to its current end; each partition's records in offset order."""
    from aiokafka import TopicPartition

    values: list[tuple[bytes | None, bytes | None]] = []
    async with consumer(kafka, group=None, topics=[]) as reader:
        physical = kafka.topic(topic)
        partitions = [TopicPartition(physical, p) for p in sorted(await _partitions(reader, physical))]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        end = await reader.end_offsets(partitions)
        while [tp for tp, offset in end.items() if await reader.position(tp) < offset]:
            batches = await reader.getmany(*partitions, timeout_ms=500)
            values.extend((record.key, record.value) for records in batches.values() for record in records)
    return values


async def _partitions(reader: Any, topic: str) -> set[int]:
    for _ in range(50):
        found = reader.partitions_for_topic(topic)
        if found:
            return set(found)
        await reader._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no partitions (does it exist?)")


async def remove_run(kafka: KafkaSettings, es_url: str, prefix: str) -> None:
    """Delete the topics and indices of one run (names starting with ``prefix``) so runs do not pile up."""
    from aiokafka.admin import AIOKafkaAdminClient

    from newsmon.kafka import connection_options

    admin = AIOKafkaAdminClient(**connection_options(kafka), client_id="newsmon-bench-admin")
    await admin.start()
    try:
        topics = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if topics:
            await admin.delete_topics(topics)
    finally:
        await admin.close()
    async with AsyncElasticsearch(es_url, request_timeout=30) as es:
        # Deleting by wildcard is refused (action.destructive_requires_name): name the indices.
        found = await es.indices.get(index=f"{prefix}*", allow_no_indices=True, expand_wildcards="all")
        for index in found:
            await es.indices.delete(index=index)
        with contextlib.suppress(Exception):  # 404 when the run installed none
            templates = await es.indices.get_index_template(name=f"{prefix}*")
            for template in templates.get("index_templates", []):
                await es.indices.delete_index_template(name=template["name"])
