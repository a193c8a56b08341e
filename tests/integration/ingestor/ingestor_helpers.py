"""Helpers for the ingestor's integration tests: settings, reading topics back, running the service once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pydantic import BaseModel

from newsmon.contracts import DeadLetter, FeedState, RawArticle
from newsmon.contracts.topics import ARTICLES_RAW, DLQ, FEEDS_STATE
from newsmon.kafka import connection_options, decode
from newsmon.metrics import InMemoryMetrics
from newsmon.settings import KafkaSettings
from services.ingestor.app import Running, build
from services.ingestor.feeds import FeedConfig
from services.ingestor.settings import IngestorSettings


async def read_topic(
    settings: KafkaSettings, topic: str, *, at_least: int = 0, wait: float = 15.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every committed record of ``topic`` (read_committed), up to its current end.

    A transaction's commit markers reach the partitions a moment after the commit returns: with ``at_least`` the
    topic is read again until that many records are visible (or ``wait`` seconds pass).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        records = await _read_once(settings, topic)
        if len(records) >= at_least or loop.time() > deadline:
            return records
        await asyncio.sleep(0.2)


async def _read_once(settings: KafkaSettings, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(
        settings.topic(topic),
        **connection_options(settings),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        for _ in range(100):
            if consumer.assignment():
                break
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        if not partitions:
            return []
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        async with asyncio.timeout(60):
            while True:
                behind = [tp for tp in partitions if await consumer.position(tp) < end[tp]]
                if not behind:
                    break
                batch = await consumer.getmany(*behind, timeout_ms=500)
                for batch_records in batch.values():
                    records.extend(batch_records)
        return records
    finally:
        await consumer.stop()


async def articles_in(settings: KafkaSettings, *, at_least: int = 0) -> list[RawArticle]:
    return [decode(RawArticle, r.value) for r in await read_topic(settings, ARTICLES_RAW.name, at_least=at_least)]


async def dead_letters_in(settings: KafkaSettings, *, at_least: int = 0) -> list[DeadLetter]:
    return [decode(DeadLetter, r.value) for r in await read_topic(settings, DLQ.name, at_least=at_least)]


async def states_in(settings: KafkaSettings, *, at_least: int = 0) -> dict[str, FeedState]:
    states: dict[str, FeedState] = {}
    for record in await read_topic(settings, FEEDS_STATE.name, at_least=at_least):
        state = decode(FeedState, record.value)
        states[state.feed] = state
    return states


async def poll_once(
    settings: IngestorSettings, feeds: Sequence[FeedConfig], *, deadline: float = 120.0
) -> tuple[Running, InMemoryMetrics]:
    """Start the service, let it poll every feed once (and commit), stop it."""
    metrics = InMemoryMetrics()
    stopping = asyncio.Event()
    async with build(settings, feeds=feeds, metrics=metrics) as running:
        task = asyncio.create_task(running.ingestor.run(stopping))
        async with asyncio.timeout(deadline):
            while running.ingestor.polls < len(feeds):
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        stopping.set()
        await task
    return running, metrics


def by_id(records: Sequence[BaseModel]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        key = str(getattr(record, "id"))  # noqa: B009 - every contract has an id
        counts[key] = counts.get(key, 0) + 1
    return counts
