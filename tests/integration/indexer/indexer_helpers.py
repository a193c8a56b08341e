"""Helpers of the indexer's integration tests (imported by the tests and by conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer
from elasticsearch import AsyncElasticsearch
from pydantic import BaseModel

from newsmon.kafka import KafkaPublisher, connection_options, producer
from newsmon.settings import ElasticsearchSettings, KafkaSettings, MetricsSettings
from services.indexer.app import Indexer, build
from services.indexer.reindex import topic_partitions
from services.indexer.settings import IndexerSection, IndexerSettings


def make_settings(kafka_bootstrap: str, es_url: str, prefix: str, **indexer: Any) -> IndexerSettings:
    section = {"batch_max_wait_ms": 200, "retry_initial_backoff": 0.05, "retry_max_backoff": 1.0, **indexer}
    return IndexerSettings(
        kafka=KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, client_id="newsmon-indexer-test"),
        elasticsearch=ElasticsearchSettings(url=es_url, index_prefix=prefix, request_timeout=10),
        indexer=IndexerSection(group=f"{prefix}indexer", **section),
        metrics=MetricsSettings(enabled=False),
    )


async def produce(settings: KafkaSettings, records: list[tuple[str, str, BaseModel]]) -> None:
    async with producer(settings) as client:
        await KafkaPublisher(client, settings).publish_many(records)


async def produce_raw(settings: KafkaSettings, topic: str, key: bytes, value: bytes) -> None:
    async with producer(settings) as client:
        await client.send_and_wait(settings.topic(topic), value, key=key)


async def read_topic(settings: KafkaSettings, topic: str) -> list[bytes]:
    """Every record value of a topic, from its beginning to its current end."""
    partitions = await topic_partitions(settings, settings.topic(topic))
    client = AIOKafkaConsumer(
        **connection_options(settings), group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await client.start()
    try:
        client.assign(partitions)
        end = await client.end_offsets(partitions)
        await client.seek_to_beginning(*partitions)  # (and auto_offset_reset=earliest: no race with "latest")
        values: list[bytes] = []
        pending = {tp for tp in partitions if end[tp] > 0}
        while pending:
            for tp, records in (await client.getmany(*pending, timeout_ms=500)).items():
                values.extend(record.value for record in records if record.offset < end[tp] and record.value)
            for tp in list(pending):
                if await client.position(tp) >= end[tp]:
                    pending.discard(tp)
        return values
    finally:
        await client.stop()


async def count(es: AsyncElasticsearch, index: str, query: dict[str, Any] | None = None) -> int:
    await es.indices.refresh(index=index, ignore_unavailable=True)
    response = await es.count(index=index, query=query or {"match_all": {}}, ignore_unavailable=True)
    return int(response.body.get("count", 0))


async def wait_for(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")
        await asyncio.sleep(0.5)


class RunningIndexer:
    """The indexer service running in a task of this event loop; ``stop()`` ends it like SIGTERM would."""

    def __init__(self, settings: IndexerSettings) -> None:
        self.settings = settings
        self.stopping = asyncio.Event()
        self.indexer: Indexer | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def _main(self) -> None:
        async with build(self.settings) as indexer:
            self.indexer = indexer
            self._ready.set()
            await indexer.run(self.stopping)

    async def start(self) -> RunningIndexer:
        self._task = asyncio.create_task(self._main())
        waiter = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({self._task, waiter}, timeout=90, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            waiter.cancel()
            self._task.result()  # raises what went wrong
        assert waiter in done, "the indexer did not start within 90s"
        return self

    async def stop(self, seconds: float = 60) -> None:
        """Like SIGTERM: finish the batch in hand and commit. A loop still waiting for a dead node is cancelled."""
        self.stopping.set()
        if self._task is None:
            return
        done, _ = await asyncio.wait({self._task}, timeout=seconds)
        if not done:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            raise AssertionError(f"the indexer did not stop within {seconds:.0f}s")
        self._task.result()
