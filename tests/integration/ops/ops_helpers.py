"""Helpers for the operations tests: records, a group that consumes on demand, command line tools off the loop."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from newsmon.contracts import RawArticle
from newsmon.contracts.ids import article_id
from newsmon.kafka import encode


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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def parse_metrics(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus text format → {(sample name, labels): value}, parsed by prometheus_client's own parser."""
    from prometheus_client.parser import text_string_to_metric_families

    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample_value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """The value of the one sample called ``name`` whose labels include ``labels``; sums when several match."""
    matching = [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls]
    if not matching:
        raise KeyError(f"no sample {name}{labels}")
    return sum(matching)
