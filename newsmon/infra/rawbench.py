"""Raw throughput of the broker and the node for 1 KB JSON documents: the ceiling the pipeline is compared with.

``newsmon infra bench`` runs all three; the end-to-end benchmark imports the functions to print them side by side.
Each case uses a throw-away topic or index (named ``rawbench-<random>``, with the settings' prefix) and removes it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass

from newsmon.settings import CommonSettings, ElasticsearchSettings, KafkaSettings

DOCUMENT_BYTES = 1024
KAFKA_PARTITIONS = 3
BULK_CHUNK = 500


@dataclass(frozen=True)
class BenchResult:
    case: str
    count: int
    seconds: float
    bytes: int

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_per_second(self) -> float:
        return self.bytes / self.seconds / 1_000_000 if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "per_second": round(self.per_second, 1), "mb_per_second": round(self.mb_per_second, 2)}


def document(number: int, size: int = DOCUMENT_BYTES) -> dict[str, object]:
    """A JSON object of exactly ``size`` bytes when encoded compactly, shaped like an article."""
    base: dict[str, object] = {
        "id": f"{number:016x}",
        "url": f"https://news.example/{number}",
        "source": f"outlet-{number % 17}",
        "published": "2026-03-01T08:30:00+00:00",
        "title": f"Report number {number}",
        "text": "",
    }
    padding = size - len(json.dumps(base, separators=(",", ":")).encode())
    base["text"] = ("lorem ipsum dolor sit amet " * (padding // 27 + 1))[: max(padding, 0)]
    return base


def encoded_documents(count: int) -> Iterator[bytes]:
    for number in range(count):
        yield json.dumps(document(number), separators=(",", ":")).encode()


async def kafka_produce_consume(settings: KafkaSettings, count: int) -> list[BenchResult]:
    """Produce ``count`` 1 KB records (idempotent producer, acks=all), then consume them all from the start."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from newsmon.infra.topics import admin_client_options, partition_count
    from newsmon.kafka import consumer, producer

    topic = f"rawbench-{secrets.token_hex(4)}"
    name = settings.topic(topic)
    payloads = list(encoded_documents(count))
    total_bytes = sum(len(p) for p in payloads)
    admin = AIOKafkaAdminClient(**admin_client_options(settings))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=KAFKA_PARTITIONS, replication_factor=1)])
        await partition_count(admin, name)  # leaders elected: the first sends do not bounce
        async with producer(settings, linger_ms=5) as client:
            # One record per partition first: leaders and producer metadata settle outside the measurement.
            for partition in range(KAFKA_PARTITIONS):
                await client.send_and_wait(name, value=b"{}", partition=partition)
            began = time.perf_counter()
            futures = [
                await client.send(name, value=payload, key=str(n).encode()) for n, payload in enumerate(payloads)
            ]
            for future in futures:
                await future
            produced = time.perf_counter() - began
        received = 0
        began = time.perf_counter()  # includes start-up: the consumer fetches in the background from then on
        async with consumer(settings, group=None, topics=[topic], isolation_level="read_uncommitted") as reader:
            while received < count + KAFKA_PARTITIONS:
                batches = await reader.getmany(timeout_ms=10_000, max_records=5000)
                if not batches:
                    raise TimeoutError(f"consumed {received} of {count} records, then nothing for 10 s")
                received += sum(len(records) for records in batches.values())
            consumed = time.perf_counter() - began
    finally:
        await admin.delete_topics([name])
        await admin.close()
    return [
        BenchResult("kafka produce (aiokafka, acks=all, idempotent)", count, produced, total_bytes),
        BenchResult("kafka consume (aiokafka, one consumer)", count, consumed, total_bytes),
    ]


async def elasticsearch_bulk(settings: ElasticsearchSettings, count: int) -> list[BenchResult]:
    """Bulk-index ``count`` 1 KB documents with the async client's bulk helper, then refresh."""
    from elasticsearch import AsyncElasticsearch
    from elasticsearch.helpers import async_bulk

    index = f"{settings.index_prefix}rawbench-{secrets.token_hex(4)}"
    documents = [document(number) for number in range(count)]
    total_bytes = count * DOCUMENT_BYTES
    async with AsyncElasticsearch(settings.url, request_timeout=settings.request_timeout) as client:
        await client.indices.create(
            index=index,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings={"properties": {"source": {"type": "keyword"}, "published": {"type": "date"}}},
        )
        try:
            actions = ({"_index": index, "_id": d["id"], "_source": d} for d in documents)
            began = time.perf_counter()
            indexed, errors = await async_bulk(client, actions, chunk_size=BULK_CHUNK, raise_on_error=True)
            await client.indices.refresh(index=index)
            seconds = time.perf_counter() - began
            assert not errors
        finally:
            await client.indices.delete(index=index)
    return [BenchResult(f"elasticsearch bulk (async helper, {BULK_CHUNK}/request)", indexed, seconds, total_bytes)]


async def run_raw_benchmarks(
    settings: CommonSettings, *, messages: int, documents: int, repeat: int = 1
) -> list[BenchResult]:
    """Every case ``repeat`` times; each case reports its median run (a shared machine is noisy)."""
    runs: list[list[BenchResult]] = []
    for _ in range(max(repeat, 1)):
        results = await kafka_produce_consume(settings.kafka, messages)
        results += await elasticsearch_bulk(settings.elasticsearch, documents)
        runs.append(results)
    return [median_result([run[case] for run in runs]) for case in range(len(runs[0]))]


def median_result(results: list[BenchResult]) -> BenchResult:
    ordered = sorted(results, key=lambda result: result.seconds)
    return ordered[len(ordered) // 2]
