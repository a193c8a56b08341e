"""Helpers shared by the operations tests: topics, records and a group that stops and starts on demand."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from newsmon.contracts import RawArticle
from newsmon.contracts.ids import article_id
from newsmon.kafka import encode
from newsmon.settings import KafkaSettings


@pytest.fixture
def ops_prefix(unique_prefix: object) -> str:
    """A fresh prefix, whether ``unique_prefix`` is a factory or a plain string."""
    value = unique_prefix() if callable(unique_prefix) else unique_prefix
    return str(value)


@pytest.fixture
def kafka_settings(kafka_bootstrap: str, ops_prefix: str) -> KafkaSettings:
    return KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=ops_prefix, client_id="newsmon-ops-test")


@pytest.fixture
async def admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await client.start()
    yield client
    await client.close()


@pytest.fixture
def create_topic(admin: AIOKafkaAdminClient) -> Callable[[str, int], object]:
    async def create(name: str, partitions: int) -> str:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        return name

    return create


@pytest.fixture
async def raw_producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    client = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all")
    await client.start()
    yield client
    await client.stop()


async def run_process(
    command: list[str], *, env: dict[str, str] | None = None, time_limit: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """A command line tool run off the event loop, output captured as text."""
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=env, timeout=time_limit, check=check
    )


def article(n: int, run: str) -> RawArticle:
    now = datetime.now(UTC)
    url = f"https://news.example/{run}/{n}"
    return RawArticle(
        id=article_id(url),
        url=url,
        source="Example News",
        feed="https://news.example/rss",
        published=now,
        fetched_at=now,
        title=f"Article {n}",
        text=f"Body of article {n}.",
        language="en",
    )


async def produce_articles(
    producer: AIOKafkaProducer, topic: str, count: int, *, partition: int | None = None
) -> list[RawArticle]:
    run = uuid.uuid4().hex[:8]
    articles = [article(n, run) for n in range(count)]
    futures = [await producer.send(topic, encode(a), key=a.id.encode(), partition=partition) for a in articles]
    for future in futures:
        await future
    return articles


async def consume_and_commit(kafka_bootstrap: str, group: str, topic: str, count: int | None) -> int:
    """Join ``group``, consume ``count`` records (all available when None), commit exactly those, leave."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    taken = 0
    try:
        positions: dict[TopicPartition, int] = {}
        idle_polls = 0
        while count is None or taken < count:
            limit = None if count is None else count - taken
            batches = await consumer.getmany(timeout_ms=500, max_records=limit)
            if not batches:
                idle_polls += 1
                if count is None and idle_polls >= 3:
                    break
                continue
            idle_polls = 0
            for tp, records in batches.items():
                taken += len(records)
                positions[tp] = records[-1].offset + 1
        if positions:
            await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in positions.items()})
        if count is None:
            # commit the end of every assigned partition, including ones that received nothing
            ends = await consumer.end_offsets(list(consumer.assignment()))
            await consumer.commit({tp: OffsetAndMetadata(end, "") for tp, end in ends.items()})
    finally:
        await consumer.stop()
    return taken
